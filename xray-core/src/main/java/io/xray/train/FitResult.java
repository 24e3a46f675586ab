package io.xray.train;

import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ThresholdChoice;
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
 *     calibration split when the data has one
 * @param validationMetrics the model's validation metrics at that threshold
 * @param stoppedEarly true when early stopping ended the run before the configured epochs
 * @param seconds wall time of this call (a resumed run counts only its own part)
 * @param thresholdCalibration the calibration images that chose the threshold, or {@code null} when
 *     validation chose it
 */
public record FitResult(
        List<EpochResult> history,
        int bestEpoch,
        Path artifactDirectory,
        ThresholdChoice threshold,
        BinaryMetrics validationMetrics,
        boolean stoppedEarly,
        double seconds,
        ThresholdCalibration thresholdCalibration) {

    /** Copies the history. */
    public FitResult {
        history = List.copyOf(history);
    }

    /** @return the best epoch's results */
    public EpochResult best() {
        return history.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElseThrow();
    }
}
