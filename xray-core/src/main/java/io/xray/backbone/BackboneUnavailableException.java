package io.xray.backbone;

import io.xray.XrayException;

/**
 * A backbone whose network could not be obtained: DJL's ImageNet ResNet18
 * ({@link Backbone#imagenetResNet18()}) when the model zoo cannot be reached (no network access, or
 * the system property {@code ai.djl.offline} true) and the model is not yet in DJL's cache. The
 * message says what to use instead, in terms of this library ({@link Backbone#torchScript}); a caller
 * with its own way of choosing a backbone, such as the command line's {@code --backbone}, can catch
 * this type and word its own advice from {@link #backbone()} and {@link #reason()}.
 */
public class BackboneUnavailableException extends XrayException {
    private static final long serialVersionUID = 1L;

    private final transient Backbone backbone;
    private final String reason;

    /**
     * @param backbone the backbone that could not be obtained
     * @param reason the underlying failure in a few words, such as the host that could not be reached
     * @param message what went wrong and what to do instead
     * @param cause the underlying failure
     */
    public BackboneUnavailableException(Backbone backbone, String reason, String message, Throwable cause) {
        super(message, cause);
        this.backbone = backbone;
        this.reason = reason;
    }

    /** @return the backbone that could not be obtained */
    public Backbone backbone() {
        return backbone;
    }

    /** @return the underlying failure in a few words, such as the host that could not be reached */
    public String reason() {
        return reason;
    }
}
