package io.xray.train;

import io.xray.metrics.BinaryMetrics;

/**
 * What one epoch did: its training loss, every validation figure, its timings, and where early
 * stopping stood after it.
 *
 * @param epoch the 1-based epoch number
 * @param trainLoss mean training loss over the epoch's batches
 * @param validationLoss the loss on the validation split (same formula and class weight)
 * @param validation the validation metrics at threshold 0.5
 * @param learningRate the learning rate of the epoch's last step
 * @param seconds wall time of the epoch, training and validation
 * @param imagesPerSecond training images per second of training wall time
 * @param dataSeconds seconds the training loop waited for batches (decoding, augmentation)
 * @param computeSeconds seconds of forward, backward and update
 * @param validationSeconds seconds of the validation pass
 * @param patience epochs since the monitored metric last improved (0 when this epoch is the best)
 * @param bestEpoch the best epoch so far by the monitored metric
 * @param bestMonitored the monitored metric's value at the best epoch
 * @param bestValidationF1 validation F1 at the best epoch
 */
public record EpochResult(
        int epoch,
        double trainLoss,
        double validationLoss,
        BinaryMetrics validation,
        double learningRate,
        double seconds,
        double imagesPerSecond,
        double dataSeconds,
        double computeSeconds,
        double validationSeconds,
        int patience,
        int bestEpoch,
        double bestMonitored,
        double bestValidationF1) {}
