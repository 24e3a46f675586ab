package io.xray.debug;

import io.xray.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which debugger rules a training run evaluates, and how often it looks inside the network. An
 * execution setting of {@code ResNetFineTuner}: it never changes the model. Immutable.
 *
 * <p>The loss and the labels are seen on every step (they cost nothing); gradients, weights and the
 * ReLUs' activations are measured on sampled steps only: every {@link #sampleEverySteps()} steps,
 * and on each of the first steps that {@code PoorWeightInitialization} analyses.
 *
 * <pre>{@code
 * DebuggerConfig debugger = DebuggerConfig.builder()
 *         .rules(DebuggerConfig.defaults().rules())
 *         .rule(DebugRule.of(RuleName.EXPLODING_TENSOR).stoppingTraining())
 *         .build();
 * }</pre>
 */
public final class DebuggerConfig {

    /** The default sampling interval, in steps. */
    public static final int DEFAULT_SAMPLE_EVERY_STEPS = 20;

    private static final DebuggerConfig DISABLED = builder().build();
    private static final DebuggerConfig DEFAULTS;

    static {
        Builder b = builder();
        for (RuleName name : RuleName.values()) {
            b.rule(DebugRule.of(name));
        }
        DEFAULTS = b.build();
    }

    private final List<DebugRule> rules;
    private final int sampleEverySteps;

    private DebuggerConfig(Builder b) {
        this.rules = List.copyOf(b.rules.values());
        this.sampleEverySteps = b.sampleEverySteps;
    }

    /** @return every rule with SageMaker's defaults, none stopping training, sampling every 20 steps */
    public static DebuggerConfig defaults() {
        return DEFAULTS;
    }

    /** @return no rule: the training loop does not look inside the network */
    public static DebuggerConfig disabled() {
        return DISABLED;
    }

    /** @return an empty builder (no rules, sampling every 20 steps) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration */
    public Builder toBuilder() {
        Builder b = new Builder();
        rules.forEach(b::rule);
        b.sampleEverySteps = sampleEverySteps;
        return b;
    }

    /** @return the rules, at most one per {@link RuleName} */
    public List<DebugRule> rules() {
        return rules;
    }

    /**
     * @param name a rule
     * @return its configuration when the rule is on
     */
    public Optional<DebugRule> rule(RuleName name) {
        return rules.stream().filter(r -> r.name() == name).findFirst();
    }

    /** @return measure gradients, weights and activations every this many steps */
    public int sampleEverySteps() {
        return sampleEverySteps;
    }

    /** @return whether any rule is on */
    public boolean enabled() {
        return !rules.isEmpty();
    }

    @Override
    public String toString() {
        return "DebuggerConfig" + rules + " every " + sampleEverySteps + " steps";
    }

    /** Builds a {@link DebuggerConfig}. */
    public static final class Builder {
        private final Map<RuleName, DebugRule> rules = new EnumMap<>(RuleName.class);
        private int sampleEverySteps = DEFAULT_SAMPLE_EVERY_STEPS;

        private Builder() {}

        /**
         * @param rule a rule, replacing any earlier one of the same name
         * @return this builder
         */
        public Builder rule(DebugRule rule) {
            if (rule == null) {
                throw new InvalidConfigurationException("rule", "must not be null");
            }
            rules.put(rule.name(), rule);
            return this;
        }

        /**
         * @param rules rules, each replacing any earlier one of the same name
         * @return this builder
         */
        public Builder rules(List<DebugRule> rules) {
            new ArrayList<>(rules).forEach(this::rule);
            return this;
        }

        /**
         * @param name a rule to turn off
         * @return this builder
         */
        public Builder without(RuleName name) {
            rules.remove(name);
            return this;
        }

        /**
         * @param steps measure gradients, weights and activations every this many steps, at least 1
         * @return this builder
         */
        public Builder sampleEverySteps(int steps) {
            this.sampleEverySteps = steps;
            return this;
        }

        /**
         * @return the configuration
         * @throws InvalidConfigurationException naming the bad field
         */
        public DebuggerConfig build() {
            if (sampleEverySteps < 1) {
                throw new InvalidConfigurationException("sampleEverySteps", "must be at least 1, got " + sampleEverySteps);
            }
            return new DebuggerConfig(this);
        }
    }
}
