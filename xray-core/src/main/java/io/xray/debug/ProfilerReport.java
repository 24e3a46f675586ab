package io.xray.debug;

import java.util.List;
import java.util.Optional;

/**
 * What a run's profiler saw.
 *
 * @param verdicts one per profiler rule
 * @param samples the {@code /proc} samples, in time order
 * @param stepSeconds every step's wall time (data wait included), in order
 * @param secondsToFirstStep from the start of the run to the end of the first step (NaN when none ran)
 * @param dataWaitShares per epoch, the share of training time spent waiting for batches
 * @param cores the processors the JVM sees
 */
public record ProfilerReport(List<ProfilerVerdict> verdicts, List<ResourceSample> samples, List<Double> stepSeconds,
        double secondsToFirstStep, List<Double> dataWaitShares, int cores) {

    /** An empty report: profiling was off. */
    public static final ProfilerReport NONE = new ProfilerReport(List.of(), List.of(), List.of(), Double.NaN, List.of(), 0);

    /** Copies the lists. */
    public ProfilerReport {
        verdicts = List.copyOf(verdicts);
        samples = List.copyOf(samples);
        stepSeconds = List.copyOf(stepSeconds);
        dataWaitShares = List.copyOf(dataWaitShares);
    }

    /**
     * @param rule a rule
     * @return its verdict when profiling was on
     */
    public Optional<ProfilerVerdict> verdict(ProfilerRuleName rule) {
        return verdicts.stream().filter(v -> v.rule() == rule).findFirst();
    }

    /**
     * @param percentile 0..100
     * @param processCpu true for the process's CPU use, false for the whole system's
     * @return that percentile of the CPU use in percent of one core (process) or of all cores (system); NaN without samples
     */
    public double cpuPercentile(double percentile, boolean processCpu) {
        double[] values = samples.stream().mapToDouble(s -> processCpu ? s.processCpuPercent() : s.systemCpuPercent())
                .filter(Double::isFinite).sorted().toArray();
        return Profiler.percentile(values, percentile);
    }

    /** @return the largest thread count sampled (0 without samples) */
    public int maxThreads() {
        return samples.stream().mapToInt(ResourceSample::threads).max().orElse(0);
    }
}
