package io.xray.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.IntSupplier;

/** The server's Micrometer meters, scraped as Prometheus text at {@code GET /metrics}. */
final class ServerMetrics {

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
