package io.xray.backbone;

/** Where the feature extractor in front of the one-logit head comes from. */
public enum BackboneKind {
    /** torchvision's ResNet18 layout built from DJL blocks and initialised at random. */
    RESNET18_SCRATCH,
    /** A TorchScript feature extractor (for example an exported ResNet18 with {@code fc = Identity}). */
    TORCHSCRIPT,
    /** The ImageNet ResNet18 embedding of DJL's PyTorch model zoo (needs network access once). */
    RESNET18_IMAGENET_ZOO,
    /**
     * The backbone of an earlier xray model (a model directory), with its trained weights and a
     * fresh head. Only a {@link Backbone} names it: the model trained from it records the earlier
     * model's own kind, so that it loads as that one does.
     */
    XRAY_MODEL
}
