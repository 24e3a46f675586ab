package io.xray.metrics;

import java.util.Arrays;

/**
 * The scores sorted once and grouped by distinct value: for each distinct score, taken as a
 * threshold from the highest to the lowest, how many positives and negatives score at least that
 * much. Every whole-curve quantity (AUCs, curves, threshold choices) is one pass over this.
 *
 * <p>Built in O(n log n): the positive and the negative scores are sorted separately as primitive
 * arrays, then merged from the top. Ties between a positive and a negative fall into the same
 * group, which is what makes the AUCs handle ties correctly.
 */
final class ThresholdSweep {
    /** Distinct scores, strictly descending. */
    final double[] thresholds;
    /** {@code truePositives[i]}: positives with {@code score >= thresholds[i]}; non-decreasing. */
    final long[] truePositives;
    /** {@code falsePositives[i]}: negatives with {@code score >= thresholds[i]}; non-decreasing. */
    final long[] falsePositives;
    /** Number of positive labels. */
    final long positives;
    /** Number of negative labels. */
    final long negatives;

    private ThresholdSweep(double[] thresholds, long[] truePositives, long[] falsePositives,
            long positives, long negatives) {
        this.thresholds = thresholds;
        this.truePositives = truePositives;
        this.falsePositives = falsePositives;
        this.positives = positives;
        this.negatives = negatives;
    }

    /** Validates the input, then sorts and groups it. */
    static ThresholdSweep of(double[] scores, int[] labels) {
        Inputs.validate(scores, labels);
        int positiveCount = 0;
        for (int label : labels) {
            positiveCount += label;
        }
        double[] pos = new double[positiveCount];
        double[] neg = new double[labels.length - positiveCount];
        int p = 0;
        int q = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == 1) {
                pos[p++] = scores[i];
            } else {
                neg[q++] = scores[i];
            }
        }
        Arrays.sort(pos);
        Arrays.sort(neg);

        double[] thresholds = new double[scores.length];
        long[] tps = new long[scores.length];
        long[] fps = new long[scores.length];
        int distinct = 0;
        int pi = pos.length - 1;
        int ni = neg.length - 1;
        long tp = 0;
        long fp = 0;
        while (pi >= 0 || ni >= 0) {
            double t;
            if (pi < 0) {
                t = neg[ni];
            } else if (ni < 0) {
                t = pos[pi];
            } else {
                t = Math.max(pos[pi], neg[ni]);
            }
            // == (not Double.compare) so that -0.0 and 0.0 form one group, as >= treats them
            while (pi >= 0 && pos[pi] == t) {
                tp++;
                pi--;
            }
            while (ni >= 0 && neg[ni] == t) {
                fp++;
                ni--;
            }
            thresholds[distinct] = t + 0.0; // -0.0 -> 0.0
            tps[distinct] = tp;
            fps[distinct] = fp;
            distinct++;
        }
        return new ThresholdSweep(Arrays.copyOf(thresholds, distinct), Arrays.copyOf(tps, distinct),
                Arrays.copyOf(fps, distinct), pos.length, neg.length);
    }

    /** @return the number of distinct thresholds */
    int size() {
        return thresholds.length;
    }

    /** @return the confusion matrix of predicting positive when {@code score >= thresholds[i]} */
    ConfusionMatrix confusionAt(int i) {
        return new ConfusionMatrix(truePositives[i], falsePositives[i],
                negatives - falsePositives[i], positives - truePositives[i]);
    }

    /**
     * Area under the ROC curve by the trapezoid rule over the points (0,0) and
     * (fp_i/N, tp_i/P) for each distinct threshold. Because tied scores form one point, this
     * equals the Mann–Whitney probability that a random positive outscores a random negative,
     * ties counting one half. Computed on the counts, so exactly: the sum of
     * {@code (fp_i - fp_{i-1}) * (tp_i + tp_{i-1})} over {@code 2 P N}.
     *
     * @return the ROC AUC, or NaN when either class is absent
     */
    double rocAuc() {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        long twiceArea = 0; // <= 2PN <= n^2 / 2, fits a long for any array length
        long previousTp = 0;
        long previousFp = 0;
        for (int i = 0; i < thresholds.length; i++) {
            twiceArea += (falsePositives[i] - previousFp) * (truePositives[i] + previousTp);
            previousTp = truePositives[i];
            previousFp = falsePositives[i];
        }
        return (double) twiceArea / (2.0 * positives * negatives);
    }

    /**
     * Average precision as scikit-learn defines it: the sum over distinct thresholds, from the
     * highest, of {@code (R_i - R_{i-1}) * P_i}, with R the recall and P the precision at that
     * threshold (tied scores grouped, {@code R_{-1} = 0}). No interpolation.
     *
     * @return the average precision, or NaN when there is no positive label
     */
    double averagePrecision() {
        if (positives == 0) {
            return Double.NaN;
        }
        double sum = 0.0;
        long previousTp = 0;
        for (int i = 0; i < thresholds.length; i++) {
            long newTp = truePositives[i] - previousTp;
            if (newTp > 0) {
                sum += newTp * ((double) truePositives[i] / (truePositives[i] + falsePositives[i]));
            }
            previousTp = truePositives[i];
        }
        return sum / positives;
    }
}
