package io.xray.model;

import io.xray.data.Split;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ReliabilityTable;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a model did on one split of a data set, at its own threshold: what
 * {@link Classifier#evaluate(io.xray.data.Dataset, Split)} returns.
 *
 * <p>When the model's threshold was chosen on a calibration split set aside from the test images
 * ({@link ModelArtifact#thresholdCalibration()}), those images are not part of these figures:
 * {@link #leftOut()} says how many were set aside.
 *
 * <p>The metrics are on the model's calibrated probabilities; {@link #uncalibrated()} and
 * {@link #calibrated()} say how well calibrated the probabilities are before and after the model's
 * temperature scaling. Scaling keeps the order of the images, so it changes neither the decisions at
 * the model's threshold nor the AUCs.
 *
 * @param split the split evaluated
 * @param metrics the metrics at the model's threshold, on the images that were not left out
 * @param leftOut how many images of the split were left out because they chose the model's
 *     threshold; 0 when the threshold was chosen on validation
 * @param thresholdRule how the model's threshold was chosen, such as {@code max-f1}; may be null
 *     for a model that does not say
 * @param dataFingerprint {@link io.xray.data.Dataset#manifestSha256()} of the data evaluated on,
 *     with the calibration images back in their split, as when the model was trained
 * @param trainingDataFingerprint the fingerprint of the data the model was trained on, from its
 *     {@link Provenance}; null when the model does not record it
 * @param temperature the model's temperature ({@link Classifier#temperature()}), 1.0 when it has none
 * @param offset the model's offset ({@link Classifier#offset()}), 0 when it has none
 * @param uncalibrated the reliability table of {@code sigmoid(logit)}, before calibration
 * @param calibrated the reliability table of the model's probabilities,
 *     {@code sigmoid(logit / temperature + offset)}
 */
public record Evaluation(
        Split split,
        BinaryMetrics metrics,
        int leftOut,
        String thresholdRule,
        String dataFingerprint,
        String trainingDataFingerprint,
        double temperature,
        double offset,
        ReliabilityTable uncalibrated,
        ReliabilityTable calibrated) {

    /** Checks that the split, metrics and tables are present and the count of left-out images is not negative. */
    public Evaluation {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(uncalibrated, "uncalibrated");
        Objects.requireNonNull(calibrated, "calibrated");
        if (leftOut < 0) {
            throw new IllegalArgumentException("leftOut must not be negative, was " + leftOut);
        }
    }

    /** @return the number of images evaluated (those left out not counted) */
    public long images() {
        return metrics.count();
    }

    /** @return the decision threshold the metrics were measured at: the model's */
    public double threshold() {
        return metrics.threshold();
    }

    /** @return F1 at the model's threshold */
    public double f1() {
        return metrics.f1();
    }

    /** @return accuracy at the model's threshold */
    public double accuracy() {
        return metrics.accuracy();
    }

    /** @return sensitivity (recall of PNEUMONIA) at the model's threshold */
    public double recall() {
        return metrics.recall();
    }

    /** @return specificity at the model's threshold */
    public double specificity() {
        return metrics.specificity();
    }

    /**
     * @return the expected calibration error ({@value ReliabilityTable#DEFAULT_BINS} bins) before
     *     temperature scaling
     */
    public double eceBefore() {
        return uncalibrated.expectedCalibrationError();
    }

    /**
     * @return the expected calibration error ({@value ReliabilityTable#DEFAULT_BINS} bins) of the
     *     model's probabilities, after temperature scaling
     */
    public double eceAfter() {
        return calibrated.expectedCalibrationError();
    }

    /** @return area under the ROC curve; NaN when a class is absent */
    public double rocAuc() {
        return metrics.rocAuc();
    }

    /** @return average precision; NaN when there is no PNEUMONIA image */
    public double prAuc() {
        return metrics.prAuc();
    }

    /**
     * Validation and training figures mean something only on the split the model was trained with:
     * on another carving of the same images, some of them were trained on. This says so when the
     * split is {@code train} or {@code val} and the data's fingerprint differs from the one the
     * model records.
     *
     * @return a sentence describing the mismatch, or empty when there is none (or it cannot be told)
     */
    public Optional<String> trainingSplitMismatch() {
        if ((split != Split.VAL && split != Split.TRAIN) || trainingDataFingerprint == null
                || trainingDataFingerprint.equals(dataFingerprint)) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "these %s images are not the split the model was trained with"
                + " (data fingerprint %s, the model's %s); carve the split as training did (same data, fraction"
                + " and seed)", split.directoryName(), dataFingerprint, trainingDataFingerprint));
    }
}
