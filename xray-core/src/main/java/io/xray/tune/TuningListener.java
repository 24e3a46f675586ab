package io.xray.tune;

import java.util.Map;

/** Hears a tuning run's progress; methods may be called from several threads. Every method has an empty default. */
public interface TuningListener {

    /**
     * Called once when a run resumes, before any trial starts.
     *
     * @param finished the trials the run folder already holds as finished, in number order
     */
    default void onResumed(java.util.List<TrialRecord> finished) {}

    /**
     * @param number the trial's number
     * @param values its values
     * @param resumed whether it continues an interrupted attempt
     */
    default void onTrialStarted(int number, Map<String, String> values, boolean resumed) {}

    /**
     * @param number the trial's number
     * @param epoch the 1-based epoch
     * @param objectiveMetric the objective's metric at that epoch (NaN when not reported)
     * @param stopping whether the tuner stops the trial after this epoch
     */
    default void onEpoch(int number, int epoch, double objectiveMetric, boolean stopping) {}

    /**
     * @param trial the finished trial
     * @param finished how many trials are finished now
     * @param total the run's trial count
     */
    default void onTrialFinished(TrialRecord trial, int finished, int total) {}
}
