package io.xray.metrics;

/**
 * Chooses a decision threshold from probabilities of pneumonia and their labels, for example on
 * the validation split, to be stored with a model and applied to new images.
 *
 * <p>Candidates are the distinct scores; with the rule {@code score >= threshold}, every threshold
 * in {@code (next lower score, score]} gives the same decisions, so the distinct score is also the
 * highest threshold of its interval and choosing among the scores loses nothing. Both rules sort
 * the scores once and sweep the candidates once (O(n log n)).
 */
public final class Thresholds {
    private Thresholds() {}

    /**
     * The threshold of maximum F1. When several thresholds reach the same maximum F1 (compared
     * exactly, on the counts), the highest is chosen: fewer false alarms for the same F1.
     *
     * @param scores probabilities of pneumonia, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as scores, at least one 1
     * @return the choice, with rule {@value ThresholdChoice#MAX_F1}
     * @throws IllegalArgumentException on invalid input, or if no label is positive (F1 is then 0
     *     at every threshold)
     */
    public static ThresholdChoice maxF1(double[] scores, int[] labels) {
        ThresholdSweep sweep = ThresholdSweep.of(scores, labels);
        requirePositives(sweep, "maximise F1");
        int best = -1;
        long bestNumerator = 0;   // 2 tp
        long bestDenominator = 1; // 2 tp + fp + fn = tp + fp + P
        for (int i = 0; i < sweep.size(); i++) {
            long numerator = 2 * sweep.truePositives[i];
            long denominator = sweep.truePositives[i] + sweep.falsePositives[i] + sweep.positives;
            // numerator/denominator > best, exactly; strict so that ties keep the higher threshold
            if (best < 0 || numerator * bestDenominator > bestNumerator * denominator) {
                best = i;
                bestNumerator = numerator;
                bestDenominator = denominator;
            }
        }
        return new ThresholdChoice(sweep.thresholds[best], ThresholdChoice.MAX_F1, sweep.confusionAt(best));
    }

    /**
     * The highest threshold whose recall (sensitivity) reaches the target: as few false alarms as
     * possible while finding at least that share of pneumonia. It always exists, since the lowest
     * score as threshold finds every case.
     *
     * @param scores probabilities of pneumonia, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as scores, at least one 1
     * @param targetSensitivity the recall to reach, in [0, 1], for example 0.95
     * @return the choice, with rule {@code "sensitivity>=" + targetSensitivity}; its confusion's
     *     {@code recall()} is {@code >= targetSensitivity}
     * @throws IllegalArgumentException on invalid input, a target outside [0, 1], or if no label is
     *     positive (recall is then undefined)
     */
    public static ThresholdChoice forSensitivity(double[] scores, int[] labels, double targetSensitivity) {
        if (!(targetSensitivity >= 0.0 && targetSensitivity <= 1.0)) {
            throw new IllegalArgumentException("targetSensitivity is " + targetSensitivity
                    + "; it must lie in [0, 1]");
        }
        ThresholdSweep sweep = ThresholdSweep.of(scores, labels);
        requirePositives(sweep, "reach a sensitivity");
        String rule = ThresholdChoice.SENSITIVITY_AT_LEAST + targetSensitivity;
        for (int i = 0; i < sweep.size(); i++) {
            ConfusionMatrix cm = sweep.confusionAt(i);
            if (cm.recall() >= targetSensitivity) {
                return new ThresholdChoice(sweep.thresholds[i], rule, cm);
            }
        }
        // unreachable: at the lowest score every positive is predicted positive, recall 1.0
        throw new IllegalStateException("no threshold reached recall " + targetSensitivity);
    }

    private static void requirePositives(ThresholdSweep sweep, String goal) {
        if (sweep.positives == 0) {
            throw new IllegalArgumentException("labels hold no PNEUMONIA (1) example, so no threshold can "
                    + goal + "; choose thresholds on data with both classes");
        }
    }
}
