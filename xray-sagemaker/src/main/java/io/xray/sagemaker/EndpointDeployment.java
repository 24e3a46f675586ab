package io.xray.sagemaker;

import io.xray.InvalidConfigurationException;
import io.xray.serve.ModelServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.CreateEndpointConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateEndpointRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateModelRequest;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariant;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/**
 * How to host a trained model on a SageMaker real-time endpoint: a model (the xray image running
 * {@code serve} with the model artifact), an endpoint configuration with one {@code AllTraffic}
 * variant, and the endpoint. {@link #deploy()} creates all three, waits until the endpoint is
 * {@code InService} and returns an {@link Endpoint} that deletes them again on close, so a
 * forgotten endpoint stops costing money:
 *
 * <pre>{@code
 * try (Endpoint endpoint = EndpointDeployment.builder(session)
 *         .imageUri(image)
 *         .modelDataUrl(result.modelArtifacts())
 *         .instanceType("ml.m5.large")
 *         .build()
 *         .deploy()) {
 *     EndpointPrediction p = endpoint.predictor().predict(jpeg).get(0);
 * }
 * }</pre>
 *
 * <p>With {@link Builder#timeToLive(Duration)} the endpoint carries the tags
 * {@value #CREATED_BY_TAG}{@code =xray} and {@value #EXPIRES_TAG}{@code =<instant>}, for a sweep
 * that deletes endpoints past their time (the sweep itself is not built yet).
 */
public final class EndpointDeployment {

    /** The tag that marks what xray created. */
    public static final String CREATED_BY_TAG = "xray:created-by";
    /** The tag holding the instant after which the endpoint may be deleted. */
    public static final String EXPIRES_TAG = "xray:expires";
    /** The production variant's name. */
    public static final String VARIANT = "AllTraffic";

    private static final Pattern INSTANCE_TYPE = Pattern.compile("ml\\.[a-z0-9]+\\.[a-z0-9]+");
    private static final Logger LOG = LoggerFactory.getLogger(EndpointDeployment.class);

    private final SageMakerSession session;
    private final String imageUri;
    private final String modelDataUrl;
    private final String instanceType;
    private final int instanceCount;
    private final String baseName;
    private final Map<String, String> environment;
    private final Duration timeToLive;
    private final Duration pollInterval;
    private final Duration timeout;
    private final Clock clock;

    private EndpointDeployment(Builder b) {
        this.session = b.session;
        this.imageUri = b.imageUri;
        this.modelDataUrl = b.modelDataUrl;
        this.instanceType = b.instanceType;
        this.instanceCount = b.instanceCount;
        this.baseName = b.baseName;
        this.environment = Map.copyOf(b.environment);
        this.timeToLive = b.timeToLive;
        this.pollInterval = b.pollInterval;
        this.timeout = b.timeout;
        this.clock = b.clock;
    }

    /**
     * @param session the region, role and clients
     * @return a builder: one {@code ml.m5.large}, waiting up to 30 minutes, polling every 30 s
     */
    public static Builder builder(SageMakerSession session) {
        return new Builder(session);
    }

    /** @return the CreateModel request for a model of this name */
    CreateModelRequest modelRequest(String name) {
        return CreateModelRequest.builder()
                .modelName(name)
                .executionRoleArn(session.roleArn())
                .primaryContainer(ContainerDefinition.builder().image(imageUri).modelDataUrl(modelDataUrl)
                        .environment(environment).build())
                .tags(tags())
                .build();
    }

