package io.xray.debug;

/**
 * One sample of the process and the machine, read from {@code /proc}.
 *
 * @param seconds since the profiler started
 * @param processCpuPercent the process's CPU use since the previous sample, in percent of one core
 *     (200 = two cores busy); NaN for the first sample
 * @param systemCpuPercent the machine's CPU use since the previous sample, in percent of all cores; NaN for the first
 * @param residentBytes the process's resident set size (Java heap, native memory and code alike)
 * @param heapUsedBytes the JVM heap in use
 * @param threads the process's thread count
 */
public record ResourceSample(double seconds, double processCpuPercent, double systemCpuPercent, long residentBytes,
        long heapUsedBytes, int threads) {}
