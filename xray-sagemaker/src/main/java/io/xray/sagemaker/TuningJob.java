package io.xray.sagemaker;

import io.xray.InvalidConfigurationException;
import io.xray.train.TrainingRecipe;
import io.xray.tune.Objective;
import io.xray.tune.TrialRecord;
import io.xray.tune.TrialStatus;
import io.xray.tune.TuningResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.model.CategoricalParameterRange;
import software.amazon.awssdk.services.sagemaker.model.ContinuousParameterRange;
import software.amazon.awssdk.services.sagemaker.model.CreateHyperParameterTuningJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeHyperParameterTuningJobResponse;
import software.amazon.awssdk.services.sagemaker.model.HyperParameterAlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.HyperParameterScalingType;
import software.amazon.awssdk.services.sagemaker.model.HyperParameterTrainingJobDefinition;
import software.amazon.awssdk.services.sagemaker.model.HyperParameterTrainingJobSummary;
import software.amazon.awssdk.services.sagemaker.model.HyperParameterTuningJobConfig;
import software.amazon.awssdk.services.sagemaker.model.HyperParameterTuningJobObjective;
import software.amazon.awssdk.services.sagemaker.model.HyperParameterTuningJobObjectiveType;
import software.amazon.awssdk.services.sagemaker.model.IntegerParameterRange;
import software.amazon.awssdk.services.sagemaker.model.ParameterRanges;
import software.amazon.awssdk.services.sagemaker.model.ResourceLimits;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobEarlyStoppingType;

/**
 * A SageMaker hyperparameter tuning job over a {@link SageMakerEstimator}'s training job: the
 * recipe's other values stay fixed (static hyperparameters), the ranges vary recipe keys, and the
 * objective is a {@link TrainingMetrics} metric, by default the best-so-far validation F1, so each
 * training job counts with its best epoch.
 *
 * <pre>{@code
 * TuningResult result = TuningJob.builder(estimator, session)
 *         .strategy(TuningJob.Strategy.BAYESIAN)
 *         .continuous("learning-rate", "0.0001", "0.01", TuningJob.Scaling.LOGARITHMIC)
 *         .integer("batch-size", "16", "64", TuningJob.Scaling.LINEAR)
 *         .categorical("optimizer", "adamw", "sgd")
 *         .maxJobs(20).maxParallelJobs(4)
 *         .build()
 *         .run();
 * }</pre>
 *
 * <p>Every range's bounds are checked with the recipe's own strict parse before anything is sent,
 * so a range SageMaker would turn into failing training jobs is refused up front, naming the key.
 * Early stopping {@code Auto} is refused with {@link Strategy#HYPERBAND}, which stops jobs itself.
 */
public final class TuningJob {

    /** SageMaker's search strategies. */
    public enum Strategy {
        /** Bayesian optimisation. */
        BAYESIAN("Bayesian"),
        /** Random search. */
        RANDOM("Random"),
        /** Hyperband: stops poor jobs early from their intermediate metrics (the Val_epoch lines). */
        HYPERBAND("Hyperband");

        private final String apiName;

        Strategy(String apiName) {
            this.apiName = apiName;
        }

        /** @return the name SageMaker's API uses */
        public String apiName() {
            return apiName;
        }
    }

    /** How SageMaker samples a numeric range. */
    public enum Scaling {
        /** SageMaker chooses. */
        AUTO(HyperParameterScalingType.AUTO),
        /** Uniformly. */
        LINEAR(HyperParameterScalingType.LINEAR),
        /** Uniformly in the logarithm; the minimum must be positive. */
        LOGARITHMIC(HyperParameterScalingType.LOGARITHMIC);

        private final HyperParameterScalingType type;

        Scaling(HyperParameterScalingType type) {
            this.type = type;
        }
    }

