package io.xray.debug;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The debugger rules xray evaluates in-process, with SageMaker Debugger's names
 * ({@link #sageMakerName()}), parameter names and defaults ({@link #defaults()}). Parameters that
 * SageMaker uses to select tensors ({@code tensor_regex}, {@code collection_names}) have no
 * counterpart: xray measures its own network directly.
 */
public enum RuleName {
    /** Mean absolute gradient of a trainable tensor below {@code threshold} on a sampled step. */
    VANISHING_GRADIENT("VanishingGradient", Map.of("threshold", 1e-7)),
    /**
     * A NaN or infinite loss, or a NaN or infinite gradient or weight on a sampled step
     * ({@code only_nan} = 1 counts NaN only).
     */
    EXPLODING_TENSOR("ExplodingTensor", Map.of("only_nan", 0.0)),
    /**
     * After {@code start_step}, validation loss above the comparable training loss (measured without
     * augmentation, in evaluation mode) by more than {@code ratio_threshold} of it, for
     * {@code patience} epochs in a row.
     */
    OVERFIT("Overfit", ordered("start_step", 0.0, "patience", 1.0, "ratio_threshold", 0.1)),
    /**
     * Training loss that has not improved by {@code delta} for {@code patience_train} epochs, or
     * validation loss for {@code patience_validation} epochs.
     */
    OVERTRAINING("Overtraining", ordered("patience_train", 5.0, "patience_validation", 10.0, "delta", 0.01)),
    /**
     * Mean loss of a window of {@code num_steps} steps not below the best earlier window by
     * {@code diff_percent} percent, for {@code patience} windows in a row (xray's addition, so that a
     * noisy small-batch loss does not fire on its own), or above the best window by more than
     * {@code increase_threshold_percent} percent.
     */
    LOSS_NOT_DECREASING("LossNotDecreasing",
            ordered("num_steps", 10.0, "diff_percent", 0.1, "increase_threshold_percent", 5.0, "patience", 2.0)),
    /**
     * Over the first {@code steps} sampled steps: the ratio between the largest and the smallest
     * variance of the ReLUs' inputs across layers above {@code threshold}.
     */
    POOR_WEIGHT_INITIALIZATION("PoorWeightInitialization", ordered("threshold", 10.0, "steps", 10.0)),
    /**
     * A ReLU layer where more than {@code threshold_layer} percent of the channels are active on
     * fewer than {@code threshold_inactivity} percent of their outputs, on a sampled step.
     */
    DEAD_RELU("DeadRelu", ordered("threshold_inactivity", 1.0, "threshold_layer", 50.0)),
    /**
     * After {@code samples} training labels (or at the end of an epoch when it has fewer), the larger
     * class more than {@code threshold_imbalance} times the smaller, or more than
     * {@code threshold_misprediction} of the smaller class's training images mispredicted.
     */
    CLASS_IMBALANCE("ClassImbalance",
            ordered("threshold_imbalance", 10.0, "threshold_misprediction", 0.7, "samples", 500.0)),
    /** No training step completed for {@code threshold} seconds. */
    STALLED_TRAINING("StalledTraining", Map.of("threshold", 1800.0));

    private final String sageMakerName;
    private final Map<String, Double> defaults;

    RuleName(String sageMakerName, Map<String, Double> defaults) {
        this.sageMakerName = sageMakerName;
        this.defaults = Map.copyOf(defaults);
    }

    private static Map<String, Double> ordered(Object... pairs) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Double) pairs[i + 1]);
        }
        return map;
    }

    /** @return SageMaker Debugger's name of the rule, such as {@code VanishingGradient} */
    public String sageMakerName() {
        return sageMakerName;
    }

    /** @return every parameter the rule takes, by SageMaker's name, with its default */
    public Map<String, Double> defaults() {
        return defaults;
    }

    /**
     * @param name a SageMaker rule name, such as {@code DeadRelu}
     * @return the rule
     * @throws IllegalArgumentException listing the names when it is none of them
     */
    public static RuleName fromSageMakerName(String name) {
        for (RuleName rule : values()) {
            if (rule.sageMakerName.equals(name)) {
                return rule;
            }
        }
        StringBuilder names = new StringBuilder();
        for (RuleName rule : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(rule.sageMakerName);
        }
        throw new IllegalArgumentException("unknown debugger rule '" + name + "'; known: " + names);
    }
}
