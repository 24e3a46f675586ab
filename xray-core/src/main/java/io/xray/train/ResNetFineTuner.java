package io.xray.train;

import ai.djl.Device;
import io.xray.InvalidConfigurationException;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.debug.DebuggerConfig;
import io.xray.debug.ProfilerConfig;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.image.TrainingAugmentation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Trains a pneumonia classifier: a ResNet18 backbone ({@link Backbone}) with a fresh one-logit
 * head, binary cross-entropy from the logit, keeping the best epoch by a validation metric, with
 * a checkpoint after every epoch that a resumed run continues from.
 *
 * <p>What is trained is a {@link TrainingRecipe}; the builder starts from
 * {@link TrainingRecipe#defaults()}, the measured default recipe that {@code xray train} runs, and
 * its recipe setters ({@link Builder#learningRate(double)}, {@link Builder#epochs(int)}, ...)
 * change that recipe. How the run is executed (output and checkpoint folders, resume, device,
 * decoding threads, progress) is the tuner's own. The configuration is immutable, built fluently
 * and validated in {@link Builder#build()}, which names the bad field
 * ({@link InvalidConfigurationException#field()}):
 *
 * <pre>{@code
 * ResNetFineTuner tuner = ResNetFineTuner.builder()
 *         .recipe(TrainingRecipe.quickstart())
 *         .epochs(8)
 *         .outputDirectory(Path.of("runs/first"))
 *         .build();
 * FitResult result = tuner.fit(Dataset.fromDirectory(root).withValidationFromTrain(0.1, 42));
 * }</pre>
 *
 * <p>{@link #fit(Dataset)} trains on the dataset's {@code TRAIN} split, validates on its {@code VAL}
 * split after every epoch, and writes the model directory {@code OUTPUT/model} (weights of the best
 * epoch and {@code model.json}) and checkpoints in {@code OUTPUT/checkpoints}. After every epoch it
 * logs one INFO line that starts exactly like the seed notebook's
 * ({@code Val_epoch 3: Val_loss=0.2311, Val_f1=0.9402; Val_accuracy=0.9120; Patience=1}), see
 * {@link EpochLogLine}. The stored threshold is chosen with the {@link ThresholdRule} on the
 * {@code VAL} split, or on the {@code CALIBRATION} split when the dataset has one
 * ({@link Dataset#withTestMovedToCalibration(int, long)}); the model then lists those images.
 */
public final class ResNetFineTuner {

    private final TrainingRecipe recipe;
    private final Device device;
    private final Path outputDirectory;
    private final Path checkpointDirectory;
    private final boolean resume;
    private final int progressEveryBatches;
    private final int decodeThreads;
    private final ImageDecoder decoder;
    private final SharedImageCache sharedImages;
    private final boolean runRecord;
    private final boolean featureCache;
    private final DebuggerConfig debugger;
    private final ProfilerConfig profiler;

    private ResNetFineTuner(Builder b, TrainingRecipe recipe) {
        this.recipe = recipe;
        this.device = b.device;
        this.outputDirectory = b.outputDirectory;
        this.checkpointDirectory = b.checkpointDirectory;
        this.resume = b.resume;
        this.progressEveryBatches = b.progressEveryBatches;
        this.decodeThreads = b.decodeThreads;
        this.decoder = b.decoder;
        this.sharedImages = b.sharedImages;
        this.runRecord = b.runRecord;
        this.featureCache = b.featureCache;
        this.debugger = b.debugger;
        this.profiler = b.profiler;
    }

    /** @return a builder starting from {@link TrainingRecipe#defaults()} */
    public static Builder builder() {
        return new Builder(TrainingRecipe.defaults());
    }

    /** @return a builder holding this configuration, for variations */
    public Builder toBuilder() {
        Builder b = new Builder(recipe);
        b.device = device;
        b.outputDirectory = outputDirectory;
        b.checkpointDirectory = checkpointDirectory;
        b.resume = resume;
        b.progressEveryBatches = progressEveryBatches;
        b.decodeThreads = decodeThreads;
        b.decoder = decoder;
        b.sharedImages = sharedImages;
        b.runRecord = runRecord;
        b.featureCache = featureCache;
        b.debugger = debugger;
        b.profiler = profiler;
        return b;
    }

    /**
     * Trains on the dataset's {@code TRAIN} split and validates on its {@code VAL} split.
     *
     * @param dataset the data; its {@code VAL} split must hold both classes (see
     *     {@link Dataset#withValidationFromTrain(double, long)})
     * @return the history, the best epoch and the model directory
     */
    public FitResult fit(Dataset dataset) {
        return fit(dataset, null);
    }

    /**
     * Trains as {@link #fit(Dataset)} does, telling a listener about every batch and epoch.
     *
     * @param dataset the data
     * @param listener hears progress; may be null
     * @return the history, the best epoch and the model directory
     */
    public FitResult fit(Dataset dataset, FitListener listener) {
        return fit(dataset, listener, CheckpointStore.Hook.NONE);
    }

    FitResult fit(Dataset dataset, FitListener listener, CheckpointStore.Hook hook) {
        Objects.requireNonNull(dataset, "dataset");
        if (!runRecord) {
            return new FitRun(this, dataset, listener, hook).run();
        }
        RunRecorder recorder = RunRecorder.start(this, listener);
        FitResult result;
        try {
            result = new FitRun(this, dataset, recorder, hook).run();
        } catch (RuntimeException e) {
            recorder.fail(e);
            throw e;
        }
        recorder.finish(result);
        return result;
    }

    /** Test seam: {@code networkHook} sees the freshly created network before training, to inject faults. */
    FitResult fit(Dataset dataset, FitListener listener, java.util.function.Consumer<io.xray.internal.Network> networkHook) {
        Objects.requireNonNull(dataset, "dataset");
        return new FitRun(this, dataset, listener, CheckpointStore.Hook.NONE, networkHook, null).run();
    }

    /** Test seam: {@code beforeBatch} runs on the loader thread before each batch is assembled, to slow it. */
    FitResult fitWithSlowLoader(Dataset dataset, Runnable beforeBatch) {
        Objects.requireNonNull(dataset, "dataset");
        return new FitRun(this, dataset, null, CheckpointStore.Hook.NONE, null, beforeBatch).run();
    }

    /** @return the recipe this tuner trains */
    public TrainingRecipe recipe() {
        return recipe;
    }

    /**
     * The recipe's hyperparameters ({@link TrainingRecipe#toHyperparameters()}): what the model's
     * provenance records, and what a resumed run must match. Where files go, the device and
     * {@code resume} itself are left out: they do not change the model.
     *
     * @return key to value, in a stable order
     */
    public Map<String, String> hyperparameters() {
        return recipe.toHyperparameters();
    }

    /** @return the backbone */
    public Backbone backbone() {
        return recipe.backbone();
    }

    /** @return which layers are trained */
    public TrainableLayers trainableLayers() {
        return recipe.trainableLayers();
    }

    /** @return the optimiser */
    public OptimizerKind optimizer() {
        return recipe.optimizer();
    }

    /** @return the peak learning rate */
    public double learningRate() {
        return recipe.learningRate();
    }

    /** @return the weight decay (L2 for Adam and SGD, decoupled for AdamW) */
    public double weightDecay() {
        return recipe.weightDecay();
    }

    /** @return SGD's momentum */
    public double momentum() {
        return recipe.momentum();
    }

    /** @return the learning-rate schedule */
    public LearningRateSchedule schedule() {
        return recipe.schedule();
    }

    /** @return training images per batch */
    public int batchSize() {
        return recipe.batchSize();
    }

    /** @return the maximum number of epochs */
    public int epochs() {
        return recipe.epochs();
    }

    /** @return epochs without improvement before stopping; 0 never stops early */
    public int earlyStoppingPatience() {
        return recipe.earlyStoppingPatience();
    }

    /** @return the validation metric that picks the best epoch */
    public ValidationMetric monitor() {
        return recipe.monitor();
    }

    /** @return the loss weight of pneumonia examples, empty for "from the training data" */
    public OptionalDouble positiveClassWeight() {
        return recipe.positiveClassWeight();
    }

    /** @return whether the minority class is oversampled to balance every epoch */
    public boolean oversampleMinority() {
        return recipe.oversampleMinority();
    }

    /** @return the random seed */
    public long seed() {
        return recipe.seed();
    }

    /** @return the preprocessing, saved with the model */
    public Preprocessing preprocessing() {
        return recipe.preprocessing();
    }

    /** @return the training augmentation, empty for none */
    public Optional<TrainingAugmentation> augmentation() {
        return recipe.augmentation();
    }

    /** @return how the model's threshold is chosen */
    public ThresholdRule thresholdRule() {
        return recipe.thresholdRule();
    }

    /** @return the device, empty for automatic (GPU when the engine sees one) */
    public Optional<Device> device() {
        return Optional.ofNullable(device);
    }

    /** @return where the run writes (the model goes to {@code model/} inside it) */
    public Path outputDirectory() {
        return outputDirectory;
    }

    /** @return the model directory, {@code outputDirectory/model} */
    public Path modelDirectory() {
        return outputDirectory.resolve("model");
    }

    /** @return where checkpoints go */
    public Path checkpointDirectory() {
        return checkpointDirectory != null ? checkpointDirectory : outputDirectory.resolve("checkpoints");
    }

    /** @return whether to continue from the last checkpoint when there is one */
    public boolean resume() {
        return resume;
    }

    /** @return log a progress line every this many batches (0 for never) */
    public int progressEveryBatches() {
        return progressEveryBatches;
    }

    /** @return threads that decode images into the cache */
    public int decodeThreads() {
        return decodeThreads;
    }

    /** @return the image decoder, with its limits */
    public ImageDecoder decoder() {
        return decoder;
    }

    /**
     * @return the decoded images this training shares with others (a tuning run's trials), empty
     *     when it decodes its own
     */
    public Optional<SharedImageCache> sharedImages() {
        return Optional.ofNullable(sharedImages);
    }

    /**
     * @return whether {@link #fit} writes a {@link RunRecord} in the output folder
     *     ({@code hyperparameters.json}, {@code metrics.jsonl}, {@code run.json})
     */
    public boolean runRecord() {
        return runRecord;
    }

    /**
     * @return whether a run that trains only the head without augmentation computes each image's
     *     backbone features once and trains the head on them
     */
    public boolean featureCache() {
        return featureCache;
    }

    /** @return the debugger rules evaluated during training (an execution setting: it does not change the model) */
    public DebuggerConfig debugger() {
        return debugger;
    }

    /** @return how the run profiles itself (an execution setting: it does not change the model) */
    public ProfilerConfig profiler() {
        return profiler;
    }

    @Override
    public String toString() {
        return "ResNetFineTuner" + hyperparameters();
    }

    /**
     * Builds a {@link ResNetFineTuner}. Every option has a default except
     * {@link #outputDirectory(Path)}: the recipe's from {@link TrainingRecipe#defaults()} (or the
     * recipe given to {@link #recipe(TrainingRecipe)}), the run's below.
     */
    public static final class Builder {
        private TrainingRecipe.Builder recipe;
        private Device device;
        private Path outputDirectory;
        private Path checkpointDirectory;
        private boolean resume;
        private int progressEveryBatches = 20;
        private int decodeThreads = Runtime.getRuntime().availableProcessors();
        private ImageDecoder decoder = ImageDecoder.defaults();
        private SharedImageCache sharedImages;
        private boolean runRecord;
        private boolean featureCache = true;
        private DebuggerConfig debugger = DebuggerConfig.defaults();
        private ProfilerConfig profiler = ProfilerConfig.defaults();

        private Builder(TrainingRecipe start) {
            this.recipe = start.toBuilder();
        }

        /**
         * @param recipe the recipe to train, replacing every recipe value set so far; recipe
         *     setters called afterwards change it
         * @return this builder
         */
        public Builder recipe(TrainingRecipe recipe) {
            if (recipe == null) {
                throw new InvalidConfigurationException("recipe", "must not be null");
            }
            this.recipe = recipe.toBuilder();
            return this;
        }

        /**
         * @param backbone the feature extractor; default the recipe's
         * @return this builder
         */
        public Builder backbone(Backbone backbone) {
            recipe.backbone(backbone);
            return this;
        }

        /**
         * @param trainableLayers what training updates; default the recipe's
         * @return this builder
         */
        public Builder trainableLayers(TrainableLayers trainableLayers) {
            recipe.trainableLayers(trainableLayers);
            return this;
        }

        /**
         * @param optimizer the optimiser; default the recipe's
         * @return this builder
         */
        public Builder optimizer(OptimizerKind optimizer) {
            recipe.optimizer(optimizer);
            return this;
        }

        /**
         * @param learningRate the peak learning rate, positive; default the recipe's
         * @return this builder
         */
        public Builder learningRate(double learningRate) {
            recipe.learningRate(learningRate);
            return this;
        }

        /**
         * @param weightDecay weight decay, zero or more; default the recipe's
         * @return this builder
         */
        public Builder weightDecay(double weightDecay) {
            recipe.weightDecay(weightDecay);
            return this;
        }

        /**
         * @param momentum SGD's momentum in [0, 1); default the recipe's
         * @return this builder
         */
        public Builder momentum(double momentum) {
            recipe.momentum(momentum);
            return this;
        }

        /**
         * @param schedule the learning-rate schedule; default the recipe's
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule schedule) {
            recipe.schedule(schedule);
            return this;
        }

        /**
         * @param batchSize training images per batch, at least 2 (BatchNorm); default the recipe's
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            recipe.batchSize(batchSize);
            return this;
        }

        /**
         * @param epochs the maximum number of epochs, at least 1; default the recipe's
         * @return this builder
         */
        public Builder epochs(int epochs) {
            recipe.epochs(epochs);
            return this;
        }

        /**
         * @param patience epochs without improvement before stopping, 0 never; default the recipe's
         * @return this builder
         */
        public Builder earlyStoppingPatience(int patience) {
            recipe.earlyStoppingPatience(patience);
            return this;
        }

        /**
         * @param monitor the validation metric that picks the best epoch; default the recipe's
         * @return this builder
         */
        public Builder monitor(ValidationMetric monitor) {
            recipe.monitor(monitor);
            return this;
        }

        /**
         * @param weight the loss weight of pneumonia examples, positive
         * @return this builder
         */
        public Builder positiveClassWeight(double weight) {
            recipe.positiveClassWeight(weight);
            return this;
        }

        /** @return this builder, weighing pneumonia examples by negatives / positives of the training split */
        public Builder positiveClassWeightFromData() {
            recipe.positiveClassWeightFromData();
            return this;
        }

        /**
         * @param oversample repeat minority-class images so each epoch is balanced
         * @return this builder
         */
        public Builder oversampleMinority(boolean oversample) {
            recipe.oversampleMinority(oversample);
            return this;
        }

        /**
         * @param seed seeds initialisation, shuffling, oversampling and augmentation
         * @return this builder
         */
        public Builder seed(long seed) {
            recipe.seed(seed);
            return this;
        }

        /**
         * @param preprocessing the preprocessing, saved with the model; the augmentation's
         *     settings are re-wrapped around it
         * @return this builder
         */
        public Builder preprocessing(Preprocessing preprocessing) {
            recipe.preprocessing(preprocessing);
            return this;
        }

        /**
         * @param augmentation the training augmentation's settings (re-wrapped around the recipe's
         *     preprocessing), or null for none
         * @return this builder
         */
        public Builder augmentation(TrainingAugmentation augmentation) {
            if (augmentation == null) {
                recipe.noAugmentation();
            } else {
                recipe.augmentation(augmentation);
            }
            return this;
        }

        /** @return this builder, with training images only centre-cropped as at prediction */
        public Builder noAugmentation() {
            recipe.noAugmentation();
            return this;
        }

        /**
         * @param rule how the stored threshold is chosen; default the recipe's
         * @return this builder
         */
        public Builder thresholdRule(ThresholdRule rule) {
            recipe.thresholdRule(rule);
            return this;
        }

        /**
         * @param device where to train; default: the first GPU when the engine sees one, else CPU
         * @return this builder
         */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /**
         * @param directory where the run writes: the model in {@code model/}, checkpoints in
         *     {@code checkpoints/}; required
         * @return this builder
         */
        public Builder outputDirectory(Path directory) {
            this.outputDirectory = directory;
            return this;
        }

        /**
         * @param directory where checkpoints go; default {@code outputDirectory/checkpoints}
         *     (on SageMaker, {@code /opt/ml/checkpoints})
         * @return this builder
         */
        public Builder checkpointDirectory(Path directory) {
            this.checkpointDirectory = directory;
            return this;
        }

        /**
         * @param resume continue from the last complete epoch's checkpoint when there is one;
         *     default false (a fresh run deletes old checkpoints). The checkpoint carries the
         *     debugger rules' state too, so the resumed run ends with an uninterrupted run's verdicts
         * @return this builder
         */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /**
         * @param batches log a progress line every this many batches, 0 for none; default 20
         * @return this builder
         */
        public Builder progressEveryBatches(int batches) {
            this.progressEveryBatches = batches;
            return this;
        }

        /**
         * @param threads threads that decode images into the cache; default the processor count
         * @return this builder
         */
        public Builder decodeThreads(int threads) {
            this.decodeThreads = threads;
            return this;
        }

        /**
         * @param decoder the image decoder with its limits; default {@link ImageDecoder#defaults()}
         * @return this builder
         */
        public Builder decoder(ImageDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /**
         * @param images decoded images to share with other trainings on the same data (a tuning
         *     run's trials): the splits' images are taken from it, or decoded into it; null (the
         *     default) decodes them for this training alone, released when it ends. An execution
         *     setting: the model is the same.
         * @return this builder
         */
        public Builder sharedImages(SharedImageCache images) {
            this.sharedImages = images;
            return this;
        }

        /**
         * @param record write a {@link RunRecord} in the output folder: the hyperparameters, one
         *     {@code metrics.jsonl} line per epoch as it ends (a resumed run repeats none), the
         *     environment and the summary; default false ({@code xray train} and {@code xray tune}
         *     turn it on)
         * @return this builder
         */
        public Builder runRecord(boolean record) {
            this.runRecord = record;
            return this;
        }

        /**
         * @param debugger the debugger rules to evaluate during training, their parameters and
         *     sampling; default {@link DebuggerConfig#defaults()} (every rule with SageMaker's
         *     defaults, none stopping training); {@link DebuggerConfig#disabled()} for none. An
         *     execution setting: it is not part of the recipe and does not change the model.
         * @return this builder
         */
        public Builder debugger(DebuggerConfig debugger) {
            this.debugger = debugger;
            return this;
        }

        /**
         * @param cache when only the head trains ({@link TrainableLayers#headOnly()}) and augmentation
         *     is off, compute each training and validation image's backbone features once (the frozen
         *     backbone runs in evaluation mode) and train the head on them: the same batches, loss,
         *     optimiser, schedule, best epoch, threshold and model, without a backbone pass per step;
         *     default true. Other runs ignore it.
         * @return this builder
         */
        public Builder featureCache(boolean cache) {
            this.featureCache = cache;
            return this;
        }

        /**
         * @param profiler how the run profiles itself (CPU, memory, threads from {@code /proc} every
         *     500 ms, step times, data wait); default {@link ProfilerConfig#defaults()};
         *     {@link ProfilerConfig#disabled()} for none. An execution setting, not part of the recipe.
         * @return this builder
         */
        public Builder profiler(ProfilerConfig profiler) {
            this.profiler = profiler;
            return this;
        }

        /**
         * Validates every option.
         *
         * @return the configuration
         * @throws InvalidConfigurationException naming the first bad field
         */
        public ResNetFineTuner build() {
            TrainingRecipe built = recipe.build();
            require(outputDirectory != null, "outputDirectory", "must be set: the model and checkpoints go there");
            require(progressEveryBatches >= 0, "progressEveryBatches", "must be zero or positive");
            require(decodeThreads >= 1, "decodeThreads", "must be at least 1, got " + decodeThreads);
            require(decoder != null, "decoder", "must not be null");
            require(debugger != null, "debugger", "must not be null (DebuggerConfig.disabled() turns it off)");
            require(profiler != null, "profiler", "must not be null (ProfilerConfig.disabled() turns it off)");
            return new ResNetFineTuner(this, built);
        }

        private static void require(boolean condition, String field, String reason) {
            if (!condition) {
                throw new InvalidConfigurationException(field, reason);
            }
        }
    }
}
