package io.xray.tune;

import ai.djl.Device;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.train.EpochResult;
import io.xray.train.FitListener;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.SharedImageCache;
import io.xray.train.TrainingRecipe;
import io.xray.train.ValidationMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains each trial in this process with {@link ResNetFineTuner}: the recipe is the base recipe
 * with the trial's values ({@link TrainingRecipe#withHyperparameters(Map)}), the output goes to the
 * trial's folder ({@code model/}, and {@code checkpoints/} until the trial ends), which is also the trial's
 * {@link io.xray.train.RunRecord} (hyperparameters, per-epoch metrics, environment), and every epoch reports the fields of
 * the trainer's {@code Val_epoch} line: {@code Val_loss, Val_f1, Val_accuracy, Val_auc, Val_pr_auc,
 * Val_precision, Val_recall, Val_specificity, Train_loss, Best_val_f1}. The tuner's early stopping
 * ends a trial through {@link FitListener#stopAfter}, recorded in the checkpoint; an interrupted
 * trial resumes from its last checkpoint. The trials share their decoded images
 * ({@link SharedImageCache}): the first trial decodes the data, the others reuse its pixels while
 * their preprocessing resizes to the same size; the runner holds them until it is dropped.
 *
 * <p>Parameter names must be recipe keys ({@link TrainingRecipe#toHyperparameters()}), and each
 * parameter's bounds must make a valid recipe; both are checked when the tuner is built.
 *
 * <p>A trial keeps the model of the epoch its recipe's {@link TrainingRecipe#monitor() monitor}
 * picks, while an objective scored at the best epoch ({@link Objective.Epochs#BEST}, the default)
 * scores it at the epoch where the objective's metric is best. When the two differ (the default
 * recipe monitors {@code loss}; the tuner maximises {@code Val_f1} unless told otherwise), the
 * score may come from another epoch than the model kept, and the best trial's model is not
 * necessarily the one that earned the best score. Building the tuner then logs one warning naming
 * both and the fix: the recipe's monitor that watches the metric ({@code monitor=f1}; on the
 * command line {@code xray tune -H monitor=f1}), or the metric the monitor watches
 * ({@code Val_loss}; {@code xray tune --metric Val_loss}).
 */
public final class LocalTrialRunner implements TrialRunner {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTrialRunner.class);

    /** The metrics every epoch reports, as the {@code Val_epoch} line names them. */
    public static final List<String> METRICS = List.of("Val_loss", "Val_f1", "Val_accuracy", "Val_auc", "Val_pr_auc",
            "Val_precision", "Val_recall", "Val_specificity", "Train_loss", "Best_val_f1");

    private final Dataset dataset;
    private final TrainingRecipe recipe;
    private final Device device;
    private final int decodeThreads;
    private final int progressEveryBatches;
    private final boolean keepCheckpoints;
    private final boolean featureCache;
    /** The trials' decoded images, decoded by the first trial that needs them. */
    private final SharedImageCache images = new SharedImageCache();

    private LocalTrialRunner(Builder b) {
        this.dataset = b.dataset;
        this.recipe = b.recipe;
        this.device = b.device;
        this.decodeThreads = b.decodeThreads;
        this.progressEveryBatches = b.progressEveryBatches;
        this.keepCheckpoints = b.keepCheckpoints;
        this.featureCache = b.featureCache;
    }

    /** @return a builder; the dataset is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the decoded images the trials share */
    public SharedImageCache sharedImages() {
        return images;
    }

    /** @return the recipe every trial starts from */
    public TrainingRecipe recipe() {
        return recipe;
    }

    @Override
    public TrialOutcome run(Trial trial) {
        TrainingRecipe trialRecipe = recipe.withHyperparameters(trial.values());
        ResNetFineTuner.Builder builder = ResNetFineTuner.builder()
                .recipe(trialRecipe)
                .outputDirectory(trial.directory())
                .resume(trial.resumed())
                .runRecord(true)
                .featureCache(featureCache)
                .sharedImages(images)
                .decodeThreads(decodeThreads)
                .progressEveryBatches(progressEveryBatches);
        if (device != null) {
            builder.device(device);
        }
        ResNetFineTuner tuner = builder.build();
        FitResult fit = tuner.fit(dataset, new FitListener() {
            @Override
            public boolean stopAfter(EpochResult result) {
                return !trial.reportEpoch(result.epoch(), metrics(result));
            }
        });
        if (!keepCheckpoints) {
            deleteTree(tuner.checkpointDirectory());
        }
        return new TrialOutcome(fit.artifactDirectory());
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new XrayException(root + ": cannot delete the finished trial's checkpoints: " + e.getMessage(), e);
        }
    }

    /**
     * @param result an epoch's results
     * @return its metrics, named as the {@code Val_epoch} line names them
     */
    public static Map<String, Double> metrics(EpochResult result) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("Val_loss", result.validationLoss());
        metrics.put("Val_f1", result.validation().f1());
        metrics.put("Val_accuracy", result.validation().accuracy());
        metrics.put("Val_auc", result.validation().rocAuc());
        metrics.put("Val_pr_auc", result.validation().prAuc());
        metrics.put("Val_precision", result.validation().precision());
        metrics.put("Val_recall", result.validation().recall());
        metrics.put("Val_specificity", result.validation().specificity());
        metrics.put("Train_loss", result.trainLoss());
        metrics.put("Best_val_f1", result.bestSoFar().validationF1());
        return metrics;
    }

    @Override
    public void validate(SearchSpace space, Objective objective) {
        if (!METRICS.contains(objective.metric())) {
            throw new InvalidConfigurationException("objective", "'" + objective.metric()
                    + "' is not a metric the trainer reports; expected one of " + METRICS);
        }
        Set<String> keys = TrainingRecipe.defaults().toHyperparameters().keySet();
        for (Parameter parameter : space.parameters()) {
            if (!keys.contains(parameter.name())) {
                throw new InvalidConfigurationException("parameters", "'" + parameter.name()
                        + "' is not a recipe hyperparameter; expected one of " + keys);
            }
            for (double u : new double[] {0.0, 0.5, 1.0}) {
                String value = parameter.valueAt(u);
                try {
                    recipe.withHyperparameters(Map.of(parameter.name(), value));
                } catch (InvalidConfigurationException e) {
                    throw new InvalidConfigurationException("parameters", parameter + ": the value " + value
                            + " makes no valid recipe: " + e.getMessage());
                }
            }
            for (String category : parameter.categories()) {
                try {
                    recipe.withHyperparameters(Map.of(parameter.name(), category));
                } catch (InvalidConfigurationException e) {
                    throw new InvalidConfigurationException("parameters", parameter + ": the value " + category
                            + " makes no valid recipe: " + e.getMessage());
                }
            }
        }
        monitorMismatch(recipe, space, objective).ifPresent(LOG::warn);
    }

    /**
     * Whether trials would keep the model of another epoch than the one that scores them: the
     * objective is scored at the best epoch of a metric that the recipe's monitor (or, when the
     * space searches {@code monitor}, one of its values) does not watch.
     *
     * @param recipe the base recipe
     * @param space the search space
     * @param objective the objective
     * @return the warning to log, naming the metric, the monitor and the fix; empty when they agree
     */
    static Optional<String> monitorMismatch(TrainingRecipe recipe, SearchSpace space, Objective objective) {
        if (objective.epochs() != Objective.Epochs.BEST) {
            return Optional.empty();
        }
        String metric = objective.metric();
        Optional<ValidationMetric> watching = MONITORS.entrySet().stream()
                .filter(e -> e.getValue().equals(metric.equals("Best_val_f1") ? "Val_f1" : metric))
                .map(Map.Entry::getKey).findFirst();
        List<ValidationMetric> monitors = space.parameters().stream()
                .filter(p -> p.name().equals("monitor"))
                .findFirst()
                .map(p -> p.categories().stream().map(ValidationMetric::parse).toList())
                .orElse(List.of(recipe.monitor()));
        List<ValidationMetric> others = monitors.stream().filter(m -> watching.map(w -> w != m).orElse(true))
                .distinct().toList();
        if (others.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder warning = new StringBuilder("Trials are scored by " + metric + " at the epoch where it is best,"
                + " but each keeps the model of the epoch its recipe's monitor ("
                + others.stream().map(LocalTrialRunner::hyperparameter).collect(Collectors.joining(", "))
                + ") picks, so a trial's model, and the best-model of the run, may not be the one that earned its"
                + " score. ");
        if (monitors.size() > 1) {
            warning.append("The search varies monitor: search only ").append(watching.map(LocalTrialRunner::hyperparameter)
                    .map(m -> "monitor=" + m).orElse("monitors that watch " + metric)).append(", or tune another metric.");
        } else if (watching.isPresent()) {
            warning.append("To match them, give the recipe monitor=").append(hyperparameter(watching.get()))
                    .append(" (xray tune -H monitor=").append(hyperparameter(watching.get())).append(") or tune ")
                    .append(MONITORS.get(others.get(0))).append(" instead (xray tune --metric ")
                    .append(MONITORS.get(others.get(0))).append(").");
        } else {
            warning.append("No monitor watches ").append(metric).append("; to match them, tune ")
                    .append(MONITORS.get(others.get(0))).append(" instead (xray tune --metric ")
                    .append(MONITORS.get(others.get(0))).append(").");
        }
        return Optional.of(warning.toString());
    }

    /** Each monitor and the metric of the {@code Val_epoch} line it watches. */
    private static final Map<ValidationMetric, String> MONITORS = Map.of(
            ValidationMetric.F1, "Val_f1",
            ValidationMetric.ROC_AUC, "Val_auc",
            ValidationMetric.PR_AUC, "Val_pr_auc",
            ValidationMetric.ACCURACY, "Val_accuracy",
            ValidationMetric.LOSS, "Val_loss");

    /** @return the monitor as the recipe's {@code monitor} hyperparameter spells it */
    private static String hyperparameter(ValidationMetric monitor) {
        return monitor.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return 1 per 8 processors, at least 1: each training already uses several threads */
    @Override
    public int defaultParallelTrials() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 8);
    }

    /** @return true: an interrupted trial resumes from its last checkpoint */
    @Override
    public boolean continuesInterruptedTrials() {
        return true;
    }

    /** Collects and validates a {@link LocalTrialRunner}'s options. */
    public static final class Builder {
        private Dataset dataset;
        private TrainingRecipe recipe = TrainingRecipe.defaults();
        private Device device;
        private int decodeThreads = Runtime.getRuntime().availableProcessors();
        private int progressEveryBatches;
        private boolean keepCheckpoints;
        private boolean featureCache = true;

        private Builder() {}

        /**
         * @param cache let trials that train only the head without augmentation train on backbone
         *     features computed once ({@link ResNetFineTuner.Builder#featureCache(boolean)}); default true
         * @return this builder
         */
        public Builder featureCache(boolean cache) {
            this.featureCache = cache;
            return this;
        }

        /**
         * @param keep keep each finished trial's {@code checkpoints/} (default false: they are deleted
         *     once its model is written, as only an interrupted trial needs them)
         * @return this builder
         */
        public Builder keepCheckpoints(boolean keep) {
            this.keepCheckpoints = keep;
            return this;
        }

        /**
         * @param dataset the data every trial trains and validates on; required
         * @return this builder
         */
        public Builder dataset(Dataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /**
         * @param recipe the recipe the trials vary; default {@link TrainingRecipe#defaults()}
         * @return this builder
         */
        public Builder recipe(TrainingRecipe recipe) {
            this.recipe = recipe;
            return this;
        }

        /**
         * @param device where to train; default the trainer's choice
         * @return this builder
         */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /**
         * @param threads image decoding threads per trial; default the processor count
         * @return this builder
         */
        public Builder decodeThreads(int threads) {
            this.decodeThreads = threads;
            return this;
        }

        /**
         * @param batches log a progress line every this many batches, 0 (the default) for none
         * @return this builder
         */
        public Builder progressEveryBatches(int batches) {
            this.progressEveryBatches = batches;
            return this;
        }

        /**
         * @return the runner
         * @throws InvalidConfigurationException naming the first bad field
         */
        public LocalTrialRunner build() {
            if (dataset == null) {
                throw new InvalidConfigurationException("dataset", "must be set: the trials train on it");
            }
            Objects.requireNonNull(recipe, "recipe");
            if (decodeThreads < 1) {
                throw new InvalidConfigurationException("decodeThreads", "must be at least 1, got " + decodeThreads);
            }
            if (progressEveryBatches < 0) {
                throw new InvalidConfigurationException("progressEveryBatches", "must be zero or positive");
            }
            return new LocalTrialRunner(this);
        }
    }
}
