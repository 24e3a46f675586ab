package io.xray.tune;

/** Where a trial stands. */
public enum TrialStatus {
    /** Started and not finished; in a run folder, a trial that a killed run left behind. */
    RUNNING,
    /** Ran every epoch. */
    COMPLETED,
    /** Stopped early by the tuner's {@link EarlyStopping}; scored on the epochs it ran. */
    STOPPED,
    /** The runner failed (an exception, a non-zero exit, a timeout, no metric); not scored. */
    FAILED
}
