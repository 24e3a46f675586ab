package io.xray;

/**
 * An image that xray refuses: unreadable, truncated, of an unsupported format, or declaring more
 * pixels than the configured limit. The message always names the source (a file path, an upload,
 * a URL) so that a user can find the offending input.
 */
public class InvalidImageException extends XrayException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source where the image came from, such as a file path or {@code "request body"}
     * @param reason why it was refused
     */
    public InvalidImageException(String source, String reason) {
        super(source + ": " + reason);
        this.source = source;
    }

    /**
     * @param source where the image came from, such as a file path or {@code "request body"}
     * @param reason why it was refused
     * @param cause the decoder's own failure
     */
    public InvalidImageException(String source, String reason, Throwable cause) {
        super(source + ": " + reason, cause);
        this.source = source;
    }

    /** @return where the refused image came from */
    public String source() {
        return source;
    }
}
