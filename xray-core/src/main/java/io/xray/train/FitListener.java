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

    /**
     * Asked after every epoch's validation, before its checkpoint is committed: whether this epoch
     * is to be the run's last (a tuner's early stopping, for example). A stop is recorded in the
     * checkpoint as the trainer's own early stopping is, so a resumed run stops there too, and the
     * {@link FitResult} says {@code stoppedEarly} when epochs were left.
     *
     * @param result the epoch's results
     * @return true to stop after this epoch; the default never stops
     */
    default boolean stopAfter(EpochResult result) {
        return false;
    }
}
