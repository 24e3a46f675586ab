package io.xray.metrics;

/** Validation of the (scores, labels) pairs that every entry point of this package accepts. */
final class Inputs {
    private Inputs() {}

    /**
     * Refuses arrays that cannot be scored: null, empty, of different lengths, a label other than
     * 0 or 1, or a score that is NaN or infinite.
     *
     * @throws IllegalArgumentException naming the argument and the first offending index
     */
    static void validate(double[] scores, int[] labels) {
        if (scores == null) {
            throw new IllegalArgumentException("scores must not be null");
        }
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels must have the same length, got "
                    + scores.length + " scores and " + labels.length + " labels");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("scores and labels must not be empty");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("labels[" + i + "] is " + labels[i]
                        + "; labels must be 0 (NORMAL) or 1 (PNEUMONIA)");
            }
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("scores[" + i + "] is " + scores[i]
                        + "; scores must be finite probabilities of pneumonia");
            }
        }
    }

    /** @throws IllegalArgumentException if the threshold is NaN or infinite */
    static void validateThreshold(double threshold) {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold is " + threshold + "; it must be finite");
        }
    }

    /** Divides, answering 0.0 instead of NaN when the denominator is zero. */
    static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }
}
