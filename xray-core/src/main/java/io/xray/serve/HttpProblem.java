package io.xray.serve;

import io.xray.XrayException;

/**
 * A request the server answers with a 4xx or 5xx status and a JSON body naming the problem.
 * Thrown inside request handling only; the server turns it into a response.
 */
final class HttpProblem extends XrayException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final boolean closeConnection;
    private final Integer retryAfterSeconds;

    HttpProblem(int status, String message) {
        this(status, message, false, null);
    }

    HttpProblem(int status, String message, boolean closeConnection, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.closeConnection = closeConnection;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static HttpProblem badRequest(String message) {
        return new HttpProblem(400, message);
    }

    static HttpProblem tooLarge(String message) {
        return new HttpProblem(413, message, true, null);
    }

    static HttpProblem unavailable(String message, int retryAfterSeconds) {
        return new HttpProblem(503, message, false, retryAfterSeconds);
    }

    int status() {
        return status;
    }

    boolean closeConnection() {
        return closeConnection;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
