package io.xray.metrics;

import java.util.Arrays;

/**
 * The precision–recall curve: recall and precision as the threshold falls, one point per distinct
 * score. Point {@code i} is the decision {@code score >= thresholds[i]}; thresholds strictly
 * decrease and recall never decreases. No artificial (recall 0, precision 1) point is added: every
 * point is a real threshold, at which at least one example is predicted positive. Drawn as a step
 * function, its area is the average precision of {@link BinaryMetrics#prAuc()}. Made by
 * {@link Curves#precisionRecall}.
 *
 * <p>The arrays are copied in and out; equality compares their contents. Null arrays or arrays of
 * different lengths are refused.
 *
 * @param recalls {@code tp / P} at each threshold
 * @param precisions {@code tp / (tp + fp)} at each threshold
 * @param thresholds the thresholds, strictly decreasing
 */
public record PrecisionRecallCurve(double[] recalls, double[] precisions, double[] thresholds) {

    /**
     * Copies the arrays; refuses null arrays and arrays of different lengths.
     *
     * @param recalls see {@link #recalls()}
     * @param precisions see {@link #precisions()}
     * @param thresholds see {@link #thresholds()}
     */
    public PrecisionRecallCurve {
        recalls = CurveArrays.copy("recalls", recalls);
        precisions = CurveArrays.copy("precisions", precisions);
        thresholds = CurveArrays.copy("thresholds", thresholds);
        CurveArrays.requireSameLength(new String[] {"recalls", "precisions", "thresholds"},
                recalls, precisions, thresholds);
    }

    /** @return a copy of the recalls */
    @Override
    public double[] recalls() {
        return recalls.clone();
    }

    /** @return a copy of the precisions */
    @Override
    public double[] precisions() {
        return precisions.clone();
    }

    /** @return a copy of the thresholds */
    @Override
    public double[] thresholds() {
        return thresholds.clone();
    }

    /** @return the number of points */
    public int size() {
        return thresholds.length;
    }

    /** @return true if the other object is a {@code PrecisionRecallCurve} with equal array contents */
    @Override
    public boolean equals(Object other) {
        return other instanceof PrecisionRecallCurve that
                && Arrays.equals(recalls, that.recalls)
                && Arrays.equals(precisions, that.precisions)
                && Arrays.equals(thresholds, that.thresholds);
    }

    /** @return a hash of the array contents */
    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(recalls) + Arrays.hashCode(precisions)) + Arrays.hashCode(thresholds);
    }

    /** @return the three arrays, written out */
    @Override
    public String toString() {
        return "PrecisionRecallCurve[recalls=" + Arrays.toString(recalls)
                + ", precisions=" + Arrays.toString(precisions)
                + ", thresholds=" + Arrays.toString(thresholds) + "]";
    }
}
