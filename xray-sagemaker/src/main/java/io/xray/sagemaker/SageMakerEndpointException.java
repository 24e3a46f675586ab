package io.xray.sagemaker;

import io.xray.predict.EndpointException;
import java.util.Optional;

/**
 * A SageMaker endpoint call that failed, with what the runtime said: its error code
 * ({@code ModelError}, {@code ModelNotReady}, {@code ThrottlingException}, {@code ValidationError},
 * {@code ServiceUnavailable}, ...), the HTTP status it answered, and for {@code ModelError} the
 * status and message of the model container itself.
 */
public class SageMakerEndpointException extends EndpointException {
    private static final long serialVersionUID = 1L;

    private final String errorCode;
    private final Integer originalStatus;
    private final String requestId;

    /**
     * @param endpoint the endpoint's name
     * @param status the HTTP status SageMaker answered
     * @param errorCode SageMaker's error code, or null when it gave none
     * @param originalStatus the model container's status ({@code ModelError} only), or null
     * @param requestId AWS's request id, or null
     * @param reason what went wrong and what to do
     * @param cause the SDK's exception
     */
    public SageMakerEndpointException(String endpoint, int status, String errorCode, Integer originalStatus,
            String requestId, String reason, Throwable cause) {
        super(endpoint, status, reason);
        initCause(cause);
        this.errorCode = errorCode;
        this.originalStatus = originalStatus;
        this.requestId = requestId;
    }

    /** @return SageMaker's error code, such as {@code ModelError} or {@code ModelNotReady} */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    /** @return for {@code ModelError}: the status the model container answered */
    public Optional<Integer> originalStatus() {
        return Optional.ofNullable(originalStatus);
    }

    /** @return AWS's request id, to quote to AWS support */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }
}
