package io.xray.tune;

/**
 * Runs one trial with the suggested values: trains in-process ({@link LocalTrialRunner}), runs a
 * command ({@link CommandTrialRunner}), or starts a training job elsewhere. A runner reports every
 * epoch's metrics through {@link Trial#reportEpoch} as they come, and stops after an epoch for
 * which that method answered false. It signals failure by throwing; the tuner records the trial
 * as {@link TrialStatus#FAILED} with the exception's message and goes on. Runners may be called
 * from several threads at once, one trial per call.
 */
public interface TrialRunner {

    /**
     * Runs a trial to its end, or until the tuner stops it.
     *
     * @param trial the trial
     * @return the outcome (the model, when the runner keeps one)
     * @throws RuntimeException when the trial fails; the message says why
     */
    TrialOutcome run(Trial trial);

    /**
     * Checks at the tuner's {@code build()} that this runner can run the space and report the
     * objective's metric; the default accepts everything.
     *
     * @param space the search space
     * @param objective the objective
     * @throws io.xray.InvalidConfigurationException naming what this runner cannot do
     */
    default void validate(SearchSpace space, Objective objective) {}

    /**
     * @return how many trials to run at once on this machine when the tuner is not told; default 1
     */
    default int defaultParallelTrials() {
        return 1;
    }

    /**
     * @return true when a trial interrupted by a killed run continues where it was (from a
     *     checkpoint), keeping the epochs it reported; false when it starts again from epoch 1,
     *     which is the default
     */
    default boolean continuesInterruptedTrials() {
        return false;
    }
}
