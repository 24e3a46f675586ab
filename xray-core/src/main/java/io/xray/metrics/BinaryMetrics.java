package io.xray.metrics;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.Objects;

/**
 * The evaluation of pneumonia probabilities against labels: the decision at one threshold
 * (confusion matrix and its ratios) and the threshold-free quality of the ranking (ROC AUC and
 * average precision), with the naive all-pneumonia baseline to compare F1 with.
 *
 * <p>Pneumonia (label 1) is positive; an example is predicted positive when
 * {@code score >= threshold}. Ratios with a zero denominator are 0.0. The AUCs are NaN when
 * undefined (ROC AUC without both classes, average precision without a positive label); in JSON
 * they are then {@code null}, read back as NaN. Record equality treats NaN as equal to NaN.
 *
 * <p>Build it with {@link #compute}; the canonical constructor exists for JSON and checks that the
 * values agree with each other (the ratios with the confusion matrix within 1e-9, the counts with
 * its totals, the AUCs in [0, 1] or NaN) and throws an {@link IllegalArgumentException} naming the
 * first component that does not.
 *
 * @param threshold the decision threshold, finite
 * @param confusion the confusion matrix at {@code threshold}
 * @param accuracy {@code confusion.accuracy()}
 * @param precision {@code confusion.precision()}
 * @param recall {@code confusion.recall()}, the sensitivity
 * @param specificity {@code confusion.specificity()}
 * @param f1 {@code confusion.f1()}
 * @param rocAuc area under the ROC curve, ties counting one half; NaN (JSON null) if a class is
 *     absent
 * @param prAuc average precision (scikit-learn's definition, the area under the step PR curve);
 *     NaN (JSON null) if there is no positive label
 * @param naiveF1 F1 of predicting pneumonia for everyone, {@code 2p / (1 + p)} with p the share of
 *     positives; 0.0 if there is no positive label
 * @param count the number of examples
 * @param positives the number of pneumonia labels
 */
public record BinaryMetrics(
        double threshold,
        ConfusionMatrix confusion,
        double accuracy,
        double precision,
        double recall,
        double specificity,
        double f1,
        @JsonSerialize(using = NanAsNullJson.Serializer.class)
        @JsonDeserialize(using = NanAsNullJson.Deserializer.class)
        double rocAuc,
        @JsonSerialize(using = NanAsNullJson.Serializer.class)
        @JsonDeserialize(using = NanAsNullJson.Deserializer.class)
        double prAuc,
        double naiveF1,
        long count,
        long positives) {

    private static final double TOLERANCE = 1e-9;

    /**
     * Refuses inconsistent values, naming the first bad component (see the record's documentation).
     *
     * @param threshold see {@link #threshold()}
     * @param confusion see {@link #confusion()}
     * @param accuracy see {@link #accuracy()}
     * @param precision see {@link #precision()}
     * @param recall see {@link #recall()}
     * @param specificity see {@link #specificity()}
     * @param f1 see {@link #f1()}
     * @param rocAuc see {@link #rocAuc()}
     * @param prAuc see {@link #prAuc()}
     * @param naiveF1 see {@link #naiveF1()}
     * @param count see {@link #count()}
     * @param positives see {@link #positives()}
     */
    public BinaryMetrics {
        Inputs.validateThreshold(threshold);
        Objects.requireNonNull(confusion, "confusion must not be null");
        requireAgrees("accuracy", accuracy, confusion.accuracy());
        requireAgrees("precision", precision, confusion.precision());
        requireAgrees("recall", recall, confusion.recall());
        requireAgrees("specificity", specificity, confusion.specificity());
        requireAgrees("f1", f1, confusion.f1());
        requireAgrees("naiveF1", naiveF1, allPositive(confusion).f1());
        requireAucRange("rocAuc", rocAuc);
        requireAucRange("prAuc", prAuc);
        if (count != confusion.total()) {
            throw new IllegalArgumentException("count is " + count
                    + " but the confusion matrix holds " + confusion.total() + " examples");
        }
        if (positives != confusion.positives()) {
            throw new IllegalArgumentException("positives is " + positives
                    + " but the confusion matrix holds " + confusion.positives() + " positives");
        }
    }

    /**
     * Evaluates probabilities of pneumonia against labels at a threshold. Sorts the scores once:
     * O(n log n).
     *
     * @param scores probabilities of pneumonia, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as scores
     * @param threshold finite; a score {@code >= threshold} is predicted pneumonia
     * @return the metrics
     * @throws IllegalArgumentException on invalid input, naming the argument and the first bad
     *     index (see the package documentation)
     */
    public static BinaryMetrics compute(double[] scores, int[] labels, double threshold) {
        ConfusionMatrix cm = ConfusionMatrix.of(scores, labels, threshold); // validates
        ThresholdSweep sweep = ThresholdSweep.of(scores, labels);
        return new BinaryMetrics(threshold, cm, cm.accuracy(), cm.precision(), cm.recall(),
                cm.specificity(), cm.f1(), sweep.rocAuc(), sweep.averagePrecision(),
                allPositive(cm).f1(), cm.total(), cm.positives());
    }

    /** The confusion matrix of predicting pneumonia for every example of {@code cm}. */
    private static ConfusionMatrix allPositive(ConfusionMatrix cm) {
        return new ConfusionMatrix(cm.positives(), cm.negatives(), 0, 0);
    }

    private static void requireAgrees(String name, double value, double expected) {
        if (!(Math.abs(value - expected) <= TOLERANCE)) {
            throw new IllegalArgumentException(name + " is " + value
                    + " but the confusion matrix gives " + expected);
        }
    }

    private static void requireAucRange(String name, double value) {
        if (!Double.isNaN(value) && !(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " is " + value
                    + "; it must lie in [0, 1], or be NaN when undefined");
        }
    }
}
