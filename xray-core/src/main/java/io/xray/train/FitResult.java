package io.xray.train;

import io.xray.debug.DebugReport;
import io.xray.debug.ProfilerReport;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ThresholdChoice;
import io.xray.model.ProbabilityCalibration;
import io.xray.model.ThresholdCalibration;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ResNetFineTuner#fit} produced.
 *
 * @param history every epoch's results, including epochs run before a resume
 * @param bestEpoch the epoch whose weights the model holds
 * @param artifactDirectory the model directory, loadable with {@code Classifier.load}
 * @param threshold the decision threshold chosen with the configured rule, on validation or on the
 *     calibration split when the data has one, on calibrated probabilities
 * @param validationMetrics the model's validation metrics at that threshold
 * @param stoppedEarly true when early stopping ended the run before the configured epochs
 * @param seconds wall time of this call (a resumed run counts only its own part)
 * @param thresholdCalibration the calibration images that chose the threshold, or {@code null} when
 *     validation chose it
 * @param debugger the debugger rules' verdicts ({@link DebugReport#NONE} when the debugger was off); a
 *     resumed run's report covers the whole run, its rules having carried on from the checkpoint's
 *     state (from its own part only when the checkpoint holds none)
 * @param profiler what the profiler saw during this call ({@link ProfilerReport#NONE} when it was off)
 * @param probabilityCalibration the temperature fitted on the images that chose the threshold, with
 *     the expected calibration errors before and after; {@code null} only in results built by hand
 */
public record FitResult(
        List<EpochResult> history,
        int bestEpoch,
        Path artifactDirectory,
        ThresholdChoice threshold,
        BinaryMetrics validationMetrics,
        boolean stoppedEarly,
        double seconds,
        ThresholdCalibration thresholdCalibration,
        DebugReport debugger,
        ProfilerReport profiler,
        ProbabilityCalibration probabilityCalibration) {

    /** Copies the history. */
    public FitResult {
        history = List.copyOf(history);
        debugger = debugger == null ? DebugReport.NONE : debugger;
        profiler = profiler == null ? ProfilerReport.NONE : profiler;
    }

    /**
     * A result without a debugger or profiler report.
     *
     * @param history every epoch's results
     * @param bestEpoch the epoch whose weights the model holds
     * @param artifactDirectory the model directory
     * @param threshold the decision threshold chosen
     * @param validationMetrics the model's validation metrics at that threshold
     * @param stoppedEarly true when the run ended before the configured epochs
     * @param seconds wall time of this call
     * @param thresholdCalibration the calibration images that chose the threshold, or {@code null}
     */
    public FitResult(List<EpochResult> history, int bestEpoch, Path artifactDirectory, ThresholdChoice threshold,
            BinaryMetrics validationMetrics, boolean stoppedEarly, double seconds,
            ThresholdCalibration thresholdCalibration) {
        this(history, bestEpoch, artifactDirectory, threshold, validationMetrics, stoppedEarly, seconds,
                thresholdCalibration, DebugReport.NONE, ProfilerReport.NONE, null);
    }

    /** @return the best epoch's results */
    public EpochResult best() {
        return history.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElseThrow();
    }
}
