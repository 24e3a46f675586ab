package io.xray.metrics;

/**
 * ROC and precision–recall curves of probabilities of pneumonia against labels, for reports and
 * plots. Each sorts the scores once and sweeps the distinct thresholds once (O(n log n)); tied
 * scores form a single point.
 */
public final class Curves {
    private Curves() {}

    /**
     * The ROC curve, from (0, 0) at a threshold just above the highest score down to (1, 1) at the
     * lowest score.
     *
     * @param scores probabilities of pneumonia, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as scores, both present
     * @return the curve, {@code 1 + (number of distinct scores)} points
     * @throws IllegalArgumentException on invalid input, or if either class is absent (a rate
     *     would then be undefined: check {@link BinaryMetrics#rocAuc()} for NaN first)
     */
    public static RocCurve roc(double[] scores, int[] labels) {
        ThresholdSweep sweep = ThresholdSweep.of(scores, labels);
        if (sweep.positives == 0 || sweep.negatives == 0) {
            throw new IllegalArgumentException("the ROC curve needs both classes, but labels hold "
                    + sweep.positives + " PNEUMONIA (1) and " + sweep.negatives + " NORMAL (0) examples");
        }
        int n = sweep.size() + 1;
        double[] fpr = new double[n];
        double[] tpr = new double[n];
        double[] thresholds = new double[n];
        thresholds[0] = Math.nextUp(sweep.thresholds[0]);
        for (int i = 0; i < sweep.size(); i++) {
            fpr[i + 1] = (double) sweep.falsePositives[i] / sweep.negatives;
            tpr[i + 1] = (double) sweep.truePositives[i] / sweep.positives;
            thresholds[i + 1] = sweep.thresholds[i];
        }
        return new RocCurve(fpr, tpr, thresholds);
    }

    /**
     * The precision–recall curve, one point per distinct score, from the highest.
     *
     * @param scores probabilities of pneumonia, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as scores, at least one 1
     * @return the curve, one point per distinct score
     * @throws IllegalArgumentException on invalid input, or if no label is positive (recall would
     *     be undefined: check {@link BinaryMetrics#prAuc()} for NaN first)
     */
    public static PrecisionRecallCurve precisionRecall(double[] scores, int[] labels) {
        ThresholdSweep sweep = ThresholdSweep.of(scores, labels);
        if (sweep.positives == 0) {
            throw new IllegalArgumentException("the precision-recall curve needs a PNEUMONIA (1) example, "
                    + "but labels hold only NORMAL (0)");
        }
        int n = sweep.size();
        double[] recalls = new double[n];
        double[] precisions = new double[n];
        for (int i = 0; i < n; i++) {
            ConfusionMatrix cm = sweep.confusionAt(i);
            recalls[i] = cm.recall();
            precisions[i] = cm.precision();
        }
        return new PrecisionRecallCurve(recalls, precisions, sweep.thresholds.clone());
    }
}
