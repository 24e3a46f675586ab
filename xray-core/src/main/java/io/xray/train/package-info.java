/**
 * Training: {@link io.xray.train.ResNetFineTuner} puts a fresh one-logit head on a ResNet18
 * backbone ({@link io.xray.backbone.Backbone}: from scratch, a local TorchScript file, or DJL's
 * ImageNet model zoo) and trains it with binary cross-entropy from the logit, keeping the best
 * epoch by a validation metric.
 *
 * <p>Data path: every image is decoded once into an in-memory cache of 8-bit grayscale pixels at
 * the preprocessing's resize; each epoch augments the cached pixels, and the next batch is
 * assembled on a background thread while the current one trains. Every batch's native arrays live
 * in a manager closed after the step. Each epoch logs data-wait and compute seconds.
 *
 * <p>Resumability: after every epoch the weights, the optimiser state (optimisers of this package
 * keep their state where it can be saved), the schedule position, the best epoch and the history
 * are written atomically, {@code checkpoint.json} last, and every random draw is derived from
 * (seed, epoch, batch), so a resumed run ends exactly as an uninterrupted one.
 */
package io.xray.train;
