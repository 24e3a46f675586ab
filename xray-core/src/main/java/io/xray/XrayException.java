package io.xray;

/**
 * The root of every exception xray throws on purpose. It is unchecked: callers catch it where they
 * can do something useful (a server answers 4xx, the command line prints one line and exits non-zero).
 */
public class XrayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and, where it helps, what to do next
     */
    public XrayException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and, where it helps, what to do next
     * @param cause the underlying failure
     */
    public XrayException(String message, Throwable cause) {
        super(message, cause);
    }
}
