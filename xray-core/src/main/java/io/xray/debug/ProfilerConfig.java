package io.xray.debug;

import io.xray.InvalidConfigurationException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether and how a training run profiles itself: a daemon thread samples the process's and the
 * system's CPU use, the resident set size, the JVM heap and the thread count from {@code /proc}
 * every {@link #sampleIntervalMillis()} (500 ms by default), and the training loop reports step
 * times and data-wait seconds. An execution setting of {@code ResNetFineTuner}; immutable.
 */
public final class ProfilerConfig {

    private static final ProfilerConfig DEFAULTS = builder().build();
    private static final ProfilerConfig DISABLED = builder().enabled(false).build();

    private final boolean enabled;
    private final long sampleIntervalMillis;
    private final Map<ProfilerRuleName, Map<String, Double>> parameters;

    private ProfilerConfig(Builder b) {
        this.enabled = b.enabled;
        this.sampleIntervalMillis = b.sampleIntervalMillis;
        Map<ProfilerRuleName, Map<String, Double>> copy = new EnumMap<>(ProfilerRuleName.class);
        b.parameters.forEach((rule, values) -> copy.put(rule, Map.copyOf(values)));
        this.parameters = java.util.Collections.unmodifiableMap(copy);
    }

    /** @return profiling on, every rule with its defaults, sampling every 500 ms */
    public static ProfilerConfig defaults() {
        return DEFAULTS;
    }

    /** @return profiling off */
    public static ProfilerConfig disabled() {
        return DISABLED;
    }

    /** @return a builder starting from {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether the run profiles itself */
    public boolean enabled() {
        return enabled;
    }

    /** @return milliseconds between samples of {@code /proc} */
    public long sampleIntervalMillis() {
        return sampleIntervalMillis;
    }

    /**
     * @param rule a profiler rule
     * @param parameter one of its parameters
     * @return the value
     */
    public double parameter(ProfilerRuleName rule, String parameter) {
        Double value = parameters.get(rule).get(parameter);
        if (value == null) {
            throw new IllegalArgumentException(rule.sageMakerName() + " has no parameter " + parameter);
        }
        return value;
    }

    /** Builds a {@link ProfilerConfig}. */
    public static final class Builder {
        private boolean enabled = true;
        private long sampleIntervalMillis = 500;
        private final Map<ProfilerRuleName, Map<String, Double>> parameters = new EnumMap<>(ProfilerRuleName.class);

        private Builder() {
            for (ProfilerRuleName rule : ProfilerRuleName.values()) {
                parameters.put(rule, new LinkedHashMap<>(rule.defaults()));
            }
        }

        /**
         * @param enabled whether to profile
         * @return this builder
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * @param millis milliseconds between samples of {@code /proc}, at least 10
         * @return this builder
         */
        public Builder sampleIntervalMillis(long millis) {
            this.sampleIntervalMillis = millis;
            return this;
        }

        /**
         * @param rule a profiler rule
         * @param parameter one of its parameters ({@link ProfilerRuleName#defaults()})
         * @param value finite, not negative
         * @return this builder
         */
        public Builder parameter(ProfilerRuleName rule, String parameter, double value) {
            String field = rule.sageMakerName() + "." + parameter;
            if (!rule.defaults().containsKey(parameter)) {
                throw new InvalidConfigurationException(field,
                        "unknown parameter; " + rule.sageMakerName() + " takes " + rule.defaults().keySet());
            }
            if (!Double.isFinite(value) || value < 0) {
                throw new InvalidConfigurationException(field, "must be finite and not negative, got " + value);
            }
            parameters.get(rule).put(parameter, value);
            return this;
        }

        /** @return the configuration */
        public ProfilerConfig build() {
            if (sampleIntervalMillis < 10) {
                throw new InvalidConfigurationException("sampleIntervalMillis",
                        "must be at least 10, got " + sampleIntervalMillis);
            }
            return new ProfilerConfig(this);
        }
    }
}
