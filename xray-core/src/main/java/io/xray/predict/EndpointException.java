package io.xray.predict;

import io.xray.XrayException;

/**
 * An endpoint call that failed: unreachable, or answered with a non-2xx status (kept in
 * {@link #status()}, with the server's message), or with a body the deserializer cannot read.
 */
public class EndpointException extends XrayException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final int status;

    /**
     * @param endpoint which endpoint was called
     * @param reason what went wrong
     * @param cause the underlying failure
     */
    public EndpointException(String endpoint, String reason, Throwable cause) {
        super(endpoint + ": " + reason, cause);
        this.endpoint = endpoint;
        this.status = -1;
    }

    /**
     * @param endpoint which endpoint was called
     * @param status the HTTP status it answered
     * @param reason the message of its error body, or the body itself
     */
    public EndpointException(String endpoint, int status, String reason) {
        super(endpoint + ": HTTP " + status + ": " + reason);
        this.endpoint = endpoint;
        this.status = status;
    }

    /** @return the endpoint that was called */
    public String endpoint() {
        return endpoint;
    }

    /** @return the HTTP status, or -1 when the endpoint was not reached or the failure was client-side */
    public int status() {
        return status;
    }
}
