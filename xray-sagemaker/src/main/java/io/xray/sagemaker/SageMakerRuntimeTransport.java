package io.xray.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import io.xray.predict.EndpointException;
import io.xray.predict.EndpointPredictor;
import io.xray.predict.EndpointTransport;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointRequest;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointResponse;
import software.amazon.awssdk.services.sagemakerruntime.model.ModelErrorException;
import software.amazon.awssdk.services.sagemakerruntime.model.ModelNotReadyException;
import software.amazon.awssdk.services.sagemakerruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.sagemakerruntime.model.ValidationErrorException;

/**
 * The {@link EndpointTransport} that calls a SageMaker real-time endpoint with the runtime's
 * {@code InvokeEndpoint}, for {@link EndpointPredictor}'s serializers and deserializers:
 *
 * <pre>{@code
 * try (EndpointPredictor<byte[], List<EndpointPrediction>> predictor = EndpointPredictor.builder()
 *         .transport(SageMakerRuntimeTransport.of(session.runtime(), "xray-pneumonia"))
 *         .build()) {
 *     EndpointPrediction p = predictor.predict(Files.readAllBytes(xray)).get(0);
 * }
 * }</pre>
 *
 * <p>Bodies over SageMaker's real-time limit ({@value #MAX_PAYLOAD_BYTES} bytes) are refused
 * before anything is sent. Failures become {@link SageMakerEndpointException}s that say what
 * happened: {@code ModelError} (424, the container answered an error; its own status and message
 * are kept), {@code ModelNotReady} and throttling (429, after the SDK's retries),
 * {@code ValidationError} (400: no such endpoint, or a bad request), {@code ServiceUnavailable}
 * (503). The runtime client is not closed by the transport (the caller or its
 * {@link SageMakerSession} owns it).
 */
public final class SageMakerRuntimeTransport implements EndpointTransport {

    /** SageMaker's real-time payload limit: 6 MB (taken as 6 MiB, like {@code ModelServer}'s default). */
    public static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

    private static final Pattern ENDPOINT_NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SageMakerRuntimeClient client;
    private final String endpointName;

    private SageMakerRuntimeTransport(SageMakerRuntimeClient client, String endpointName) {
        this.client = client;
        this.endpointName = endpointName;
    }

    /**
     * @param client the runtime client (with an endpoint override to reach a local {@code xray serve});
     *     not closed by the transport
     * @param endpointName the endpoint's name
     * @return the transport
     * @throws InvalidConfigurationException ({@code endpointName}) when the name breaks SageMaker's pattern
     */
    public static SageMakerRuntimeTransport of(SageMakerRuntimeClient client, String endpointName) {
        Objects.requireNonNull(client, "client");
        if (endpointName == null || !ENDPOINT_NAME.matcher(endpointName).matches()) {
            throw new InvalidConfigurationException("endpointName", "'" + endpointName + "' is not a SageMaker endpoint"
                    + " name (1-63 letters, digits and hyphens, starting and ending with a letter or digit)");
        }
        return new SageMakerRuntimeTransport(client, endpointName);
    }

    /** @return the endpoint's name */
    public String endpointName() {
        return endpointName;
    }

    @Override
    public Response invoke(byte[] body, String contentType, String accept) {
        if (body.length > MAX_PAYLOAD_BYTES) {
            throw new EndpointException(toString(), "request body of " + body.length + " bytes exceeds SageMaker's"
                    + " real-time limit of " + MAX_PAYLOAD_BYTES + " bytes (6 MB); not sent. Send a smaller image, or"
                    + " use a batch transform job", null);
        }
        InvokeEndpointRequest request = InvokeEndpointRequest.builder()
                .endpointName(endpointName)
                .contentType(contentType)
                .accept(accept)
                .body(SdkBytes.fromByteArrayUnsafe(body))
                .build();
        try {
            InvokeEndpointResponse response = client.invokeEndpoint(request);
            String type = response.contentType() != null ? response.contentType() : "application/octet-stream";
            return new Response(200, type, response.body().asByteArrayUnsafe());
        } catch (AwsServiceException e) {
            throw translate(e);
        } catch (SdkClientException e) {
            throw new EndpointException(toString(), "cannot reach SageMaker: " + e.getMessage(), e);
        }
    }

    private SageMakerEndpointException translate(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String message = serviceMessage(e);
        String reason;
        Integer original = null;
        if (e instanceof ModelErrorException modelError) {
            original = modelError.originalStatusCode();
            reason = "ModelError: the model container answered " + (original == null ? "an error" : "HTTP " + original)
                    + ": " + (modelError.originalMessage() != null ? modelError.originalMessage() : message)
                    + (modelError.logStreamArn() != null ? " (container log: " + modelError.logStreamArn() + ")" : "");
            code = "ModelError";
        } else if (e instanceof ModelNotReadyException) {
            reason = "ModelNotReady: the endpoint's model is not ready to answer yet (still loading or scaling); retry"
                    + " later: " + message;
            code = "ModelNotReady";
        } else if (e.isThrottlingException()) {
            reason = (code != null ? code : "Throttled") + ": the endpoint throttled the call even after the SDK's"
                    + " retries; slow down or scale the endpoint: " + message;
        } else if (e instanceof ValidationErrorException) {
            reason = "ValidationError: " + message + " (does endpoint '" + endpointName + "' exist in this region and"
                    + " is it InService?)";
            code = "ValidationError";
        } else if (e instanceof ServiceUnavailableException) {
            reason = "ServiceUnavailable: SageMaker could not serve the call; retry later: " + message;
            code = "ServiceUnavailable";
        } else if (e.statusCode() == 403) {
            reason = (code != null ? code : "AccessDenied") + ": the caller may not invoke this endpoint (IAM permission"
                    + " sagemaker:InvokeEndpoint): " + message;
        } else {
            reason = (code != null ? code + ": " : "") + message;
        }
        return new SageMakerEndpointException(toString(), e.statusCode(), code, original, e.requestId(), reason, e);
    }

    /** The error's message: AWS's, else the "message" of a JSON body (an xray server's problem body), else the body. */
    private static String serviceMessage(AwsServiceException e) {
        if (e.awsErrorDetails() != null) {
            if (e.awsErrorDetails().errorMessage() != null) {
                return e.awsErrorDetails().errorMessage();
            }
            if (e.awsErrorDetails().rawResponse() != null) {
                byte[] raw = e.awsErrorDetails().rawResponse().asByteArrayUnsafe();
                try {
                    JsonNode json = JSON.readTree(raw);
                    if (json != null && json.hasNonNull("message")) {
                        return json.get("message").asText();
                    }
                } catch (Exception notJson) {
                    // the raw text below
                }
                String text = new String(raw, StandardCharsets.UTF_8);
                if (!text.isBlank()) {
                    return text.length() > 500 ? text.substring(0, 500) + "..." : text;
                }
            }
        }
        return "HTTP " + e.statusCode();
    }

    /** Does nothing: the runtime client belongs to the caller. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "sagemaker-runtime(" + endpointName + ")";
    }
}
