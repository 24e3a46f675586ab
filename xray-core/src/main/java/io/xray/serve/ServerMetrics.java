package io.xray.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntSupplier;

/** The server's Micrometer meters, scraped as Prometheus text at {@code GET /metrics}. */
final class ServerMetrics {

    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DistributionSummary batchSizes;
    private final Counter rejections;

    ServerMetrics(IntSupplier queueDepth) {
        batchSizes = DistributionSummary.builder("xray.batch.size")
                .description("Images per model call")
                .baseUnit("images")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
                .register(registry);
        rejections = Counter.builder("xray.queue.rejections")
                .description("Requests refused with 503 because the prediction queue was full")
                .register(registry);
        Gauge.builder("xray.queue.depth", queueDepth::getAsInt)
                .description("Requests waiting for the model")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry); // jvm_memory_committed_bytes{area="heap"} tells heap growth from native growth
        Gauge.builder("process.resident.memory", ServerMetrics::residentMemoryBytes)
                .description("Resident set size of this process (VmRSS of /proc/self/status); NaN where unavailable")
                .baseUnit("bytes")
                .register(registry);
    }

    /**
     * @return the process's resident set size from {@code /proc/self/status} (Linux), in bytes, or
     *     NaN where that file is unavailable
     */
    static double residentMemoryBytes() {
        try {
            for (String line : Files.readAllLines(PROC_STATUS, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    long value = Long.parseLong(parts[0]);
                    String unit = parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : "kb";
                    return switch (unit) {
                        case "b" -> value;
                        case "mb" -> value * 1024.0 * 1024.0;
                        case "gb" -> value * 1024.0 * 1024.0 * 1024.0;
                        default -> value * 1024.0;
                    };
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted
        }
        return Double.NaN;
    }

    void recordRequest(String route, int status, long nanos) {
        Timer.builder("xray.http.requests")
                .description("HTTP requests by route and status")
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    void recordBatch(int size) {
        batchSizes.record(size);
    }

    void recordRejection() {
        rejections.increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
