package io.xray.sagemaker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.train.TrainingRecipe;
import io.xray.tune.CategoricalParameter;
import io.xray.tune.ContinuousParameter;
import io.xray.tune.IntegerParameter;
import io.xray.tune.Objective;
import io.xray.tune.Parameter;
import io.xray.tune.SearchSpace;
import io.xray.tune.Trial;
import io.xray.tune.TrialOutcome;
import io.xray.tune.TrialRunner;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * Runs each trial of a {@link io.xray.tune.HyperparameterTuner} as a SageMaker training job: xray's
 * own search (Bayesian or Random, with its early stopping and best-epoch scoring) deciding, and
 * SageMaker's instances training.
 *
 * <pre>{@code
 * TuningResult result = HyperparameterTuner.builder()
 *         .parameter(ContinuousParameter.log("learning-rate", 1e-4, 0.1))
 *         .parameter(CategoricalParameter.of("batch-size", "32", "64", "128"))
 *         .objective(Objective.maximize(TrainingMetrics.VALIDATION_F1))   // at each job's best epoch
 *         .earlyStopping(EarlyStopping.median())
 *         .runner(SageMakerTrialRunner.builder(estimator).parallelJobs(4).build())
 *         .runDirectory(Path.of("tuning"))
 *         .build()
 *         .run();
 * }</pre>
 *
 * <p><b>A trial.</b> The estimator is the template: its recipe's hyperparameters with the trial's
 * values put in, exactly as the search spelled them (each first checked by the recipe's strict
 * parse, which names a bad key and value), every value a string. The job is named
 * {@code <base>-tNNN-<time>} ({@link JobNames}) and recorded in the trial's folder
 * ({@value #RECORD}) before it is created, so a tuning run killed while the job ran and then
 * resumed attaches to the same job instead of paying for a second one. The runner waits with
 * {@link TrainingJob}'s waiter: {@code Completed} is a success; {@code Failed} and {@code Stopped}
 * are failed trials with SageMaker's FailureReason, except a job this runner stopped because the
 * tuner's early stopping asked it to (the tuner records that trial as stopped, scored on its
 * epochs).
 *
 * <p><b>Where the per-epoch series comes from.</b> The tuner needs every epoch's metrics, as they
 * come, for early stopping and for scoring a trial at its best epoch. DescribeTrainingJob's
 * {@code FinalMetricDataList} holds only each metric's last value. SageMaker also publishes the
 * metric definitions to CloudWatch ({@code /aws/sagemaker/TrainingJobs}), but as time series
 * without the epoch: points are aggregated over at least a minute, so two epochs that end in the
 * same minute become one point, and they appear with a delay. The job's log stream in CloudWatch
 * Logs holds every {@code Val_epoch N:} line, in order, with its epoch number: the runner reads it
 * with GetLogEvents (continuing from the forward token at every poll) and applies the very regexes
 * of the job's metric definitions ({@link TrainingMetrics}), so each epoch is reported under its
 * own number, once. The final metrics complete the series when the last lines had not reached the
 * log yet, or when the caller may not read logs (then with a warning, and only the last epoch).
 * Metrics are reported under the definitions' names ({@link TrainingMetrics#VALIDATION_F1},
 * {@link TrainingMetrics#VALIDATION_LOSS}, ...), so the objective names one of them.
 *
 * <p>The caller needs {@code logs:DescribeLogStreams} and {@code logs:GetLogEvents} on the
 * {@value TrainingJobLog#LOG_GROUP} log group besides the estimator's SageMaker permissions.
 */
public final class SageMakerTrialRunner implements TrialRunner {

    /** The file in each trial's folder naming its training job. */
    public static final String RECORD = "training-job.json";

    private static final Logger LOG = LoggerFactory.getLogger(SageMakerTrialRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> ACTIVE = Set.of("InProgress", "Stopping");

    private final SageMakerEstimator estimator;
    private final SageMakerSession session;
    private final int parallelJobs;
    private final Duration pollInterval;
    private final String baseJobName;
    private final Clock clock;
    private final Consumer<TrainingJobProgress> progress;

    private SageMakerTrialRunner(Builder b) {
        this.estimator = b.estimator;
        this.session = b.estimator.session();
        this.parallelJobs = b.parallelJobs;
        this.pollInterval = b.pollInterval;
        this.baseJobName = b.baseJobName;
        this.clock = b.clock;
        this.progress = b.progress;
    }

    /**
     * @param estimator the template of every trial's training job (image, instances, channels,
     *     output, spot); its recipe is the base the trials vary
     * @return a builder: 2 jobs at a time, polled every 30 s, named {@code xray-trial-tNNN-<time>}
     */
    public static Builder builder(SageMakerEstimator estimator) {
        return new Builder(estimator);
    }

    /**
     * The hyperparameters a trial's job is sent: the estimator's recipe with the trial's values,
     * exactly as the search spelled them.
     *
     * @param values the trial's values
     * @return key to value, every value a string
     * @throws InvalidConfigurationException naming a key or value the recipe refuses
     */
    public Map<String, String> hyperparameters(Map<String, String> values) {
        TrainingRecipe base = estimator.recipe();
        base.withHyperparameters(values); // the container's own strict parse, here, before anything is paid for
        Map<String, String> hyperparameters = new LinkedHashMap<>(base.toHyperparameters());
        hyperparameters.putAll(values);
        return hyperparameters;
    }

    @Override
    public TrialOutcome run(Trial trial) {
        Map<String, String> hyperparameters = hyperparameters(trial.values());
        Path record = trial.directory().resolve(RECORD);
        TrainingJob job = trial.resumed() ? reattach(record) : null;
        if (job == null) {
            // the base is cut first, so the trial number always survives in the name
            String base = baseJobName.length() > 32 ? baseJobName.substring(0, 32) : baseJobName;
            String name = JobNames.trainingJob(String.format(Locale.ROOT, "%s-t%03d", base, trial.number()),
                    clock.instant());
            write(record, name, hyperparameters, "Creating", null);
            job = estimator.fit(name, hyperparameters);
            LOG.info("Trial {}: training job {} with {}", trial.number(), name, trial.values());
        } else {
            LOG.info("Trial {}: attached to training job {}, which the interrupted run started", trial.number(), job.name());
        }
        TrainingJobLog log = new TrainingJobLog(session.logs(), job.name());
        Epochs epochs = new Epochs(trial, job, log);
        TrainingJobResult result;
        try {
            result = job.waitForCompletion(pollInterval, null, progress, epochs::poll);
        } catch (TrainingJobFailedException e) {
            epochs.drain(Map.of());
            write(record, job.name(), hyperparameters, e.status(), e.failureReason().orElse(null));
            if ("Stopped".equals(e.status()) && epochs.stopSent) {
                LOG.info("Trial {}: training job {} stopped early, as the tuner asked", trial.number(), job.name());
                return TrialOutcome.none();
            }
            throw e;
        }
        epochs.drain(result.finalMetrics());
        write(record, job.name(), hyperparameters, "Completed", null, result);
        return TrialOutcome.none();
    }

    /** Follows one job: reads its log at every poll, reports new epochs, stops it when the tuner says so. */
    private final class Epochs {
        private final Trial trial;
        private final TrainingJob job;
        private final TrainingJobLog log;
        private final Map<Integer, Map<String, Double>> reported = new HashMap<>();
        private boolean logsUnreadable;
        private volatile boolean stopSent;

        Epochs(Trial trial, TrainingJob job, TrainingJobLog log) {
            this.trial = trial;
            this.job = job;
            this.log = log;
        }

        void poll(DescribeTrainingJobResponse description) {
            report(read());
            if (trial.stopRequested() && !stopSent && ACTIVE.contains(description.trainingJobStatusAsString())) {
                stopSent = true;
                LOG.info("Trial {}: stopping training job {} (early stopping)", trial.number(), job.name());
                job.stop();
            }
        }

        /** After the job ended: the last log lines, then the final metrics for an epoch the log lacks. */
        void drain(Map<String, Double> finalMetrics) {
            SortedMap<Integer, Map<String, Double>> series = new TreeMap<>(read());
            Double last = finalMetrics.get(TrainingMetrics.EPOCH);
            if (last != null && last >= 1 && last == Math.rint(last) && !series.containsKey(last.intValue())) {
                Map<String, Double> values = new LinkedHashMap<>(finalMetrics);
                values.remove(TrainingMetrics.EPOCH);
                if (!values.isEmpty()) {
                    series.put(last.intValue(), values);
                }
            }
            report(series);
        }

        private SortedMap<Integer, Map<String, Double>> read() {
            if (logsUnreadable) {
                return new TreeMap<>();
            }
            try {
                return log.read();
            } catch (SdkException e) {
                String why = AwsErrors.translate("GetLogEvents", job.name(), e).getMessage();
                if (e instanceof AwsServiceException service && (service.statusCode() == 403 || (service.awsErrorDetails() != null
                        && "AccessDeniedException".equals(service.awsErrorDetails().errorCode())))) {
                    logsUnreadable = true;
                    LOG.warn("Trial {}: may not read the log of training job {}, so only its final metrics count: {}",
                            trial.number(), job.name(), why);
                } else {
                    LOG.warn("Trial {}: reading the log of training job {} failed, trying again at the next poll: {}",
                            trial.number(), job.name(), why);
                }
                return new TreeMap<>();
            }
        }

        private void report(SortedMap<Integer, Map<String, Double>> series) {
            series.forEach((epoch, metrics) -> {
                if (!metrics.equals(reported.get(epoch))) {
                    reported.put(epoch, metrics);
                    trial.reportEpoch(epoch, metrics);
                }
            });
        }
    }

    private TrainingJob reattach(Path record) {
        if (!Files.isRegularFile(record)) {
            return null;
        }
        String name;
        try {
            name = JSON.readTree(record.toFile()).path("jobName").asText(null);
        } catch (IOException e) {
            LOG.warn("{}: unreadable ({}); the trial starts a new training job", record, e.getMessage());
            return null;
        }
        if (name == null) {
            return null;
        }
        TrainingJob job = TrainingJob.attach(session, name);
        try {
            job.describe();
            return job;
        } catch (SageMakerException e) {
            // the run was killed between writing the record and CreateTrainingJob: there is no such job
            LOG.info("Training job {} of the interrupted trial does not exist ({}); starting a new one", name, e.getMessage());
            return null;
        }
    }

    private static void write(Path record, String name, Map<String, String> hyperparameters, String status,
            String failureReason) {
        write(record, name, hyperparameters, status, failureReason, null);
    }

    private static void write(Path record, String name, Map<String, String> hyperparameters, String status,
            String failureReason, TrainingJobResult result) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("jobName", name);
        content.put("status", status);
        if (failureReason != null) {
            content.put("failureReason", failureReason);
        }
        if (result != null) {
            content.put("modelArtifacts", result.modelArtifacts());
            content.put("finalMetrics", new TreeMap<>(result.finalMetrics()));
            content.put("billableSeconds", result.billableSeconds());
        }
        content.put("hyperparameters", hyperparameters);
        try {
            Files.createDirectories(record.getParent());
            Path temporary = record.resolveSibling(RECORD + ".tmp");
            JSON.writeValue(temporary.toFile(), content);
            Files.move(temporary, record, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new XrayException(record + ": cannot record training job " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that every parameter is a recipe key whose bounds (or categories) the recipe accepts,
     * and that the objective is one of the metric definitions the runner reports.
     */
    @Override
    public void validate(SearchSpace space, Objective objective) {
        Set<String> metrics = new java.util.LinkedHashSet<>(TrainingMetrics.regexes().keySet());
        metrics.remove(TrainingMetrics.EPOCH);
        if (!metrics.contains(objective.metric())) {
            throw new InvalidConfigurationException("objective", "'" + objective.metric() + "' is not a metric a"
                    + " SageMaker trial reports; expected one of " + metrics + " (the job's metric definitions; for"
                    + " Val_f1 use " + TrainingMetrics.VALIDATION_F1 + ")");
        }
        TrainingRecipe recipe = estimator.recipe();
        Set<String> keys = recipe.toHyperparameters().keySet();
        for (Parameter parameter : space.parameters()) {
            if (!keys.contains(parameter.name())) {
                throw new InvalidConfigurationException("parameters", "'" + parameter.name()
                        + "' is not a recipe hyperparameter; expected one of " + keys);
            }
            for (String value : probes(parameter)) {
                try {
                    recipe.withHyperparameters(Map.of(parameter.name(), value));
                } catch (InvalidConfigurationException e) {
                    throw new InvalidConfigurationException("parameters", parameter + ": the value " + value
                            + " makes no valid recipe: " + e.getMessage());
                }
            }
        }
    }

    private static List<String> probes(Parameter parameter) {
        List<String> values = new ArrayList<>();
        if (parameter instanceof ContinuousParameter c) {
            values.add(plain(c.min()));
            values.add(plain(c.max()));
        } else if (parameter instanceof IntegerParameter i) {
            values.add(Long.toString(i.min()));
            values.add(Long.toString(i.max()));
        } else if (parameter instanceof CategoricalParameter c) {
            values.addAll(c.values());
        }
        return values;
    }

    private static String plain(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** @return the parallel jobs set on the builder */
    @Override
    public int defaultParallelTrials() {
        return parallelJobs;
    }

    /** @return true: an interrupted trial attaches to the training job it had started, which kept running */
    @Override
    public boolean continuesInterruptedTrials() {
        return true;
    }

    @Override
    public String toString() {
        return "SageMakerTrialRunner{" + estimator + ", parallelJobs=" + parallelJobs + "}";
    }

    /** Builds a {@link SageMakerTrialRunner}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private final SageMakerEstimator estimator;
        private int parallelJobs = 2;
        private Duration pollInterval = Duration.ofSeconds(30);
        private String baseJobName = "xray-trial";
        private Clock clock = Clock.systemUTC();
        private Consumer<TrainingJobProgress> progress = p -> { };

        private Builder(SageMakerEstimator estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
        }

        /** @param jobs training jobs at a time when the tuner is not told otherwise, 1 to 100; default 2
         *  @return this builder */
        public Builder parallelJobs(int jobs) {
            this.parallelJobs = jobs;
            return this;
        }

        /** @param interval time between two DescribeTrainingJob (and log) reads of a job; default 30 s
         *  @return this builder */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /** @param base the start of job names, before {@code -tNNN-<time>}; default {@code xray-trial}
         *  @return this builder */
        public Builder baseJobName(String base) {
            this.baseJobName = base;
            return this;
        }

        /** @param clock the clock of job names; default UTC system time
         *  @return this builder */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @param progress hears every job's changes of status; default nothing (they are logged)
         *  @return this builder */
        public Builder progress(Consumer<TrainingJobProgress> progress) {
            this.progress = progress;
            return this;
        }

        /**
         * @return the runner
         * @throws InvalidConfigurationException naming the first bad field
         */
        public SageMakerTrialRunner build() {
            if (parallelJobs < 1 || parallelJobs > 100) {
                throw new InvalidConfigurationException("parallelJobs", "must be 1 to 100, was " + parallelJobs);
            }
            if (pollInterval == null || pollInterval.isNegative()) {
                throw new InvalidConfigurationException("pollInterval", "must not be negative, was " + pollInterval);
            }
            if (clock == null) {
                throw new InvalidConfigurationException("clock", "must not be null");
            }
            if (progress == null) {
                throw new InvalidConfigurationException("progress", "must not be null");
            }
            JobNames.trainingJob(baseJobName + "-t001", clock.instant()); // names the base if it cannot make a name
            return new SageMakerTrialRunner(this);
        }
    }
}