    private List<Tag> tags() {
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.builder().key(CREATED_BY_TAG).value("xray").build());
        if (timeToLive != null) {
            tags.add(Tag.builder().key(EXPIRES_TAG).value(clock.instant().plus(timeToLive).toString()).build());
        }
        return tags;
    }

    /**
     * Creates the model, the endpoint configuration and the endpoint (all named
     * {@code base-timestamp}), and waits until the endpoint is {@code InService}. When creation or
     * the wait fails, whatever was created is deleted before the exception is thrown.
     *
     * @return the endpoint; close it to delete the endpoint, its configuration and the model
     * @throws SageMakerException when a call fails or the endpoint ends {@code Failed}, with
     *     SageMaker's FailureReason
     */
    public Endpoint deploy() {
        String name = JobNames.trainingJob(baseName, clock.instant());
        SageMakerClient sageMaker = session.sageMaker();
        Endpoint endpoint = new Endpoint(session, null, null, null); // what close() deletes: what exists
        try {
            call("CreateModel", name, () -> sageMaker.createModel(modelRequest(name)));
            endpoint = new Endpoint(session, name, null, null);
            call("CreateEndpointConfig", name, () -> sageMaker.createEndpointConfig(CreateEndpointConfigRequest.builder()
                    .endpointConfigName(name)
                    .productionVariants(ProductionVariant.builder()
                            .variantName(VARIANT)
                            .modelName(name)
                            .instanceType(instanceType)
                            .initialInstanceCount(instanceCount)
                            .initialVariantWeight(1.0f)
                            .build())
                    .tags(tags())
                    .build()));
            endpoint = new Endpoint(session, name, name, null);
            call("CreateEndpoint", name, () -> sageMaker.createEndpoint(CreateEndpointRequest.builder()
                    .endpointName(name).endpointConfigName(name).tags(tags()).build()));
            endpoint = new Endpoint(session, name, name, name);
            LOG.info("Creating endpoint {} ({} x {}, model {})", name, instanceCount, instanceType, modelDataUrl);
            endpoint.awaitInService(pollInterval, timeout);
            return endpoint;
        } catch (RuntimeException e) {
            try {
                endpoint.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static void call(String operation, String name, Runnable call) {
        try {
            call.run();
        } catch (SdkException e) {
            throw AwsErrors.translate(operation, name, e);
        }
    }

    /** Builds an {@link EndpointDeployment}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private final SageMakerSession session;
        private String imageUri;
        private String modelDataUrl;
        private String instanceType = "ml.m5.large";
        private int instanceCount = 1;
        private String baseName = "xray";
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Duration timeToLive;
        private Duration pollInterval = Duration.ofSeconds(30);
        private Duration timeout = Duration.ofMinutes(30);
        private Clock clock = Clock.systemUTC();

        private Builder(SageMakerSession session) {
            this.session = Objects.requireNonNull(session, "session");
        }

        /** @param imageUri the xray image in ECR (its {@code serve} entrypoint runs); required
         *  @return this builder */
        public Builder imageUri(String imageUri) {
            this.imageUri = imageUri;
            return this;
        }

        /** @param s3Uri the model artifact, {@code s3://.../model.tar.gz} as a training job wrote it; required
         *  @return this builder */
        public Builder modelDataUrl(String s3Uri) {
            this.modelDataUrl = s3Uri;
            return this;
        }

        /** @param instanceType e.g. {@code ml.m5.large} (the default)
         *  @return this builder */
        public Builder instanceType(String instanceType) {
            this.instanceType = instanceType;
            return this;
        }

        /** @param count instances behind the endpoint, at least 1 (the default)
         *  @return this builder */
        public Builder instanceCount(int count) {
            this.instanceCount = count;
            return this;
        }

        /** @param base the start of the model, configuration and endpoint names; default {@code xray}
         *  @return this builder */
        public Builder baseName(String base) {
            this.baseName = base;
            return this;
        }

        /** @param name a container environment variable (e.g. {@code SAGEMAKER_MAX_PAYLOAD_IN_MB})
         *  @param value its value
         *  @return this builder */
        public Builder environment(String name, String value) {
            this.environment.put(name, value);
            return this;
        }

        /** @param ttl how long the endpoint is meant to live, recorded as the {@value EndpointDeployment#EXPIRES_TAG} tag
         *  @return this builder */
        public Builder timeToLive(Duration ttl) {
            this.timeToLive = ttl;
            return this;
        }

        /**
         * @param pollInterval time between two DescribeEndpoint calls; default 30 s
         * @param timeout how long to wait for {@code InService}; default 30 minutes
         * @return this builder
         */
        public Builder waiting(Duration pollInterval, Duration timeout) {
            this.pollInterval = pollInterval;
            this.timeout = timeout;
            return this;
        }

        /** @param clock the clock of names and the time-to-live tag; default UTC system time
         *  @return this builder */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @return the deployment
         * @throws InvalidConfigurationException naming the first bad field
         */
        public EndpointDeployment build() {
            if (imageUri == null || imageUri.isBlank()) {
                throw new InvalidConfigurationException("imageUri", "must be set: the xray container image in ECR");
            }
            if (modelDataUrl == null || !SageMakerEstimator.S3_URI.matcher(modelDataUrl).matches()
                    || !modelDataUrl.endsWith(".tar.gz")) {
                throw new InvalidConfigurationException("modelDataUrl", "'" + modelDataUrl
                        + "' is not an S3 URI of a model.tar.gz (TrainingJobResult.modelArtifacts())");
            }
            if (instanceType == null || !INSTANCE_TYPE.matcher(instanceType).matches()) {
                throw new InvalidConfigurationException("instanceType", "'" + instanceType
                        + "' is not a SageMaker instance type such as ml.m5.large");
            }
            if (instanceCount < 1) {
                throw new InvalidConfigurationException("instanceCount", "must be at least 1, was " + instanceCount);
            }
            String port = environment.get("SAGEMAKER_BIND_TO_PORT");
            if (port != null && !port.equals(Integer.toString(ModelServer.DEFAULT_PORT))) {
                throw new InvalidConfigurationException("environment", "SAGEMAKER_BIND_TO_PORT is SageMaker's to set");
            }
            if (timeToLive != null && (timeToLive.isNegative() || timeToLive.isZero())) {
                throw new InvalidConfigurationException("timeToLive", "must be positive, was " + timeToLive);
            }
            if (pollInterval == null || pollInterval.isNegative() || timeout == null || timeout.isNegative()
                    || timeout.isZero()) {
                throw new InvalidConfigurationException("waiting", "poll interval and timeout must be positive");
            }
            if (clock == null) {
                throw new InvalidConfigurationException("clock", "must not be null");
            }
            JobNames.trainingJob(baseName, clock.instant());
            session.roleArn();
            return new EndpointDeployment(this);
        }
    }
}
