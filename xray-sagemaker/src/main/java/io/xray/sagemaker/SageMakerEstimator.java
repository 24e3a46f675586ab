package io.xray.sagemaker;

import io.xray.InvalidConfigurationException;
import io.xray.train.TrainingRecipe;
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
import software.amazon.awssdk.services.sagemaker.model.AlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.CheckpointConfig;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DataSource;
import software.amazon.awssdk.services.sagemaker.model.OutputDataConfig;
import software.amazon.awssdk.services.sagemaker.model.ProfilerConfig;
import software.amazon.awssdk.services.sagemaker.model.ResourceConfig;
import software.amazon.awssdk.services.sagemaker.model.S3DataDistribution;
import software.amazon.awssdk.services.sagemaker.model.S3DataSource;
import software.amazon.awssdk.services.sagemaker.model.S3DataType;
import software.amazon.awssdk.services.sagemaker.model.StoppingCondition;
import software.amazon.awssdk.services.sagemaker.model.TrainingInputMode;

/**
 * A SageMaker training job's definition, the counterpart of the SageMaker Python SDK's estimator:
 * the xray container image (whose {@code train} entrypoint is {@link SageMakerContainer}), the
 * instances, the {@link TrainingRecipe} sent as hyperparameters (every value a string), the
 * channels, where the model goes, and managed spot training with checkpoints.
 *
 * <pre>{@code
 * SageMakerEstimator estimator = SageMakerEstimator.builder(session)
 *         .imageUri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0")
 *         .instanceType("ml.g5.xlarge")
 *         .recipe(TrainingRecipe.defaults().withHyperparameters(Map.of("epochs", "12")))
 *         .channel("train", "s3://my-bucket/xray/chest_xray/")
 *         .managedSpot(Duration.ofHours(4))
 *         .build();
 * TrainingJobResult result = estimator.fit().waitForCompletion();
 * }</pre>
 *
 * <p>The job's metric definitions are {@link TrainingMetrics#definitions()}: regexes over the
 * {@code Val_epoch} line, including the best-so-far F1 that a tuner should optimise. Validated in
 * {@link Builder#build()}, each error naming its field; {@link #createRequest(String)} shows
 * exactly what {@link #fit(String)} sends.
 */
public final class SageMakerEstimator {

    /** SageMaker's longest MaxRuntimeInSeconds: 28 days. */
    public static final Duration MAX_RUNTIME_LIMIT = Duration.ofDays(28);
    /** Where the container finds checkpoints, and what managed spot training syncs to S3. */
    public static final String CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints";
    /** SageMaker's limit on the number of hyperparameters. */
    public static final int MAX_HYPERPARAMETERS = 100;
    /** The system-metrics intervals SageMaker's profiler accepts. */
    public static final java.util.Set<Duration> PROFILER_INTERVALS = java.util.Set.of(Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMinutes(1));
    /** SageMaker's limit on a hyperparameter value's length. */
    public static final int MAX_HYPERPARAMETER_LENGTH = 2500;

    static final Pattern S3_URI = Pattern.compile("s3://[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9](/.*)?");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("ml\\.[a-z0-9]+\\.[a-z0-9]+");
    private static final Pattern CHANNEL_NAME = Pattern.compile("[A-Za-z0-9\\.\\-_]{1,64}");
    private static final Logger LOG = LoggerFactory.getLogger(SageMakerEstimator.class);

    private final SageMakerSession session;
    private final String imageUri;
    private final String instanceType;
    private final int instanceCount;
    private final int volumeSizeGb;
    private final Duration maxRuntime;
    private final TrainingRecipe recipe;
    private final Map<String, String> channels;
    private final String outputPath;
    private final boolean managedSpot;
    private final Duration maxWait;
    private final String checkpointS3Uri;
    private final String baseJobName;
    private final Clock clock;
    private final Duration systemMetricsInterval;

