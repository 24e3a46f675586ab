/**
 * Images: safe decoding with limits ({@link io.xray.image.ImageDecoder}), conversion to 8-bit
 * luminance ({@link io.xray.image.Grayscale}, {@link io.xray.image.GrayImage}), the one
 * {@link io.xray.image.Preprocessing} that training, serving and batch scoring share, the
 * training-only {@link io.xray.image.TrainingAugmentation} that wraps it, and a perceptual
 * {@link io.xray.image.DifferenceHash} for near-duplicate detection.
 *
 * <p>The flow is always: bytes → {@code ImageDecoder.decode} → {@code Grayscale.of} →
 * {@code Preprocessing.resize} → {@code centreCrop} (or, in training, {@code TrainingAugmentation.augment})
 * → {@code Preprocessing.normalize} → CHW float tensor.
 */
package io.xray.image;
