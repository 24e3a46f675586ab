package io.xray.sagemaker;

import io.xray.InvalidConfigurationException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Where and as whom xray works on SageMaker: the region, the execution role that jobs and
 * endpoints run as, the default S3 bucket, and the SDK clients (SageMaker, SageMaker runtime, S3,
 * CloudWatch, CloudWatch Logs) built from one credentials provider.
 *
 * <pre>{@code
 * try (SageMakerSession session = SageMakerSession.builder()
 *         .region(Region.EU_WEST_1)
 *         .roleArn("arn:aws:iam::123456789012:role/xray-sagemaker")
 *         .defaultBucket("my-xray-bucket")
 *         .build()) {
 *     TrainingJob job = TrainingJob.builder(session)...build();
 * }
 * }</pre>
 *
 * <p>Credentials come from the SDK's default chain (environment, system properties, profile, web
 * identity, container and instance roles) unless a provider is given; they are never logged, and
 * {@link #toString()} leaves them out. Throttling ({@code ThrottlingException}, 429) and transient
 * errors are retried by the SDK's own standard retry strategy with exponential, jittered backoff,
 * configured here ({@link Builder#maxAttempts}, {@link Builder#throttlingBackoff}), not re-written.
 * The role and the bucket are optional until something needs them: {@link #roleArn()} and
 * {@link #defaultBucket()} then fail naming the missing setting. Endpoint overrides point a client
 * at a server on loopback, for tests or a local model server.
 *
 * <p>The session builds its clients on first use and closes them in {@link #close()}.
 */
public final class SageMakerSession implements SdkAutoCloseable {

    /** IAM role ARNs as SageMaker accepts them for {@code RoleArn}. */
    static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
    /** S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric. */
    static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");

    private static final Logger LOG = LoggerFactory.getLogger(SageMakerSession.class);

    private final Region region;
    private final String roleArn;
    private final String defaultBucket;
    private final AwsCredentialsProvider credentials;
    private final boolean ownsCredentials;
    private final URI sageMakerEndpoint;
    private final URI runtimeEndpoint;
    private final URI s3Endpoint;
    private final URI cloudWatchEndpoint;
    private final URI logsEndpoint;
    private final int maxAttempts;
    private final Duration throttlingBase;
    private final Duration throttlingMax;
    private final Duration apiCallTimeout;

    private SageMakerClient sageMaker;
    private SageMakerRuntimeClient runtime;
    private S3Client s3;
    private CloudWatchClient cloudWatch;
    private CloudWatchLogsClient logs;
    private boolean closed;

    private SageMakerSession(Builder b, Region region) {
        this.region = region;
        this.roleArn = b.roleArn;
        this.defaultBucket = b.defaultBucket;
        this.ownsCredentials = b.credentials == null;
        this.credentials = b.credentials != null ? b.credentials : DefaultCredentialsProvider.builder().build();
        this.sageMakerEndpoint = b.sageMakerEndpoint;
        this.runtimeEndpoint = b.runtimeEndpoint;
        this.s3Endpoint = b.s3Endpoint;
        this.cloudWatchEndpoint = b.cloudWatchEndpoint;
        this.logsEndpoint = b.logsEndpoint;
        this.maxAttempts = b.maxAttempts;
        this.throttlingBase = b.throttlingBase;
        this.throttlingMax = b.throttlingMax;
        this.apiCallTimeout = b.apiCallTimeout;
    }

    /** @return a builder: region from the default chain when not set, 8 attempts per call */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the region */
    public Region region() {
        return region;
    }

    /**
     * @return the execution role ARN that jobs and models run as
     * @throws InvalidConfigurationException ({@code roleArn}) when the session has none
     */
    public String roleArn() {
        if (roleArn == null) {
            throw new InvalidConfigurationException("roleArn", "no SageMaker execution role is set: training jobs,"
                    + " models and transform jobs run as an IAM role that SageMaker can assume; call"
                    + " SageMakerSession.builder().roleArn(\"arn:aws:iam::ACCOUNT:role/NAME\")");
        }
        return roleArn;
    }

    /** @return the role ARN, if one is set */
    public Optional<String> optionalRoleArn() {
        return Optional.ofNullable(roleArn);
    }

    /**
     * @return the default bucket, for uploads and job outputs
     * @throws InvalidConfigurationException ({@code defaultBucket}) when the session has none
     */
    public String defaultBucket() {
        if (defaultBucket == null) {
            throw new InvalidConfigurationException("defaultBucket", "no default S3 bucket is set: give the job's"
                    + " S3 locations explicitly, or call SageMakerSession.builder().defaultBucket(\"NAME\")");
        }
        return defaultBucket;
    }

    /** @return the default bucket, if one is set */
    public Optional<String> optionalDefaultBucket() {
        return Optional.ofNullable(defaultBucket);
    }

    /** @return the SageMaker control-plane client, built on first use; the session closes it */
    public synchronized SageMakerClient sageMaker() {
        requireOpen();
        if (sageMaker == null) {
            sageMaker = configure(SageMakerClient.builder(), sageMakerEndpoint).build();
        }
        return sageMaker;
    }

    /** @return the SageMaker runtime client (InvokeEndpoint), built on first use; the session closes it */
    public synchronized SageMakerRuntimeClient runtime() {
        requireOpen();
        if (runtime == null) {
            runtime = configure(SageMakerRuntimeClient.builder(), runtimeEndpoint).build();
        }
        return runtime;
    }

    /**
     * @return the S3 client, built on first use; with an endpoint override it uses path-style
     *     access and checksums only where required (S3-compatible test servers need both); the
     *     session closes it
     */
    public synchronized S3Client s3() {
        requireOpen();
        if (s3 == null) {
            S3ClientBuilder builder = configure(S3Client.builder(), s3Endpoint);
            if (s3Endpoint != null) {
                // S3-compatible servers want path-style addresses, and many reject the SDK's default
                // (since 2.30) request checksums: send them only where S3 requires them.
                builder.forcePathStyle(true)
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
            }
            s3 = builder.build();
        }
        return s3;
    }

    /** @return the CloudWatch client (endpoint metrics), built on first use; the session closes it */
    public synchronized CloudWatchClient cloudWatch() {
        requireOpen();
        if (cloudWatch == null) {
            cloudWatch = configure(CloudWatchClient.builder(), cloudWatchEndpoint).build();
        }
        return cloudWatch;
    }

    /**
     * @return the CloudWatch Logs client (training jobs' log streams, read by
     *     {@link SageMakerTrialRunner}), built on first use; the session closes it
     */
    public synchronized CloudWatchLogsClient logs() {
        requireOpen();
        if (logs == null) {
            logs = configure(CloudWatchLogsClient.builder(), logsEndpoint).build();
        }
        return logs;
    }

    /** @return the retry strategy every client uses: the SDK's standard one, configured */
    RetryStrategy retryStrategy() {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxAttempts)
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(throttlingBase, throttlingMax))
                .build();
    }

    private <B extends AwsClientBuilder<B, C>, C> B configure(B builder, URI endpoint) {
        ClientOverrideConfiguration.Builder overrides = ClientOverrideConfiguration.builder()
                .retryStrategy(retryStrategy());
        if (apiCallTimeout != null) {
            overrides.apiCallTimeout(apiCallTimeout);
        }
        builder.region(region).credentialsProvider(credentials).overrideConfiguration(overrides.build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
    }

    /** Closes the clients this session built, and the default credentials provider it made. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SdkAutoCloseable client : new SdkAutoCloseable[] {sageMaker, runtime, s3, cloudWatch, logs}) {
            if (client != null) {
                client.close();
            }
        }
        if (ownsCredentials && credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }

    /** @return the region, role, bucket and overrides; never credentials */
    @Override
    public String toString() {
        return "SageMakerSession{region=" + region + ", roleArn=" + roleArn + ", defaultBucket=" + defaultBucket
                + (sageMakerEndpoint != null ? ", sageMakerEndpoint=" + sageMakerEndpoint : "")
                + (runtimeEndpoint != null ? ", runtimeEndpoint=" + runtimeEndpoint : "")
                + (s3Endpoint != null ? ", s3Endpoint=" + s3Endpoint : "")
                + ", maxAttempts=" + maxAttempts + "}";
    }

    /** Builds a {@link SageMakerSession}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private Region region;
        private String roleArn;
        private String defaultBucket;
        private AwsCredentialsProvider credentials;
        private URI sageMakerEndpoint;
        private URI runtimeEndpoint;
        private URI s3Endpoint;
        private URI cloudWatchEndpoint;
        private URI logsEndpoint;
        private int maxAttempts = 8;
        private Duration throttlingBase = Duration.ofSeconds(1);
        private Duration throttlingMax = Duration.ofSeconds(20);
        private Duration apiCallTimeout;

        private Builder() {
        }

        /** @param region the region; default the SDK's region chain ({@code AWS_REGION}, profile, instance)
         *  @return this builder */
        public Builder region(Region region) {
            this.region = region;
            return this;
        }

        /** @param roleArn the execution role, {@code arn:aws:iam::ACCOUNT:role/NAME}; needed by jobs and models
         *  @return this builder */
        public Builder roleArn(String roleArn) {
            this.roleArn = roleArn;
            return this;
        }

        /** @param bucket the default S3 bucket (a name, not a URI)
         *  @return this builder */
        public Builder defaultBucket(String bucket) {
            this.defaultBucket = bucket;
            return this;
        }

        /** @param provider the credentials; default the SDK's default chain. The session does not close a
         *      provider passed in
         *  @return this builder */
        public Builder credentialsProvider(AwsCredentialsProvider provider) {
            this.credentials = provider;
            return this;
        }

        /** @param endpoint the SageMaker control plane's address, for tests; default AWS's
         *  @return this builder */
        public Builder sageMakerEndpoint(URI endpoint) {
            this.sageMakerEndpoint = endpoint;
            return this;
        }

        /** @param endpoint the SageMaker runtime's address, for tests or an {@code xray serve} on this
         *      machine; default AWS's
         *  @return this builder */
        public Builder runtimeEndpoint(URI endpoint) {
            this.runtimeEndpoint = endpoint;
            return this;
        }

        /** @param endpoint an S3-compatible server's address (path-style access is then used); default AWS's
         *  @return this builder */
        public Builder s3Endpoint(URI endpoint) {
            this.s3Endpoint = endpoint;
            return this;
        }

        /** @param endpoint CloudWatch's address, for tests; default AWS's
         *  @return this builder */
        public Builder cloudWatchEndpoint(URI endpoint) {
            this.cloudWatchEndpoint = endpoint;
            return this;
        }

        /** @param endpoint CloudWatch Logs' address, for tests; default AWS's
         *  @return this builder */
        public Builder logsEndpoint(URI endpoint) {
            this.logsEndpoint = endpoint;
            return this;
        }

        /** @param maxAttempts attempts per call, the first included, 1 to 20; default 8 (SageMaker's control
         *      plane throttles readily, and job polling must ride it out)
         *  @return this builder */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * @param base the first throttling backoff, default 1 s
         * @param max the longest throttling backoff, default 20 s
         * @return this builder
         */
        public Builder throttlingBackoff(Duration base, Duration max) {
            this.throttlingBase = base;
            this.throttlingMax = max;
            return this;
        }

        /** @param timeout the limit for a whole call, retries included; default none (the SDK's)
         *  @return this builder */
        public Builder apiCallTimeout(Duration timeout) {
            this.apiCallTimeout = timeout;
            return this;
        }

        /**
         * @return the session
         * @throws InvalidConfigurationException naming the first bad field
         */
        public SageMakerSession build() {
            if (roleArn != null && !ROLE_ARN.matcher(roleArn).matches()) {
                throw new InvalidConfigurationException("roleArn", "'" + roleArn
                        + "' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)");
            }
            if (defaultBucket != null && (!BUCKET.matcher(defaultBucket).matches() || defaultBucket.contains(".."))) {
                throw new InvalidConfigurationException("defaultBucket", "'" + defaultBucket + "' is not an S3 bucket"
                        + " name (3-63 lower-case letters, digits, dots and hyphens; give the name, not s3://...)");
            }
            if (maxAttempts < 1 || maxAttempts > 20) {
                throw new InvalidConfigurationException("maxAttempts", "must be 1 to 20, was " + maxAttempts);
            }
            if (throttlingBase == null || throttlingMax == null || throttlingBase.isNegative() || throttlingBase.isZero()
                    || throttlingMax.compareTo(throttlingBase) < 0) {
                throw new InvalidConfigurationException("throttlingBackoff", "base must be positive and max at least"
                        + " base, was " + throttlingBase + " and " + throttlingMax);
            }
            if (apiCallTimeout != null && (apiCallTimeout.isNegative() || apiCallTimeout.isZero())) {
                throw new InvalidConfigurationException("apiCallTimeout", "must be positive, was " + apiCallTimeout);
            }
            for (URI endpoint : new URI[] {sageMakerEndpoint, runtimeEndpoint, s3Endpoint, cloudWatchEndpoint, logsEndpoint}) {
                if (endpoint != null && !"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
                    throw new InvalidConfigurationException("endpoint", "must be an http or https URI, was " + endpoint);
                }
            }
            Region resolved = region;
            if (resolved == null) {
                try {
                    resolved = new DefaultAwsRegionProviderChain().getRegion();
                } catch (SdkClientException e) {
                    throw new InvalidConfigurationException("region", "not set, and the SDK's region chain found none"
                            + " (AWS_REGION, aws.region, the profile's region); call region(Region.of(\"eu-west-1\"))");
                }
            }
            LOG.debug("SageMaker session in {} as {}", resolved, roleArn == null ? "(no role)" : roleArn);
            return new SageMakerSession(this, resolved);
        }
    }
}
