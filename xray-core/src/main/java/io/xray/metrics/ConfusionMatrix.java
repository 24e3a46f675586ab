package io.xray.metrics;

/**
 * The four counts of a binary decision, pneumonia (label 1) being the positive class, and the
 * ratios derived from them.
 *
 * <p>Every ratio whose denominator is zero is {@code 0.0}, never NaN (see the package
 * documentation). Only the four counts are serialized to JSON; the ratios are recomputed.
 * A negative count is refused with an {@link IllegalArgumentException} naming it.
 *
 * @param truePositives pneumonia predicted as pneumonia
 * @param falsePositives normal predicted as pneumonia
 * @param trueNegatives normal predicted as normal
 * @param falseNegatives pneumonia predicted as normal (missed pneumonia)
 */
public record ConfusionMatrix(long truePositives, long falsePositives, long trueNegatives,
        long falseNegatives) {

    /**
     * Refuses a negative count, naming it (see the record's documentation).
     *
     * @param truePositives see {@link #truePositives()}
     * @param falsePositives see {@link #falsePositives()}
     * @param trueNegatives see {@link #trueNegatives()}
     * @param falseNegatives see {@link #falseNegatives()}
     */
    public ConfusionMatrix {
        requireNonNegative("truePositives", truePositives);
        requireNonNegative("falsePositives", falsePositives);
        requireNonNegative("trueNegatives", trueNegatives);
        requireNonNegative("falseNegatives", falseNegatives);
    }

    /**
     * Counts the decisions {@code score >= threshold} (predicted pneumonia) against the labels.
     *
     * @param scores probabilities of pneumonia, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as scores
     * @param threshold finite; a score equal to it is predicted positive
     * @return the confusion matrix of that decision
     * @throws IllegalArgumentException on invalid input (see the package documentation)
     */
    public static ConfusionMatrix of(double[] scores, int[] labels, double threshold) {
        Inputs.validate(scores, labels);
        Inputs.validateThreshold(threshold);
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean predictedPositive = scores[i] >= threshold;
            if (labels[i] == 1) {
                if (predictedPositive) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (predictedPositive) {
                fp++;
            } else {
                tn++;
            }
        }
        return new ConfusionMatrix(tp, fp, tn, fn);
    }

    /** @return the number of examples, {@code tp + fp + tn + fn} */
    public long total() {
        return truePositives + falsePositives + trueNegatives + falseNegatives;
    }

    /** @return the number of pneumonia labels, {@code tp + fn} */
    public long positives() {
        return truePositives + falseNegatives;
    }

    /** @return the number of normal labels, {@code tn + fp} */
    public long negatives() {
        return trueNegatives + falsePositives;
    }

    /** @return {@code (tp + tn) / total}, or 0.0 when there are no examples */
    public double accuracy() {
        return Inputs.ratio(truePositives + trueNegatives, total());
    }

    /** @return {@code tp / (tp + fp)}, or 0.0 when nothing is predicted positive */
    public double precision() {
        return Inputs.ratio(truePositives, truePositives + falsePositives);
    }

    /**
     * Recall, also called sensitivity or true positive rate: the share of pneumonia found.
     *
     * @return {@code tp / (tp + fn)}, or 0.0 when there are no pneumonia labels
     */
    public double recall() {
        return Inputs.ratio(truePositives, positives());
    }

    /**
     * Specificity, or true negative rate: the share of normal cases cleared.
     *
     * @return {@code tn / (tn + fp)}, or 0.0 when there are no normal labels
     */
    public double specificity() {
        return Inputs.ratio(trueNegatives, negatives());
    }

    /**
     * The harmonic mean of precision and recall, computed from the counts so that it is exact and
     * defined when precision or recall is zero.
     *
     * @return {@code 2tp / (2tp + fp + fn)}, or 0.0 when {@code tp + fp + fn == 0}
     */
    public double f1() {
        return Inputs.ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " is " + value + "; counts must be >= 0");
        }
    }
}
