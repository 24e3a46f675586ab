package io.xray.explain;

/** How an explanation's heat map was computed. */
public enum ExplanationMethod {
    /**
     * Grad-CAM (Selvaraju et al., 2017) on the last convolutional stage, {@code layer4}: the
     * stage's activation maps weighted by the spatial mean of the pneumonia logit's gradient with
     * respect to each, summed, and passed through a ReLU. Coarse (the stage's grid, 1/32 of the
     * crop) but class-discriminative. Used for from-scratch ResNet18 networks.
     */
    GRAD_CAM("grad-cam", "layer4", "Grad-CAM"),
    /**
     * Gradient x input: the pneumonia logit's gradient with respect to the input image times the
     * image, summed over channels, ReLU. Pixel-sharp but noisier than Grad-CAM. Used for
     * TorchScript and model-zoo backbones, which run as one native module whose stages cannot be
     * reached from Java, so Grad-CAM's activation is not available.
     */
    GRADIENT_X_INPUT("gradient-x-input", "input", "gradient x input");

    private final String id;
    private final String layer;
    private final String displayName;

    ExplanationMethod(String id, String layer, String displayName) {
        this.id = id;
        this.layer = layer;
        this.displayName = displayName;
    }

    /** @return the method's identifier in JSON, such as {@code grad-cam} */
    public String id() {
        return id;
    }

    /** @return the layer whose activations or values are attributed: {@code layer4} or {@code input} */
    public String layer() {
        return layer;
    }

    /** @return a short human name, such as {@code Grad-CAM} */
    public String displayName() {
        return displayName;
    }
}