    private SageMakerEstimator(Builder b, String outputPath, String checkpointS3Uri) {
        this.session = b.session;
        this.imageUri = b.imageUri;
        this.instanceType = b.instanceType;
        this.instanceCount = b.instanceCount;
        this.volumeSizeGb = b.volumeSizeGb;
        this.maxRuntime = b.maxRuntime;
        this.recipe = b.recipe;
        this.channels = Map.copyOf(new LinkedHashMap<>(b.channels));
        this.outputPath = outputPath;
        this.managedSpot = b.managedSpot;
        this.maxWait = b.maxWait;
        this.checkpointS3Uri = checkpointS3Uri;
        this.baseJobName = b.baseJobName;
        this.clock = b.clock;
        this.systemMetricsInterval = b.systemMetricsInterval;
    }

    /**
     * @param session the region, role and clients
     * @return a builder: one {@code ml.m5.xlarge}, 30 GB, 24 h, the default recipe, no spot
     */
    public static Builder builder(SageMakerSession session) {
        return new Builder(session);
    }

    /**
     * The request {@link #fit(String)} sends.
     *
     * @param jobName the job's name
     * @return the request
     * @throws InvalidConfigurationException ({@code jobName}) for a name SageMaker would refuse,
     *     ({@code roleArn}) when the session has no role
     */
    public CreateTrainingJobRequest createRequest(String jobName) {
        JobNames.require("jobName", jobName, JobNames.TRAINING_JOB_MAX);
        List<Channel> inputs = new ArrayList<>();
        channels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> inputs.add(Channel.builder()
                .channelName(e.getKey())
                .inputMode(TrainingInputMode.FILE)
                .dataSource(DataSource.builder().s3DataSource(S3DataSource.builder()
                        .s3DataType(S3DataType.S3_PREFIX)
                        .s3Uri(e.getValue())
                        .s3DataDistributionType(S3DataDistribution.FULLY_REPLICATED)
                        .build()).build())
                .build()));
        StoppingCondition.Builder stopping = StoppingCondition.builder().maxRuntimeInSeconds((int) maxRuntime.toSeconds());
        CreateTrainingJobRequest.Builder request = CreateTrainingJobRequest.builder()
                .trainingJobName(jobName)
                .roleArn(session.roleArn())
                .algorithmSpecification(AlgorithmSpecification.builder()
                        .trainingImage(imageUri)
                        .trainingInputMode(TrainingInputMode.FILE)
                        .metricDefinitions(TrainingMetrics.definitions())
                        .build())
                .hyperParameters(recipe.toHyperparameters())
                .inputDataConfig(inputs)
                .outputDataConfig(OutputDataConfig.builder().s3OutputPath(outputPath).build())
                .resourceConfig(ResourceConfig.builder()
                        .instanceType(instanceType)
                        .instanceCount(instanceCount)
                        .volumeSizeInGB(volumeSizeGb)
                        .build());
        if (managedSpot) {
            stopping.maxWaitTimeInSeconds((int) maxWait.toSeconds());
            request.enableManagedSpotTraining(true);
        }
        if (checkpointS3Uri != null) {
            String uri = checkpointS3Uri.endsWith("/") ? checkpointS3Uri + jobName : checkpointS3Uri + "/" + jobName;
            request.checkpointConfig(CheckpointConfig.builder().s3Uri(uri).localPath(CHECKPOINT_LOCAL_PATH).build());
        }
        if (systemMetricsInterval != null) {
            request.profilerConfig(ProfilerConfig.builder()
                    .profilingIntervalInMilliseconds(systemMetricsInterval.toMillis())
                    .s3OutputPath(outputPath)
                    .build());
        }
        return request.stoppingCondition(stopping.build()).build();
    }

    /** @return a job name from the base name and the time, within SageMaker's 63 characters */
    public String newJobName() {
        return JobNames.trainingJob(baseJobName, clock.instant());
    }

    /**
     * Starts a training job with a new name ({@link #newJobName()}).
     *
     * @return the started job; wait for it with {@link TrainingJob#waitForCompletion()}
     * @throws SageMakerException when SageMaker refuses the job, naming what it said
     */
    public TrainingJob fit() {
        return fit(newJobName());
    }

    /**
     * Starts a training job.
     *
     * @param jobName its name
     * @return the started job
     * @throws SageMakerException when SageMaker refuses the job, naming what it said
     */
    public TrainingJob fit(String jobName) {
        return start(createRequest(jobName));
    }

    /**
     * Starts a training job whose hyperparameters are the given map instead of the recipe's (the
     * SageMaker trial runner sends a trial's suggestion exactly as the search spelled it).
     */
    TrainingJob fit(String jobName, Map<String, String> hyperparameters) {
        if (hyperparameters.size() > MAX_HYPERPARAMETERS) {
            throw new InvalidConfigurationException("hyperparameters", hyperparameters.size()
                    + " hyperparameters; SageMaker accepts at most " + MAX_HYPERPARAMETERS);
        }
        hyperparameters.forEach((k, v) -> {
            if (v == null || v.length() > MAX_HYPERPARAMETER_LENGTH) {
                throw new InvalidConfigurationException("hyperparameters", "hyperparameter " + k + " must be a string"
                        + " of at most " + MAX_HYPERPARAMETER_LENGTH + " characters");
            }
        });
        return start(createRequest(jobName).toBuilder().hyperParameters(hyperparameters).build());
    }

    /** @return the session the jobs run in */
    SageMakerSession session() {
        return session;
    }

    private TrainingJob start(CreateTrainingJobRequest request) {
        String jobName = request.trainingJobName();
        try {
            CreateTrainingJobResponse response = session.sageMaker().createTrainingJob(request);
            LOG.info("Started training job {} ({} x {}, image {}){}", jobName, instanceCount, instanceType, imageUri,
                    managedSpot ? " with managed spot" : "");
            return new TrainingJob(session, jobName, response.trainingJobArn());
        } catch (SdkException e) {
            throw AwsErrors.translate("CreateTrainingJob", jobName, e);
        }
    }

    /** @return the recipe sent as hyperparameters */
    public TrainingRecipe recipe() {
        return recipe;
    }

    /** @return channel name to S3 URI */
    public Map<String, String> channels() {
        return channels;
    }

    /** @return where SageMaker writes {@code <job>/output/model.tar.gz} */
    public String outputPath() {
        return outputPath;
    }

    /** @return whether managed spot training is on */
    public boolean managedSpot() {
        return managedSpot;
    }

    @Override
    public String toString() {
        return "SageMakerEstimator{image=" + imageUri + ", " + instanceCount + " x " + instanceType + ", " + volumeSizeGb
                + " GB, maxRuntime=" + maxRuntime + ", channels=" + channels + ", output=" + outputPath
                + (managedSpot ? ", spot maxWait=" + maxWait + ", checkpoints=" + checkpointS3Uri : "") + "}";
    }

    /** Builds a {@link SageMakerEstimator}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private final SageMakerSession session;
        private String imageUri;
        private String instanceType = "ml.m5.xlarge";
        private int instanceCount = 1;
        private int volumeSizeGb = 30;
        private Duration maxRuntime = Duration.ofHours(24);
        private TrainingRecipe recipe = TrainingRecipe.defaults();
        private final Map<String, String> channels = new LinkedHashMap<>();
        private String outputPath;
        private boolean managedSpot;
        private Duration maxWait;
        private String checkpointS3Uri;
        private String baseJobName = "xray";
        private Clock clock = Clock.systemUTC();
        private Duration systemMetricsInterval;

        private Builder(SageMakerSession session) {
            this.session = Objects.requireNonNull(session, "session");
        }

        /** @param imageUri the xray container image in ECR ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com/xray:TAG}); required
         *  @return this builder */
        public Builder imageUri(String imageUri) {
            this.imageUri = imageUri;
            return this;
        }

        /** @param instanceType e.g. {@code ml.g5.xlarge}; default {@code ml.m5.xlarge}
         *  @return this builder */
        public Builder instanceType(String instanceType) {
            this.instanceType = instanceType;
            return this;
        }

        /** @param count instances; xray trains on one, so 1 (the default) is the only value accepted
         *  @return this builder */
        public Builder instanceCount(int count) {
            this.instanceCount = count;
            return this;
        }

        /** @param gigabytes the ML storage volume (data, checkpoints, model), 1 to 16384; default 30
         *  @return this builder */
        public Builder volumeSizeGb(int gigabytes) {
            this.volumeSizeGb = gigabytes;
            return this;
        }

        /** @param maxRuntime the training time limit, at most 28 days; default 24 h
         *  @return this builder */
        public Builder maxRuntime(Duration maxRuntime) {
            this.maxRuntime = maxRuntime;
            return this;
        }

        /** @param recipe what to train, sent as hyperparameters; default {@link TrainingRecipe#defaults()}
         *  @return this builder */
        public Builder recipe(TrainingRecipe recipe) {
            this.recipe = recipe;
            return this;
        }

        /**
         * @param name {@code train} (required), {@code validation} or {@code test}
         * @param s3Uri an S3 prefix holding a {@code chest_xray} folder or a manifest with its images
         * @return this builder
         */
        public Builder channel(String name, String s3Uri) {
            this.channels.put(name, s3Uri);
            return this;
        }

        /** @param s3Uri where SageMaker writes the model ({@code <job>/output/model.tar.gz}); default
         *      {@code s3://<default bucket>/xray/training}
         *  @return this builder */
        public Builder outputPath(String s3Uri) {
            this.outputPath = s3Uri;
            return this;
        }

        /**
         * Turns managed spot training on: cheaper, interruptible instances; SageMaker syncs
         * {@value SageMakerEstimator#CHECKPOINT_LOCAL_PATH} to S3 and a resumed container continues
         * from the last epoch.
         *
         * @param maxWait the time limit including waiting for spot capacity; at least {@link #maxRuntime}
         * @return this builder
         */
        public Builder managedSpot(Duration maxWait) {
            this.managedSpot = true;
            this.maxWait = maxWait;
            return this;
        }

        /** @param s3Uri the S3 prefix for checkpoints (the job's name is appended); default with managed spot
         *      {@code s3://<default bucket>/xray/checkpoints}; optional without it
         *  @return this builder */
        public Builder checkpointS3Uri(String s3Uri) {
            this.checkpointS3Uri = s3Uri;
            return this;
        }

        /**
         * Asks SageMaker's profiler for system metrics (CPU, GPU, memory, I/O) at this interval
         * ({@code ProfilerConfig}). Only for accounts that already used SageMaker Debugger: it closed
         * to new customers on 2026-07-30, and the profiler's support ends 2027-06-30. xray's own
         * timings are in every {@code Val_epoch} line either way. Default: no {@code ProfilerConfig}.
         *
         * @param interval one of {@link SageMakerEstimator#PROFILER_INTERVALS}
         * @return this builder
         */
        public Builder systemMetrics(Duration interval) {
            this.systemMetricsInterval = interval;
            return this;
        }

        /** @param base the start of generated job names; default {@code xray}
         *  @return this builder */
        public Builder baseJobName(String base) {
            this.baseJobName = base;
            return this;
        }

        /** @param clock the clock of generated job names; default UTC system time
         *  @return this builder */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @return the estimator
         * @throws InvalidConfigurationException naming the first bad field
         */
        public SageMakerEstimator build() {
            if (imageUri == null || imageUri.isBlank()) {
                throw new InvalidConfigurationException("imageUri", "must be set: the xray container image in ECR"
                        + " (see xray-sagemaker/container/Dockerfile)");
            }
            if (instanceType == null || !INSTANCE_TYPE.matcher(instanceType).matches()) {
                throw new InvalidConfigurationException("instanceType", "'" + instanceType
                        + "' is not a SageMaker instance type such as ml.m5.xlarge or ml.g5.xlarge");
            }
            if (instanceCount != 1) {
                throw new InvalidConfigurationException("instanceCount", "must be 1: xray trains on one instance, was "
                        + instanceCount);
            }
            if (volumeSizeGb < 1 || volumeSizeGb > 16384) {
                throw new InvalidConfigurationException("volumeSizeGb", "must be 1 to 16384, was " + volumeSizeGb);
            }
            if (maxRuntime == null || maxRuntime.toSeconds() < 1 || maxRuntime.compareTo(MAX_RUNTIME_LIMIT) > 0) {
                throw new InvalidConfigurationException("maxRuntime", "must be 1 s to 28 days, was " + maxRuntime);
            }
            if (recipe == null) {
                throw new InvalidConfigurationException("recipe", "must not be null");
            }
            Map<String, String> hyperparameters = recipe.toHyperparameters();
            if (hyperparameters.size() > MAX_HYPERPARAMETERS) {
                throw new InvalidConfigurationException("recipe", hyperparameters.size()
                        + " hyperparameters; SageMaker accepts at most " + MAX_HYPERPARAMETERS);
            }
            hyperparameters.forEach((k, v) -> {
                if (v.length() > MAX_HYPERPARAMETER_LENGTH) {
                    throw new InvalidConfigurationException("recipe", "hyperparameter " + k + " has " + v.length()
                            + " characters; SageMaker accepts at most " + MAX_HYPERPARAMETER_LENGTH);
                }
            });
            if (!channels.containsKey(SageMakerContainer.TRAIN_CHANNEL)) {
                throw new InvalidConfigurationException("channel", "a '" + SageMakerContainer.TRAIN_CHANNEL
                        + "' channel is required");
            }
            channels.forEach((name, uri) -> {
                if (name == null || !CHANNEL_NAME.matcher(name).matches()) {
                    throw new InvalidConfigurationException("channel", "'" + name + "' is not a channel name");
                }
                requireS3Uri("channel " + name, uri);
            });
            String output = outputPath != null ? outputPath
                    : "s3://" + defaultBucket("outputPath") + "/xray/training";
            requireS3Uri("outputPath", output);
            String checkpoints = checkpointS3Uri;
            if (managedSpot) {
                if (maxWait == null || maxWait.compareTo(maxRuntime) < 0) {
                    throw new InvalidConfigurationException("managedSpot", "maxWait (" + maxWait + ") must be at least"
                            + " maxRuntime (" + maxRuntime + "): it includes the time spent waiting for spot capacity");
                }
                if (maxWait.compareTo(MAX_RUNTIME_LIMIT) > 0) {
                    throw new InvalidConfigurationException("managedSpot", "maxWait must be at most 28 days, was " + maxWait);
                }
                if (checkpoints == null) {
                    checkpoints = "s3://" + defaultBucket("checkpointS3Uri") + "/xray/checkpoints";
                }
            }
            if (checkpoints != null) {
                requireS3Uri("checkpointS3Uri", checkpoints);
            }
            if (clock == null) {
                throw new InvalidConfigurationException("clock", "must not be null");
            }
            if (systemMetricsInterval != null && !PROFILER_INTERVALS.contains(systemMetricsInterval)) {
                throw new InvalidConfigurationException("systemMetrics", "SageMaker's profiler samples every 100, 200"
                        + " or 500 ms, 1 s, 5 s or 1 min, not " + systemMetricsInterval);
            }
            JobNames.trainingJob(baseJobName, clock.instant());
            session.roleArn(); // fails now, naming roleArn, rather than at fit()
            return new SageMakerEstimator(this, output, checkpoints);
        }

        private String defaultBucket(String field) {
            return session.optionalDefaultBucket().orElseThrow(() -> new InvalidConfigurationException(field,
                    "not set, and the session has no default bucket to derive it from"));
        }

        private static void requireS3Uri(String field, String uri) {
            if (uri == null || !S3_URI.matcher(uri).matches()) {
                throw new InvalidConfigurationException(field, "'" + uri + "' is not an S3 URI (s3://bucket/prefix)");
            }
        }
    }
}