    /**
     * One training job of a tuning job, as SageMaker reports it.
     *
     * @param jobName the training job
     * @param status its status: {@code Completed}, {@code Stopped} (by the tuner's early stopping
     *     when it has an objective), {@code Failed}, {@code InProgress} or {@code Stopping}
     * @param tunedHyperparameters the values the tuner chose, in the order of the ranges
     * @param objective its final objective value, when it has one
     * @param finalMetrics its final value of every metric (jobs that ended with metrics)
     * @param failureReason SageMaker's FailureReason, for failed jobs
     * @param modelArtifacts the S3 URI of its {@code model.tar.gz}, for completed jobs
     * @param trainingSeconds from the start to the end of its training, 0 when unknown
     */
    public record Trial(String jobName, String status, Map<String, String> tunedHyperparameters,
            Optional<Double> objective, Map<String, Double> finalMetrics, Optional<String> failureReason,
            Optional<String> modelArtifacts, double trainingSeconds) {

        /** Copies the maps. */
        public Trial {
            tunedHyperparameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tunedHyperparameters));
            finalMetrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(finalMetrics));
        }
    }

    private record Range(String kind, String name, List<String> values, Scaling scaling) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(TuningJob.class);

    private final SageMakerEstimator estimator;
    private final SageMakerSession session;
    private final Strategy strategy;
    private final List<Range> ranges;
    private final String objectiveMetric;
    private final int maxJobs;
    private final int maxParallelJobs;
    private final boolean earlyStopping;
    private final String baseName;
    private final Duration pollInterval;
    private final Duration timeout;
    private final Clock clock;

    private TuningJob(Builder b) {
        this.estimator = b.estimator;
        this.session = b.session;
        this.strategy = b.strategy;
        this.ranges = List.copyOf(b.ranges);
        this.objectiveMetric = b.objectiveMetric;
        this.maxJobs = b.maxJobs;
        this.maxParallelJobs = b.maxParallelJobs;
        this.earlyStopping = b.earlyStopping;
        this.baseName = b.baseName;
        this.pollInterval = b.pollInterval;
        this.timeout = b.timeout;
        this.clock = b.clock;
    }

    /**
     * @param estimator the training job to tune (image, instances, recipe, channels, output)
     * @param session the session the estimator uses
     * @return a builder: Bayesian, objective {@link TrainingMetrics#BEST_VALIDATION_F1}, 10 jobs, 2 at a time
     */
    public static Builder builder(SageMakerEstimator estimator, SageMakerSession session) {
        return new Builder(estimator, session);
    }

    /**
     * @param name the tuning job's name
     * @return the request {@link #run(String)} sends
     */
    public CreateHyperParameterTuningJobRequest createRequest(String name) {
        JobNames.require("name", name, JobNames.TUNING_JOB_MAX);
        CreateTrainingJobRequest training = estimator.createRequest("definition");
        Map<String, String> statics = new LinkedHashMap<>(training.hyperParameters());
        ranges.forEach(r -> statics.remove(r.name()));
        List<ContinuousParameterRange> continuous = new ArrayList<>();
        List<IntegerParameterRange> integers = new ArrayList<>();
        List<CategoricalParameterRange> categorical = new ArrayList<>();
        for (Range r : ranges) {
            switch (r.kind()) {
                case "continuous" -> continuous.add(ContinuousParameterRange.builder().name(r.name())
                        .minValue(r.values().get(0)).maxValue(r.values().get(1)).scalingType(r.scaling().type).build());
                case "integer" -> integers.add(IntegerParameterRange.builder().name(r.name())
                        .minValue(r.values().get(0)).maxValue(r.values().get(1)).scalingType(r.scaling().type).build());
                default -> categorical.add(CategoricalParameterRange.builder().name(r.name()).values(r.values()).build());
            }
        }
        HyperParameterTrainingJobDefinition.Builder definition = HyperParameterTrainingJobDefinition.builder()
                .staticHyperParameters(statics)
                .algorithmSpecification(HyperParameterAlgorithmSpecification.builder()
                        .trainingImage(training.algorithmSpecification().trainingImage())
                        .trainingInputMode(training.algorithmSpecification().trainingInputMode())
                        .metricDefinitions(training.algorithmSpecification().metricDefinitions())
                        .build())
                .roleArn(training.roleArn())
                .inputDataConfig(training.inputDataConfig())
                .outputDataConfig(training.outputDataConfig())
                .resourceConfig(training.resourceConfig())
                .stoppingCondition(training.stoppingCondition());
        if (Boolean.TRUE.equals(training.enableManagedSpotTraining())) {
            // No CheckpointConfig: the tuner's training jobs would share one checkpoint prefix, and a
            // job must not resume from another job's checkpoint (the container refuses it anyway).
            definition.enableManagedSpotTraining(true);
        }
        return CreateHyperParameterTuningJobRequest.builder()
                .hyperParameterTuningJobName(name)
                .hyperParameterTuningJobConfig(HyperParameterTuningJobConfig.builder()
                        .strategy(strategy.apiName())
                        .hyperParameterTuningJobObjective(HyperParameterTuningJobObjective.builder()
                                .type(HyperParameterTuningJobObjectiveType.MAXIMIZE).metricName(objectiveMetric).build())
                        .resourceLimits(ResourceLimits.builder().maxNumberOfTrainingJobs(maxJobs)
                                .maxParallelTrainingJobs(maxParallelJobs).build())
                        .parameterRanges(ParameterRanges.builder().continuousParameterRanges(continuous)
                                .integerParameterRanges(integers).categoricalParameterRanges(categorical).build())
                        .trainingJobEarlyStoppingType(earlyStopping ? TrainingJobEarlyStoppingType.AUTO
                                : TrainingJobEarlyStoppingType.OFF)
                        .build())
                .trainingJobDefinition(definition.build())
                .build();
    }

    /** @return the result of a tuning job named {@code base-yyMMdd-HHmmss}; see {@link #run(String)} */
    public TuningResult run() {
        return run(JobNames.tuningJob(baseName, clock.instant()));
    }

    /**
     * Creates the tuning job, waits until it ends and collects every training job's outcome in the
     * result type of xray's local tuning ({@link #result(String)}).
     *
     * @param name the tuning job's name, at most 32 characters
     * @return every training job as a trial, and the best
     * @throws SageMakerException when a call fails or the tuning job ends {@code Failed} or
     *     {@code Stopped}, with SageMaker's FailureReason
     */
    public TuningResult run(String name) {
        CreateHyperParameterTuningJobRequest request = createRequest(name);
        try {
            session.sageMaker().createHyperParameterTuningJob(request);
        } catch (SdkException e) {
            throw AwsErrors.translate("CreateHyperParameterTuningJob", name, e);
        }
        LOG.info("Started tuning job {}: {} jobs, {} at a time, {} on {}", name, maxJobs, maxParallelJobs,
                strategy.apiName(), objectiveMetric);
        DescribeHyperParameterTuningJobResponse done = await(name);
        return toTuningResult(trainingJobs(name), done);
    }

    /**
     * A tuning job's training jobs in the result type of xray's local tuning, so SageMaker's tuning
     * and {@link io.xray.tune.HyperparameterTuner} (with {@link SageMakerTrialRunner} or locally)
     * read alike. Trials are numbered in the jobs' creation order; each holds the tuned values, a
     * status ({@code Completed} is completed; {@code Stopped} with an objective is stopped early by
     * the tuner, and scored; {@code Failed}, or {@code Stopped} without an objective, is failed, with
     * the FailureReason as its message), the job's final metrics filed under its last epoch (the
     * {@value TrainingMetrics#EPOCH} metric; SageMaker keeps no earlier values), the objective as
     * SageMaker computed it, the training time, and the model's S3 URI as its model. The objective
     * is {@code maximize:<metric>@last}: SageMaker scores a job's last value of the metric, which
     * for the default {@link TrainingMetrics#BEST_VALIDATION_F1} is the F1 of the job's best epoch.
     * The result's run folder is {@code null}: the record lives in SageMaker.
     *
     * @param name a tuning job's name (running or ended)
     * @return its training jobs as trials
     * @throws SageMakerException when a call fails
     */
    public TuningResult result(String name) {
        JobNames.require("name", name, JobNames.TUNING_JOB_MAX);
        DescribeHyperParameterTuningJobResponse job;
        try {
            job = session.sageMaker().describeHyperParameterTuningJob(r -> r.hyperParameterTuningJobName(name));
        } catch (SdkException e) {
            throw AwsErrors.translate("DescribeHyperParameterTuningJob", name, e);
        }
        return toTuningResult(trainingJobs(name), job);
    }

    /**
     * @param name a tuning job's name
     * @return its training jobs as SageMaker reports them, in creation order, with the final
     *     metrics of every job that ended Completed or Stopped
     * @throws SageMakerException when a call fails
     */
    public List<Trial> trainingJobs(String name) {
        List<HyperParameterTrainingJobSummary> summaries = new ArrayList<>();
        try {
            session.sageMaker().listTrainingJobsForHyperParameterTuningJobPaginator(r -> r.hyperParameterTuningJobName(name))
                    .trainingJobSummaries().forEach(summaries::add);
        } catch (SdkException e) {
            throw AwsErrors.translate("ListTrainingJobsForHyperParameterTuningJob", name, e);
        }
        summaries.sort(java.util.Comparator.comparing((HyperParameterTrainingJobSummary s) -> s.creationTime(),
                java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
                .thenComparing(HyperParameterTrainingJobSummary::trainingJobName));
        List<Trial> trials = new ArrayList<>();
        for (HyperParameterTrainingJobSummary s : summaries) {
            String status = s.trainingJobStatusAsString();
            Map<String, Double> metrics = Map.of();
            String model = null;
            if ("Completed".equals(status) || "Stopped".equals(status)) {
                TrainingJobResult described = TrainingJob.result(TrainingJob.attach(session, s.trainingJobName()).describe());
                metrics = described.finalMetrics();
                model = "Completed".equals(status) ? described.modelArtifacts() : null;
            }
            Map<String, String> tuned = new LinkedHashMap<>();
            Map<String, String> given = s.tunedHyperParameters() == null ? Map.of() : s.tunedHyperParameters();
            ranges.forEach(r -> {
                if (given.containsKey(r.name())) {
                    tuned.put(r.name(), unquoted(given.get(r.name())));
                }
            });
            given.forEach((k, v) -> tuned.putIfAbsent(k, unquoted(v)));
            double seconds = s.trainingStartTime() != null && s.trainingEndTime() != null
                    ? Duration.between(s.trainingStartTime(), s.trainingEndTime()).toMillis() / 1000.0 : 0;
            trials.add(new Trial(s.trainingJobName(), status, tuned,
                    s.finalHyperParameterTuningJobObjectiveMetric() == null ? Optional.empty()
                            : Optional.of(Double.valueOf(s.finalHyperParameterTuningJobObjectiveMetric().value().toString())),
                    metrics, Optional.ofNullable(s.failureReason()), Optional.ofNullable(model), seconds));
        }
        return trials;
    }

    /** A tuned value as SageMaker lists it; the Python SDK's JSON-encoded {@code "\"adamw\""} loses its quotes. */
    private static String unquoted(String value) {
        return value != null && value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    TuningResult toTuningResult(List<Trial> trials, DescribeHyperParameterTuningJobResponse job) {
        Objective objective = Objective.maximize(objectiveMetric).atLastEpoch();
        List<TrialRecord> records = new ArrayList<>();
        int number = 0;
        for (Trial trial : trials) {
            number++;
            boolean scored = trial.objective().isPresent();
            TrialStatus status = switch (trial.status()) {
                case "Completed" -> scored ? TrialStatus.COMPLETED : TrialStatus.FAILED;
                case "Stopped" -> scored ? TrialStatus.STOPPED : TrialStatus.FAILED;
                case "InProgress", "Stopping" -> TrialStatus.RUNNING;
                default -> TrialStatus.FAILED;
            };
            List<Map<String, Double>> epochs = new ArrayList<>();
            Map<String, Double> last = new LinkedHashMap<>(trial.finalMetrics());
            Double lastEpoch = last.remove(TrainingMetrics.EPOCH);
            if (!last.isEmpty()) {
                int at = lastEpoch != null && lastEpoch >= 1 && lastEpoch == Math.rint(lastEpoch) ? lastEpoch.intValue() : 1;
                for (int e = 1; e < at; e++) {
                    epochs.add(Map.of());
                }
                epochs.add(last);
            } else if (scored) {
                epochs.add(Map.of(objectiveMetric, trial.objective().get()));
            }
            List<Double> perEpoch = epochs.stream().map(m -> m.getOrDefault(objectiveMetric, Double.NaN)).toList();
            int bestEpoch = objective.score(perEpoch).bestEpoch();
            String message = status == TrialStatus.FAILED ? "training job " + trial.jobName() + " ended " + trial.status()
                    + trial.failureReason().map(r -> ": " + r).orElse(scored ? "" : " without the objective metric")
                    : "";
            records.add(new TrialRecord(number, trial.tunedHyperparameters(), status,
                    trial.objective().orElse(Double.NaN), bestEpoch, perEpoch, epochs, trial.trainingSeconds(), message,
                    trial.modelArtifacts().orElse(null)));
        }
        double seconds = job.creationTime() != null && job.hyperParameterTuningEndTime() != null
                ? Duration.between(job.creationTime(), job.hyperParameterTuningEndTime()).toMillis() / 1000.0 : 0;
        return new TuningResult(records, objective, null, seconds);
    }

    private DescribeHyperParameterTuningJobResponse await(String name) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (true) {
            DescribeHyperParameterTuningJobResponse job;
            try {
                job = session.sageMaker().describeHyperParameterTuningJob(r -> r.hyperParameterTuningJobName(name));
            } catch (SdkException e) {
                throw AwsErrors.translate("DescribeHyperParameterTuningJob", name, e);
            }
            String status = job.hyperParameterTuningJobStatusAsString();
            String counters = job.trainingJobStatusCounters() == null ? "" : " (completed "
                    + job.trainingJobStatusCounters().completed() + ", in progress " + job.trainingJobStatusCounters().inProgress()
                    + ", failed " + job.trainingJobStatusCounters().nonRetryableError() + ")";
            if (!(status + counters).equals(last)) {
                LOG.info("Tuning job {}: {}{}", name, status, counters);
                last = status + counters;
            }
            switch (status) {
                case "Completed" -> {
                    return job;
                }
                case "Failed", "Stopped" -> throw new SageMakerException("tuning job " + name + " ended " + status
                        + (job.failureReason() != null ? ": " + job.failureReason() : ""));
                default -> {
                    // InProgress, Stopping
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new SageMakerException("tuning job " + name + " is still " + status + " after " + timeout);
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SageMakerException("interrupted while waiting for tuning job " + name, e);
            }
        }
    }

    /** Builds a {@link TuningJob}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private final SageMakerEstimator estimator;
        private final SageMakerSession session;
        private Strategy strategy = Strategy.BAYESIAN;
        private final List<Range> ranges = new ArrayList<>();
        private String objectiveMetric = TrainingMetrics.BEST_VALIDATION_F1;
        private int maxJobs = 10;
        private int maxParallelJobs = 2;
        private boolean earlyStopping;
        private String baseName = "xray-tune";
        private Duration pollInterval = Duration.ofSeconds(60);
        private Duration timeout = Duration.ofDays(7);
        private Clock clock = Clock.systemUTC();

        private Builder(SageMakerEstimator estimator, SageMakerSession session) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            this.session = Objects.requireNonNull(session, "session");
        }

        /** @param strategy Bayesian (default), Random or Hyperband
         *  @return this builder */
        public Builder strategy(Strategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /**
         * @param key a recipe key, e.g. {@code learning-rate}
         * @param min the smallest value, as the recipe spells it
         * @param max the largest value
         * @param scaling how to sample
         * @return this builder
         */
        public Builder continuous(String key, String min, String max, Scaling scaling) {
            ranges.add(new Range("continuous", key, List.of(min, max), scaling));
            return this;
        }

        /**
         * @param key a recipe key with whole-number values, e.g. {@code batch-size}
         * @param min the smallest value
         * @param max the largest value
         * @param scaling how to sample
         * @return this builder
         */
        public Builder integer(String key, String min, String max, Scaling scaling) {
            ranges.add(new Range("integer", key, List.of(min, max), scaling));
            return this;
        }

        /**
         * @param key a recipe key, e.g. {@code optimizer}
         * @param values the values to try
         * @return this builder
         */
        public Builder categorical(String key, String... values) {
            ranges.add(new Range("categorical", key, List.of(values), Scaling.AUTO));
            return this;
        }

        /** @param metric a {@link TrainingMetrics} name to maximise; default the best-so-far validation F1
         *  @return this builder */
        public Builder objective(String metric) {
            this.objectiveMetric = metric;
            return this;
        }

        /** @param maxJobs training jobs in all, 1 to 750; default 10
         *  @return this builder */
        public Builder maxJobs(int maxJobs) {
            this.maxJobs = maxJobs;
            return this;
        }

        /** @param maxParallelJobs training jobs at a time, 1 to 100 and at most maxJobs; default 2
         *  @return this builder */
        public Builder maxParallelJobs(int maxParallelJobs) {
            this.maxParallelJobs = maxParallelJobs;
            return this;
        }

        /** @param auto SageMaker's early stopping ("Auto"); default off; refused with Hyperband
         *  @return this builder */
        public Builder earlyStopping(boolean auto) {
            this.earlyStopping = auto;
            return this;
        }

        /** @param base the start of generated names; default {@code xray-tune}
         *  @return this builder */
        public Builder baseName(String base) {
            this.baseName = base;
            return this;
        }

        /**
         * @param pollInterval time between two DescribeHyperParameterTuningJob calls; default 60 s
         * @param timeout how long to wait; default 7 days
         * @return this builder
         */
        public Builder waiting(Duration pollInterval, Duration timeout) {
            this.pollInterval = pollInterval;
            this.timeout = timeout;
            return this;
        }

        /** @param clock the clock of generated names
         *  @return this builder */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @return the tuning job
         * @throws InvalidConfigurationException naming the first bad field (a range names its key)
         */
        public TuningJob build() {
            if (strategy == null) {
                throw new InvalidConfigurationException("strategy", "must not be null");
            }
            if (ranges.isEmpty()) {
                throw new InvalidConfigurationException("ranges", "give at least one range to tune");
            }
            if (!TrainingMetrics.regexes().containsKey(objectiveMetric)) {
                throw new InvalidConfigurationException("objective", "'" + objectiveMetric + "' is not one of the metric"
                        + " definitions " + TrainingMetrics.regexes().keySet());
            }
            if (maxJobs < 1 || maxJobs > 750) {
                throw new InvalidConfigurationException("maxJobs", "must be 1 to 750, was " + maxJobs);
            }
            if (maxParallelJobs < 1 || maxParallelJobs > 100 || maxParallelJobs > maxJobs) {
                throw new InvalidConfigurationException("maxParallelJobs", "must be 1 to 100 and at most maxJobs ("
                        + maxJobs + "), was " + maxParallelJobs);
            }
            if (earlyStopping && strategy == Strategy.HYPERBAND) {
                throw new InvalidConfigurationException("earlyStopping", "must be off with Hyperband, which stops"
                        + " jobs itself");
            }
            TrainingRecipe recipe = estimator.recipe();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Range r : ranges) {
                String field = "range " + r.name();
                if (r.name() == null || !recipe.toHyperparameters().containsKey(r.name())) {
                    throw new InvalidConfigurationException(field, "is not a recipe key " + recipe.toHyperparameters().keySet());
                }
                if (!seen.add(r.name())) {
                    throw new InvalidConfigurationException(field, "is given twice");
                }
                if (r.values().isEmpty() || r.values().stream().anyMatch(Objects::isNull)) {
                    throw new InvalidConfigurationException(field, "needs values");
                }
                for (String value : r.values()) {
                    try {
                        recipe.withHyperparameters(Map.of(r.name(), value));
                    } catch (InvalidConfigurationException e) {
                        throw new InvalidConfigurationException(field, "'" + value + "' is refused by the recipe: "
                                + e.getMessage());
                    }
                }
                if (!r.kind().equals("categorical")) {
                    double min;
                    double max;
                    try {
                        min = Double.parseDouble(r.values().get(0));
                        max = Double.parseDouble(r.values().get(1));
                    } catch (NumberFormatException e) {
                        throw new InvalidConfigurationException(field, "bounds must be numbers, were " + r.values());
                    }
                    if (r.kind().equals("integer") && (min != Math.rint(min) || max != Math.rint(max))) {
                        throw new InvalidConfigurationException(field, "bounds must be whole numbers, were " + r.values());
                    }
                    if (min >= max) {
                        throw new InvalidConfigurationException(field, "min must be under max, were " + r.values());
                    }
                    if (r.scaling() == Scaling.LOGARITHMIC && min <= 0) {
                        throw new InvalidConfigurationException(field, "logarithmic scaling needs a positive min, was "
                                + r.values().get(0));
                    }
                    if (r.scaling() == null) {
                        throw new InvalidConfigurationException(field, "scaling must not be null");
                    }
                }
            }
            if (pollInterval == null || timeout == null || pollInterval.isNegative() || timeout.isNegative()) {
                throw new InvalidConfigurationException("waiting", "poll interval and timeout must not be negative");
            }
            JobNames.tuningJob(baseName, clock.instant());
            return new TuningJob(this);
        }
    }
}
