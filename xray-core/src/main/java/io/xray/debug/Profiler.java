package io.xray.debug;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Profiles a training run from the inside: a daemon thread samples the process's CPU time, the
 * machine's CPU use ({@code /proc/stat}), the resident set size and thread count
 * ({@code /proc/self/status}) and the JVM heap every {@link ProfilerConfig#sampleIntervalMillis()};
 * the training loop reports each step's wall time ({@link #stepEnded}) and each epoch's data wait
 * ({@link #epochEnded}). The rules of {@link ProfilerRuleName} are evaluated on what it saw. After
 * every epoch it logs one line a SageMaker metric regex can read:
 *
 * <pre>
 * Profiler_epoch 2: Profiler_issues=0; Data_wait_share=0.031; Step_sec_mean=0.412; Step_outliers=1;
 * Cpu_process_p50=187.0; Cpu_system_p50=96.5; Rss_mb=1432; Threads=41; Cores=2
 * </pre>
 *
 * Without {@code /proc} (not Linux) the machine's CPU use and the resident size are not sampled.
 */
public final class Profiler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Profiler.class);
    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final Path PROC_SELF_STATUS = Path.of("/proc/self/status");

    private final ProfilerConfig config;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService sampler;
    private final List<ResourceSample> samples = new ArrayList<>();
    private final List<Double> stepSeconds = new ArrayList<>();
    private final List<Double> dataWaitShares = new ArrayList<>();
    private final Map<ProfilerRuleName, ProfilerVerdict> fired = new EnumMap<>(ProfilerRuleName.class);
    private final int cores = Runtime.getRuntime().availableProcessors();
    private double secondsToFirstStep = Double.NaN;
    /** Samples taken before the first step after the first epoch: warm-up, which MemoryIncrease leaves out; -1 until then. */
    private int warmUpSamples = -1;
    /** Samples taken by the end of the latest step: MemoryIncrease looks no further (-1 before any step). */
    private int samplesByLastStep = -1;
    private long previousProcessCpuNanos = -1;
    private long previousSampleNanos;
    private long[] previousSystem;

    /**
     * Starts the clock (time to the first step counts from here) and, when enabled, the sampling thread.
     *
     * @param config what to profile
     */
    public Profiler(ProfilerConfig config) {
        this.config = config;
        if (config.enabled()) {
            sample();
            sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "xray-profiler");
                thread.setDaemon(true);
                return thread;
            });
            sampler.scheduleAtFixedRate(this::sample, config.sampleIntervalMillis(), config.sampleIntervalMillis(),
                    TimeUnit.MILLISECONDS);
        } else {
            sampler = null;
        }
    }

    /**
     * @param step the 1-based global step that ended
     * @param seconds its wall time, waiting for its batch included
     */
    public synchronized void stepEnded(long step, double seconds) {
        if (!config.enabled()) {
            return;
        }
        stepSeconds.add(seconds);
        samplesByLastStep = samples.size();
        if (warmUpSamples < 0 && !dataWaitShares.isEmpty()) {
            warmUpSamples = samples.size();
        }
        if (Double.isNaN(secondsToFirstStep)) {
            secondsToFirstStep = (System.nanoTime() - startNanos) / 1e9;
            double threshold = config.parameter(ProfilerRuleName.MAX_INITIALIZATION_TIME, "threshold");
            if (secondsToFirstStep > threshold * 60) {
                fire(ProfilerRuleName.MAX_INITIALIZATION_TIME, 1, String.format(Locale.ROOT,
                        "the first step ended %.1f minutes after the run started, over %.1f",
                        secondsToFirstStep / 60, threshold), Map.of("seconds_to_first_step", secondsToFirstStep));
            }
        }
    }

    /**
     * Evaluates the epoch's rules and logs the profiler's line.
     *
     * @param epoch the 1-based epoch
     * @param dataSeconds seconds the training loop waited for batches
     * @param trainSeconds the epoch's training wall time
     */
    public synchronized void epochEnded(int epoch, double dataSeconds, double trainSeconds) {
        if (!config.enabled()) {
            return;
        }
        double share = trainSeconds > 0 ? dataSeconds / trainSeconds : 0;
        dataWaitShares.add(share);
        double threshold = config.parameter(ProfilerRuleName.IO_BOTTLENECK, "threshold");
        if (share * 100 > threshold) {
            fire(ProfilerRuleName.IO_BOTTLENECK, epoch, String.format(Locale.ROOT,
                    "the training loop waited for batches %.1f%% of epoch %d's training time (%.2f of %.2f s), over %.0f%%;"
                            + " data loading is the bottleneck", 100 * share, epoch, dataSeconds, trainSeconds, threshold),
                    Map.of("data_wait_share", share, "data_seconds", dataSeconds, "train_seconds", trainSeconds));
        }
        evaluateRunRules(epoch);
        LOG.info(logLine(epoch));
    }

    /** @return what the profiler saw so far, with every rule's verdict */
    public synchronized ProfilerReport report() {
        if (!config.enabled()) {
            return ProfilerReport.NONE;
        }
        evaluateRunRules(0);
        List<ProfilerVerdict> verdicts = new ArrayList<>();
        for (ProfilerRuleName rule : ProfilerRuleName.values()) {
            verdicts.add(fired.getOrDefault(rule,
                    new ProfilerVerdict(rule, RuleStatus.NO_ISSUES_FOUND, 0, "no issues found", Map.of())));
        }
        return new ProfilerReport(verdicts, samples, stepSeconds, secondsToFirstStep, dataWaitShares, cores);
    }

    /** Stops the sampling thread. */
    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    String logLine(int epoch) {
        double[] steps = stepSeconds.stream().mapToDouble(Double::doubleValue).toArray();
        ResourceSample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        ProfilerReport partial = new ProfilerReport(List.of(), samples, List.of(), Double.NaN, List.of(), cores);
        return String.format(Locale.ROOT,
                "Profiler_epoch %d: Profiler_issues=%d; Data_wait_share=%.3f; Step_sec_mean=%.4f; Step_outliers=%d;"
                        + " Cpu_process_p50=%.1f; Cpu_system_p50=%.1f; Rss_mb=%d; Threads=%d; Cores=%d",
                epoch, fired.size(), dataWaitShares.isEmpty() ? 0 : dataWaitShares.get(dataWaitShares.size() - 1),
                Arrays.stream(steps).average().orElse(0), outliers(steps), partial.cpuPercentile(50, true),
                partial.cpuPercentile(50, false), last == null ? 0 : last.residentBytes() >> 20,
                last == null ? 0 : last.threads(), cores);
    }

    private void evaluateRunRules(int epoch) {
        double[] steps = stepSeconds.stream().mapToDouble(Double::doubleValue).toArray();
        int outliers = outliers(steps);
        double allowed = config.parameter(ProfilerRuleName.STEP_OUTLIER, "n_outliers");
        if (outliers > allowed) {
            double[] rest = Arrays.copyOfRange(steps, Math.min(1, steps.length), steps.length);
            fire(ProfilerRuleName.STEP_OUTLIER, epoch, String.format(Locale.ROOT,
                    "%d steps took longer than the mean %.4f s plus %.1f standard deviations (%.4f s), over %.0f allowed",
                    outliers, mean(rest), config.parameter(ProfilerRuleName.STEP_OUTLIER, "stddev"), std(rest), allowed),
                    Map.of("outliers", (double) outliers, "mean_step_seconds", mean(rest), "std_step_seconds", std(rest)));
        }
        if (epoch == 0) {
            memoryIncrease(); // a question about the whole run: whether growth levelled off shows only at its end
        }
        lowCpu(epoch);
    }

    private int outliers(double[] steps) {
        if (steps.length < 3) {
            return 0;
        }
        double[] rest = Arrays.copyOfRange(steps, 1, steps.length); // the first step includes warm-up
        double limit = mean(rest) + config.parameter(ProfilerRuleName.STEP_OUTLIER, "stddev") * std(rest);
        return (int) Arrays.stream(rest).filter(t -> t > limit).count();
    }

    /**
     * Resident memory growth while training: the baseline window starts {@code patience} samples
     * into the run and not before the first step after the first epoch (the first epoch, its
     * validation and its checkpoint fill PyTorch's caches and the allocator's arenas: warm-up, not a
     * leak); the latest window ends with the latest step (scoring the final model after the last
     * step is not training). In a training run the growth must also go on: the latest window must
     * be above the window half-way between the two by half the threshold, as memory leaked at every
     * step is and allocator warm-up, which levels off, is not; that takes three windows of samples
     * after warm-up. Without steps (a profiler used on its own) every sample counts and two windows
     * are compared. Evaluated by {@link #report()}, at the end of the run, not after each epoch: in
     * the middle of a short run warm-up has not levelled off yet.
     */
    private void memoryIncrease() {
        int epoch = 0;
        int patience = (int) config.parameter(ProfilerRuleName.MEMORY_INCREASE, "patience");
        int window = Math.max(1, (int) config.parameter(ProfilerRuleName.MEMORY_INCREASE, "window"));
        int start = Math.max(patience, Math.max(0, warmUpSamples));
        boolean training = samplesByLastStep >= 0;
        int end = training ? samplesByLastStep : samples.size();
        if (start >= end) {
            return;
        }
        List<ResourceSample> measured = samples.subList(start, end).stream().filter(s -> s.residentBytes() > 0).toList();
        if (measured.size() < (training ? 3 : 2) * window) {
            return;
        }
        double first = meanResident(measured, 0, window);
        double latest = meanResident(measured, measured.size() - window, window);
        double increase = 100 * (latest - first) / first;
        double threshold = config.parameter(ProfilerRuleName.MEMORY_INCREASE, "increase");
        if (increase <= threshold) {
            return;
        }
        Map<String, Double> values = new java.util.HashMap<>(
                Map.of("increase_percent", increase, "first_window_bytes", first, "latest_window_bytes", latest));
        String midway = "";
        if (training) {
            int middleStart = (measured.size() - window) / 2;
            double middle = meanResident(measured, middleStart, window);
            double lateIncrease = 100 * (latest - middle) / middle;
            if (lateIncrease <= threshold / 2) {
                return; // it levelled off: warm-up
            }
            values.put("middle_window_bytes", middle);
            values.put("late_increase_percent", lateIncrease);
            midway = String.format(Locale.ROOT, ", still growing %.1f%% since the middle window (%.0f MiB)",
                    lateIncrease, middle / (1 << 20));
        }
        fire(ProfilerRuleName.MEMORY_INCREASE, epoch, String.format(Locale.ROOT,
                "resident memory grew %.1f%%, from %.0f MiB (mean of samples %d-%d) to %.0f MiB (latest %d)%s, over %.1f%%",
                increase, first / (1 << 20), start + 1, start + window, latest / (1 << 20), window, midway, threshold),
                values);
    }

    private static double meanResident(List<ResourceSample> samples, int from, int count) {
        return samples.subList(from, from + count).stream().mapToLong(ResourceSample::residentBytes).average().orElse(0);
    }

    private void lowCpu(int epoch) {
        int patience = (int) config.parameter(ProfilerRuleName.LOW_CPU_UTILIZATION, "patience");
        if (stepSeconds.isEmpty() || samples.size() <= patience + 1) {
            return;
        }
        double[] cpu = samples.subList(patience, samples.size()).stream().mapToDouble(ResourceSample::processCpuPercent)
                .filter(Double::isFinite).sorted().toArray();
        double p95 = percentile(cpu, 95) / cores;
        double threshold = config.parameter(ProfilerRuleName.LOW_CPU_UTILIZATION, "threshold");
        if (cpu.length > 0 && p95 < threshold) {
            fire(ProfilerRuleName.LOW_CPU_UTILIZATION, epoch, String.format(Locale.ROOT,
                    "the process used at most %.1f%% of the %d cores in 95%% of samples, under %.0f%%",
                    p95, cores, threshold), Map.of("cpu_p95_percent_of_cores", p95));
        }
    }

    private void fire(ProfilerRuleName rule, int epoch, String evidence, Map<String, Double> values) {
        if (!fired.containsKey(rule)) {
            fired.put(rule, new ProfilerVerdict(rule, RuleStatus.ISSUES_FOUND, epoch, evidence, values));
            LOG.warn("Profiler rule {}: IssuesFound{}: {}", rule.sageMakerName(),
                    epoch > 0 ? " in epoch " + epoch : "", evidence);
        }
    }

    private void sample() {
        try {
            long now = System.nanoTime();
            long processCpu = processCpuNanos();
            double processPercent = Double.NaN;
            if (previousProcessCpuNanos >= 0 && processCpu >= 0 && now > previousSampleNanos) {
                processPercent = 100.0 * (processCpu - previousProcessCpuNanos) / (now - previousSampleNanos);
            }
            long[] system = systemTicks();
            double systemPercent = Double.NaN;
            if (previousSystem != null && system != null && system[0] > previousSystem[0]) {
                systemPercent = 100.0 * (1 - (double) (system[1] - previousSystem[1]) / (system[0] - previousSystem[0]));
            }
            previousProcessCpuNanos = processCpu;
            previousSampleNanos = now;
            previousSystem = system;
            long[] status = status();
            Runtime runtime = Runtime.getRuntime();
            ResourceSample sample = new ResourceSample((now - startNanos) / 1e9, processPercent, systemPercent,
                    status[0], runtime.totalMemory() - runtime.freeMemory(),
                    status[1] > 0 ? (int) status[1] : Thread.activeCount());
            synchronized (this) {
                samples.add(sample);
            }
        } catch (RuntimeException e) {
            LOG.debug("profiler sample failed", e);
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** @return {total, idle} jiffies of all CPUs from /proc/stat, or null */
    private static long[] systemTicks() {
        try {
            String line = Files.readAllLines(PROC_STAT).get(0);
            String[] f = line.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total, idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** @return {resident bytes, threads} from /proc/self/status, 0 where unknown */
    private static long[] status() {
        long rss = 0;
        long threads = 0;
        try {
            for (String line : Files.readAllLines(PROC_SELF_STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                } else if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.substring(8).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: left unknown
        }
        return new long[] {rss, threads};
    }

    static double percentile(double[] sorted, double percentile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double rank = percentile / 100 * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = Math.min(sorted.length - 1, low + 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double std(double[] values) {
        double m = mean(values);
        return Math.sqrt(Arrays.stream(values).map(v -> (v - m) * (v - m)).average().orElse(Double.NaN));
    }
}
