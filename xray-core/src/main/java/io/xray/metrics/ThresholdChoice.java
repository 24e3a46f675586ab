package io.xray.metrics;

import java.util.Objects;

/**
 * A decision threshold chosen by a rule on scored, labelled data, with the confusion matrix it
 * gives there. An example is predicted pneumonia when {@code score >= threshold}.
 *
 * @param threshold the chosen threshold, finite; one of the scores it was chosen on
 * @param rule how it was chosen: {@value #MAX_F1} or {@code "sensitivity>=" + target} (see
 *     {@link Thresholds})
 * @param confusion the confusion matrix at {@code threshold} on the data it was chosen on
 */
public record ThresholdChoice(double threshold, String rule, ConfusionMatrix confusion) {

    /** The rule of {@link Thresholds#maxF1}. */
    public static final String MAX_F1 = "max-f1";

    /** The prefix of the rule of {@link Thresholds#forSensitivity}, followed by the target. */
    public static final String SENSITIVITY_AT_LEAST = "sensitivity>=";

    /**
     * Refuses a non-finite threshold, a null or blank rule, a null confusion matrix.
     *
     * @param threshold see {@link #threshold()}
     * @param rule see {@link #rule()}
     * @param confusion see {@link #confusion()}
     */
    public ThresholdChoice {
        Inputs.validateThreshold(threshold);
        Objects.requireNonNull(rule, "rule must not be null");
        Objects.requireNonNull(confusion, "confusion must not be null");
        if (rule.isBlank()) {
            throw new IllegalArgumentException("rule must not be blank");
        }
    }
}
