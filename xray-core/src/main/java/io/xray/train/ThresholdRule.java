package io.xray.train;

import io.xray.InvalidConfigurationException;
import io.xray.metrics.ThresholdChoice;
import io.xray.metrics.Thresholds;

/**
 * How the decision threshold stored with the model is chosen on the validation split (or on the
 * {@link io.xray.data.Split#CALIBRATION calibration} split when the data has one): the
 * threshold of maximum F1 (the default), or the highest threshold that reaches a target
 * sensitivity (recall of pneumonia), for screening where a missed pneumonia costs most.
 */
public final class ThresholdRule {

    private final double targetSensitivity;

    private ThresholdRule(double targetSensitivity) {
        this.targetSensitivity = targetSensitivity;
    }

    /** @return the maximum-F1 rule */
    public static ThresholdRule maxF1() {
        return new ThresholdRule(Double.NaN);
    }

    /**
     * @param target the sensitivity to reach, in (0, 1]
     * @return the rule choosing the highest threshold whose sensitivity is at least {@code target}
     */
    public static ThresholdRule targetSensitivity(double target) {
        if (!(target > 0 && target <= 1)) {
            throw new InvalidConfigurationException("thresholdRule", "target sensitivity must be in (0, 1], got " + target);
        }
        return new ThresholdRule(target);
    }

    /**
     * Parses {@code max-f1} or {@code sensitivity>=T} (also {@code sensitivity:T}).
     *
     * @param text the spelling
     * @return the rule
     */
    public static ThresholdRule parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.equals(ThresholdChoice.MAX_F1)) {
            return maxF1();
        }
        for (String prefix : new String[] {ThresholdChoice.SENSITIVITY_AT_LEAST, "sensitivity:"}) {
            if (value.startsWith(prefix)) {
                try {
                    return targetSensitivity(Double.parseDouble(value.substring(prefix.length())));
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new InvalidConfigurationException("thresholdRule", "expected max-f1 or sensitivity>=T, got '" + text + "'");
    }

    /**
     * @param probabilities probabilities of pneumonia
     * @param labels 1 for pneumonia, 0 for normal
     * @return the chosen threshold
     */
    public ThresholdChoice choose(double[] probabilities, int[] labels) {
        return Double.isNaN(targetSensitivity)
                ? Thresholds.maxF1(probabilities, labels)
                : Thresholds.forSensitivity(probabilities, labels, targetSensitivity);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ThresholdRule that
                && Double.compare(targetSensitivity, that.targetSensitivity) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(targetSensitivity);
    }

    /** @return {@code max-f1} or {@code sensitivity>=T} */
    @Override
    public String toString() {
        return Double.isNaN(targetSensitivity)
                ? ThresholdChoice.MAX_F1
                : ThresholdChoice.SENSITIVITY_AT_LEAST + targetSensitivity;
    }
}
