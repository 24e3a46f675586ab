package io.xray.debug;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU counterparts of SageMaker Debugger's profiler rules that xray evaluates in-process, with
 * SageMaker's names and parameter names. Where SageMaker's default window suits only jobs of hours
 * (such as {@code MemoryIncrease}'s patience of 1,000 data points), the default here is sized for a
 * run of a few hundred steps and says so.
 */
public enum ProfilerRuleName {
    /**
     * Steps slower than the mean step time plus {@code stddev} standard deviations; fires when more
     * than {@code n_outliers} steps are (steps before the second are left out: they include warm-up).
     */
    STEP_OUTLIER("StepOutlier", ordered("stddev", 3.0, "n_outliers", 10.0)),
    /**
     * Is training waiting on data? Fires when the training loop spent more than {@code threshold}
     * percent of an epoch's training time waiting for the batch loader (xray's measure for
     * SageMaker's IO-bottleneck question).
     */
    IO_BOTTLENECK("IOBottleneck", ordered("threshold", 50.0)),
    /**
     * Resident memory growth: after {@code patience} samples, the mean resident set size of the latest
     * {@code window} samples above the mean of the first {@code window} by more than {@code increase}
     * percent (SageMaker: patience 1,000, window 10, increase 5; here patience 10). In a training run
     * the first window starts no earlier than the first step after the first epoch (the first epoch,
     * its validation and checkpoint are warm-up: on the shipped samples they grew the resident size
     * by a third) and the latest window ends at the last step; the latest window must also be above
     * the window half-way by half of {@code increase}, as a leak at every step is and allocator
     * warm-up, which levels off within a few epochs, is not. Evaluated when the run ends.
     */
    MEMORY_INCREASE("MemoryIncrease", ordered("increase", 5.0, "patience", 10.0, "window", 10.0)),
    /** More than {@code threshold} minutes from the start of the run to the end of the first step. */
    MAX_INITIALIZATION_TIME("MaxInitializationTime", ordered("threshold", 20.0)),
    /**
     * The 95th percentile of the process's CPU use below {@code threshold} percent of the cores while
     * training (SageMaker's LowGPUUtilization question asked of the CPU), after {@code patience} samples.
     */
    LOW_CPU_UTILIZATION("LowCPUUtilization", ordered("threshold", 30.0, "patience", 10.0));

    private final String sageMakerName;
    private final Map<String, Double> defaults;

    ProfilerRuleName(String sageMakerName, Map<String, Double> defaults) {
        this.sageMakerName = sageMakerName;
        this.defaults = java.util.Collections.unmodifiableMap(defaults);
    }

    private static Map<String, Double> ordered(Object... pairs) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Double) pairs[i + 1]);
        }
        return map;
    }

    /** @return SageMaker's name of the rule */
    public String sageMakerName() {
        return sageMakerName;
    }

    /** @return the rule's parameters with their defaults */
    public Map<String, Double> defaults() {
        return defaults;
    }
}
