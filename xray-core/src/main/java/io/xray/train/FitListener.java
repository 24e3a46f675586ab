package io.xray.train;

/**
 * Hears a training run's progress. Methods run on the training thread; keep them quick. Every
 * method has an empty default.
 */
public interface FitListener {

    /**
     * Called after every training batch.
     *
     * @param epoch the 1-based epoch
     * @param batch the 1-based batch within the epoch
     * @param batches the epoch's number of batches
     * @param loss the batch's loss
     */
    default void onBatch(int epoch, int batch, int batches, double loss) {}

    /**
     * Called after every epoch, once its checkpoint is committed.
     *
     * @param result the epoch's results
     * @param logLine the exact line the trainer logged for it
     */
    default void onEpoch(EpochResult result, String logLine) {}
}
