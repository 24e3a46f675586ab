package io.xray.predict;

import io.xray.serve.InferenceModel;
import io.xray.serve.Invocations;
import java.net.URI;
import java.time.Duration;

/**
 * How an {@link EndpointPredictor} reaches a model: one POST to an {@code /invocations}-style
 * endpoint. Two transports are built in, {@link #inProcess} and {@link #http}; the SageMaker
 * runtime transport lives in {@code xray-sagemaker}.
 */
public interface EndpointTransport extends AutoCloseable {

    /**
     * The endpoint's answer.
     *
     * @param status the HTTP status (200 on success)
     * @param contentType the media type of the body
     * @param body the response bytes
     */
    record Response(int status, String contentType, byte[] body) {
    }

    /**
     * Sends one request.
     *
     * @param body the serialized request
     * @param contentType its media type
     * @param accept the media type wanted back
     * @return the answer, whatever its status
     * @throws EndpointException when the endpoint cannot be reached at all
     */
    Response invoke(byte[] body, String contentType, String accept);

    /** Releases the transport's resources; never closes a model passed in. */
    @Override
    void close();

    /**
     * @param model the model to call in this JVM, through the same decoding and encoding as the
     *     server ({@link Invocations}); not closed by the transport
     * @return an in-process transport
     */
    static EndpointTransport inProcess(InferenceModel model) {
        Invocations invocations = Invocations.of(model);
        return new EndpointTransport() {
            @Override
            public Response invoke(byte[] body, String contentType, String accept) {
                Invocations.Response response = invocations.invoke(body, contentType, accept);
                return new Response(response.status(), response.contentType(), response.body());
            }

            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return "in-process(" + model.modelId() + ")";
            }
        };
    }

    /**
     * @param invocationsUrl the full URL of any {@code /invocations} endpoint
     * @param timeout the time limit for each call
     * @return an HTTP transport over {@link java.net.http.HttpClient}
     */
    static EndpointTransport http(URI invocationsUrl, Duration timeout) {
        return new HttpTransport(invocationsUrl, timeout);
    }
}
