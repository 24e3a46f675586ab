package io.xray.tune;

import ai.djl.Device;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.train.EpochResult;
import io.xray.train.FitListener;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingRecipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Trains each trial in this process with {@link ResNetFineTuner}: the recipe is the base recipe
 * with the trial's values ({@link TrainingRecipe#withHyperparameters(Map)}), the output goes to the
 * trial's folder ({@code model/}, and {@code checkpoints/} until the trial ends), which is also the trial's
 * {@link io.xray.train.RunRecord} (hyperparameters, per-epoch metrics, environment), and every epoch reports the fields of
 * the trainer's {@code Val_epoch} line: {@code Val_loss, Val_f1, Val_accuracy, Val_auc, Val_pr_auc,
 * Val_precision, Val_recall, Val_specificity, Train_loss, Best_val_f1}. The tuner's early stopping
 * ends a trial through {@link FitListener#stopAfter}, recorded in the checkpoint; an interrupted
 * trial resumes from its last checkpoint.
 *
 * <p>Parameter names must be recipe keys ({@link TrainingRecipe#toHyperparameters()}), and each
 * parameter's bounds must make a valid recipe; both are checked when the tuner is built.
 */
public final class LocalTrialRunner implements TrialRunner {

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
