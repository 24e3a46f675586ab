package io.xray.tune;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One trial as a {@link TrialRunner} sees it: its number, its values, a folder of its own, whether
 * it continues an interrupted attempt, and the channel through which the runner reports each
 * epoch's metrics and learns that the tuner wants it stopped.
 */
public final class Trial {

    /** Receives a trial's epochs; the tuner's side of {@link Trial#reportEpoch}. */
    interface Reporter {
        boolean epoch(Trial trial, int epoch, Map<String, Double> metrics);
    }

    private final int number;
    private final Map<String, String> values;
    private final Path directory;
    private final boolean resumed;
    private final Reporter reporter;
    private volatile boolean stopRequested;

    Trial(int number, Map<String, String> values, Path directory, boolean resumed, Reporter reporter) {
        this.number = number;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.directory = directory;
        this.resumed = resumed;
        this.reporter = reporter;
    }

    /** @return the 1-based trial number */
    public int number() {
        return number;
    }

    /** @return the suggested values, keyed by parameter name */
    public Map<String, String> values() {
        return values;
    }

    /** @return a folder for this trial alone (created), under the run folder */
    public Path directory() {
        return directory;
    }

    /**
     * @return true when an earlier, interrupted attempt of this trial may have left work in
     *     {@link #directory()} (a checkpoint to resume from)
     */
    public boolean resumed() {
        return resumed;
    }

    /**
     * Reports one epoch's metrics. Reporting an epoch again replaces its metrics.
     *
     * @param epoch the 1-based epoch
     * @param metrics metric name to value; the objective's metric among them
     * @return true to go on, false when the tuner stops the trial after this epoch
     */
    public boolean reportEpoch(int epoch, Map<String, Double> metrics) {
        Objects.requireNonNull(metrics, "metrics");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be 1 or more, got " + epoch);
        }
        boolean go = reporter.epoch(this, epoch, metrics);
        if (!go) {
            stopRequested = true;
        }
        return go;
    }

    /** @return whether the tuner asked this trial to stop */
    public boolean stopRequested() {
        return stopRequested;
    }

    void requestStop() {
        stopRequested = true;
    }

    @Override
    public String toString() {
        return "trial " + number + " " + values;
    }
}
