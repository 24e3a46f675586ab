package io.xray.sagemaker;

import io.xray.InvalidConfigurationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.sagemaker.model.EndpointSummary;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/**
 * Deletes the endpoints xray deployed ({@link EndpointDeployment}, tagged
 * {@value EndpointDeployment#CREATED_BY_TAG}{@code =xray}) that are past their time-to-live
 * ({@value EndpointDeployment#EXPIRES_TAG}) or, with {@link Builder#maxIdle}, have had no
 * invocations for that long (CloudWatch's {@code AWS/SageMaker Invocations} metric), with their
 * configurations and models. Endpoints without xray's tag are never touched. In dry-run mode it
 * only says what it would delete.
 */
public final class EndpointSweeper {

    /** What the sweep decided for one endpoint. */
    public enum Action {
        /** Deleted (or, in a dry run, would be). */
        DELETE,
        /** Kept. */
        KEEP
    }

    /**
     * @param endpointName the endpoint
     * @param action delete or keep
     * @param reason why, e.g. {@code expired at 2026-11-29T18:00:00Z}
     * @param deleted true when it was deleted now (false in a dry run)
     */
    public record Decision(String endpointName, Action action, String reason, boolean deleted) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(EndpointSweeper.class);

    private final SageMakerSession session;
    private final Duration maxIdle;
    private final boolean dryRun;
    private final Clock clock;

    private EndpointSweeper(Builder b) {
        this.session = b.session;
        this.maxIdle = b.maxIdle;
        this.dryRun = b.dryRun;
        this.clock = b.clock;
    }

    /**
     * @param session the region and clients
     * @return a builder: time-to-live only, deleting for real
     */
    public static Builder builder(SageMakerSession session) {
        return new Builder(session);
    }

    /**
     * Looks at every endpoint of the region once.
     *
     * @return one decision per xray endpoint
     * @throws SageMakerException when a call fails (deletions already done stay done)
     */
    public List<Decision> sweep() {
        Instant now = clock.instant();
        List<Decision> decisions = new ArrayList<>();
        List<EndpointSummary> endpoints;
        try {
            endpoints = session.sageMaker().listEndpointsPaginator(r -> r.maxResults(100)).endpoints().stream().toList();
        } catch (SdkException e) {
            throw AwsErrors.translate("ListEndpoints", session.region().id(), e);
        }
        for (EndpointSummary endpoint : endpoints) {
            Map<String, String> tags;
            try {
                tags = session.sageMaker().listTags(r -> r.resourceArn(endpoint.endpointArn())).tags().stream()
                        .collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
            } catch (SdkException e) {
                throw AwsErrors.translate("ListTags", endpoint.endpointName(), e);
            }
            if (!"xray".equals(tags.get(EndpointDeployment.CREATED_BY_TAG))) {
                continue;
            }
            String reason = expired(tags.get(EndpointDeployment.EXPIRES_TAG), now);
            if (reason == null && maxIdle != null) {
                reason = idle(endpoint, now);
            }
            if (reason == null) {
                decisions.add(new Decision(endpoint.endpointName(), Action.KEEP, "in use and within its time to live", false));
                continue;
            }
            if (!dryRun) {
                delete(endpoint.endpointName());
            }
            LOG.info("{} endpoint {}: {}", dryRun ? "Would delete" : "Deleted", endpoint.endpointName(), reason);
            decisions.add(new Decision(endpoint.endpointName(), Action.DELETE, reason, !dryRun));
        }
        return decisions;
    }

    private static String expired(String expires, Instant now) {
        if (expires == null) {
            return null;
        }
        try {
            Instant at = Instant.parse(expires);
            return now.isBefore(at) ? null : "expired at " + at;
        } catch (DateTimeParseException e) {
            return null; // a tag someone edited by hand: keep the endpoint rather than guess
        }
    }

    private String idle(EndpointSummary endpoint, Instant now) {
        Instant since = now.minus(maxIdle);
        if (endpoint.creationTime() != null && endpoint.creationTime().isAfter(since)) {
            return null; // younger than the idle limit
        }
        long period = Math.max(60, (maxIdle.toSeconds() + 59) / 60 * 60);
        List<Datapoint> points;
        try {
            points = session.cloudWatch().getMetricStatistics(r -> r.namespace("AWS/SageMaker")
                    .metricName("Invocations")
                    .dimensions(Dimension.builder().name("EndpointName").value(endpoint.endpointName()).build(),
                            Dimension.builder().name("VariantName").value(EndpointDeployment.VARIANT).build())
                    .startTime(since)
                    .endTime(now)
                    .period((int) period)
                    .statistics(Statistic.SUM)).datapoints();
        } catch (SdkException e) {
            throw AwsErrors.translate("GetMetricStatistics", endpoint.endpointName(), e);
        }
        double invocations = points.stream().mapToDouble(p -> p.sum() == null ? 0 : p.sum()).sum();
        return invocations > 0 ? null : "no invocations in the last " + maxIdle.toHours() + " h";
    }

    private void delete(String name) {
        String config;
        String model = null;
        try {
            config = session.sageMaker().describeEndpoint(r -> r.endpointName(name)).endpointConfigName();
            var variants = session.sageMaker().describeEndpointConfig(r -> r.endpointConfigName(config)).productionVariants();
            if (!variants.isEmpty()) {
                model = variants.get(0).modelName();
            }
        } catch (SdkException e) {
            throw AwsErrors.translate("DescribeEndpoint", name, e);
        }
        new Endpoint(session, model, config, name).close();
    }

    /** Builds an {@link EndpointSweeper}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private final SageMakerSession session;
        private Duration maxIdle;
        private boolean dryRun;
        private Clock clock = Clock.systemUTC();

        private Builder(SageMakerSession session) {
            this.session = Objects.requireNonNull(session, "session");
        }

        /** @param maxIdle also delete endpoints with no invocations for this long (at least 1 h); default off
         *  @return this builder */
        public Builder maxIdle(Duration maxIdle) {
            this.maxIdle = maxIdle;
            return this;
        }

        /** @param dryRun only report; default false
         *  @return this builder */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** @param clock the clock; default UTC system time
         *  @return this builder */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @return the sweeper
         * @throws InvalidConfigurationException naming the first bad field
         */
        public EndpointSweeper build() {
            if (maxIdle != null && maxIdle.compareTo(Duration.ofHours(1)) < 0) {
                throw new InvalidConfigurationException("maxIdle", "must be at least 1 h (CloudWatch's metric"
                        + " arrives in minutes, and a new endpoint needs time for its first call), was " + maxIdle);
            }
            if (clock == null) {
                throw new InvalidConfigurationException("clock", "must not be null");
            }
            return new EndpointSweeper(this);
        }
    }
}
