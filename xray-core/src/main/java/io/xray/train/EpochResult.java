package io.xray.train;

import io.xray.metrics.BinaryMetrics;

/**
 * What one epoch did: its losses, every validation figure, its timings, and where early stopping
 * stood after it.
 *
 * @param epoch the 1-based epoch number
 * @param trainLoss mean training loss over the epoch's batches
 * @param validationLoss the loss on the validation split (same formula and class weight)
 * @param validation the validation metrics at threshold 0.5
 * @param learningRate the learning rate of the epoch's last step
 * @param timings where the epoch's time went
 * @param bestSoFar the best epoch by the monitored metric after this one, and the patience count
 */
public record EpochResult(
        int epoch,
        double trainLoss,
        double validationLoss,
        BinaryMetrics validation,
        double learningRate,
        Timings timings,
        BestSoFar bestSoFar) {

    /**
     * Where an epoch's time went.
     *
     * @param seconds wall time of the epoch, training and validation
     * @param imagesPerSecond training images per second of training wall time
     * @param dataSeconds seconds the training loop waited for batches (decoding, augmentation)
     * @param computeSeconds seconds of forward, backward and update
     * @param validationSeconds seconds of the validation pass
     */
    public record Timings(
            double seconds, double imagesPerSecond, double dataSeconds, double computeSeconds, double validationSeconds) {}

    /**
     * The best epoch so far by the monitored metric, and how long ago it was.
     *
     * @param epoch the best epoch so far (0 before the first)
     * @param monitored the monitored metric's value at that epoch (NaN before the first)
     * @param validationF1 validation F1 at that epoch
     * @param patience epochs since the monitored metric last improved (0 when the latest epoch is the best)
     */
    public record BestSoFar(int epoch, double monitored, double validationF1, int patience) {

        /** Before the first epoch: no best, no patience used. */
        static final BestSoFar NONE = new BestSoFar(0, Double.NaN, Double.NaN, 0);

        /**
         * @param metric the monitored metric
         * @param epoch the epoch just validated
         * @param value its value of the metric
         * @param f1 its validation F1
         * @return the best after that epoch
         */
        BestSoFar after(ValidationMetric metric, int epoch, double value, double f1) {
            return metric.isBetter(value, monitored)
                    ? new BestSoFar(epoch, value, f1, 0)
                    : new BestSoFar(this.epoch, monitored, validationF1, patience + 1);
        }

        /** @return whether the latest epoch is the best */
        boolean improvedLast() {
            return patience == 0 && epoch > 0;
        }
    }
}
