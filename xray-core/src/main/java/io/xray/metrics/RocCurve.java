package io.xray.metrics;

import java.util.Arrays;

/**
 * The ROC curve: false positive rate ({@code 1 - specificity}) against true positive rate
 * (recall) as the threshold falls, one point per distinct score, preceded by the point (0, 0) of
 * a threshold just above the highest score ({@code Math.nextUp(max)}, which predicts no example
 * positive). Point {@code i} is the decision {@code score >= thresholds[i]}; thresholds strictly
 * decrease and both rates never decrease. Made by {@link Curves#roc}.
 *
 * <p>The arrays are copied in and out; equality compares their contents. Null arrays or arrays of
 * different lengths are refused.
 *
 * @param falsePositiveRates {@code fp / N} at each threshold
 * @param truePositiveRates {@code tp / P} at each threshold
 * @param thresholds the thresholds, strictly decreasing
 */
public record RocCurve(double[] falsePositiveRates, double[] truePositiveRates, double[] thresholds) {

    /**
     * Copies the arrays; refuses null arrays and arrays of different lengths.
     *
     * @param falsePositiveRates see {@link #falsePositiveRates()}
     * @param truePositiveRates see {@link #truePositiveRates()}
     * @param thresholds see {@link #thresholds()}
     */
    public RocCurve {
        falsePositiveRates = CurveArrays.copy("falsePositiveRates", falsePositiveRates);
        truePositiveRates = CurveArrays.copy("truePositiveRates", truePositiveRates);
        thresholds = CurveArrays.copy("thresholds", thresholds);
        CurveArrays.requireSameLength(new String[] {"falsePositiveRates", "truePositiveRates", "thresholds"},
                falsePositiveRates, truePositiveRates, thresholds);
    }

    /** @return a copy of the false positive rates */
    @Override
    public double[] falsePositiveRates() {
        return falsePositiveRates.clone();
    }

    /** @return a copy of the true positive rates */
    @Override
    public double[] truePositiveRates() {
        return truePositiveRates.clone();
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

    /** @return true if the other object is a {@code RocCurve} with equal array contents */
    @Override
    public boolean equals(Object other) {
        return other instanceof RocCurve that
                && Arrays.equals(falsePositiveRates, that.falsePositiveRates)
                && Arrays.equals(truePositiveRates, that.truePositiveRates)
                && Arrays.equals(thresholds, that.thresholds);
    }

    /** @return a hash of the array contents */
    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(falsePositiveRates) + Arrays.hashCode(truePositiveRates))
                + Arrays.hashCode(thresholds);
    }

    /** @return the three arrays, written out */
    @Override
    public String toString() {
        return "RocCurve[falsePositiveRates=" + Arrays.toString(falsePositiveRates)
                + ", truePositiveRates=" + Arrays.toString(truePositiveRates)
                + ", thresholds=" + Arrays.toString(thresholds) + "]";
    }
}
