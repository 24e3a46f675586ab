/**
 * The trained model: a directory with weight files and one {@code model.json}
 * ({@link io.xray.model.ModelArtifact}: architecture, the one {@code Preprocessing}, the decision
 * threshold and its rule, class names, validation metrics, {@link io.xray.model.Provenance}), and
 * {@link io.xray.model.Classifier}, which loads it and predicts {@link io.xray.model.Prediction}s
 * from files, bytes or images, and explains them ({@link io.xray.model.Explanation}: Grad-CAM heat
 * maps).
 */
package io.xray.model;
