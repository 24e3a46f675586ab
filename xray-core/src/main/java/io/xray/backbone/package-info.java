/**
 * The feature extractor in front of the one-logit head, as one concept: which kind
 * ({@link io.xray.backbone.BackboneKind}), how to choose one for training
 * ({@link io.xray.backbone.Backbone}: from scratch at any stage widths, a local TorchScript file, or
 * DJL's ImageNet model zoo), and how a trained network is described in {@code model.json}
 * ({@link io.xray.backbone.Architecture}).
 */
package io.xray.backbone;
