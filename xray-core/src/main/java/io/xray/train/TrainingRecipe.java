package io.xray.train;

import io.xray.InvalidConfigurationException;
import io.xray.backbone.Backbone;
import io.xray.image.Equalization;
import io.xray.image.Preprocessing;
import io.xray.image.TrainingAugmentation;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything that changes the trained model, as one immutable value: the backbone and what of it is
 * trained, the preprocessing, the optimiser and its schedule, epochs and batch size, augmentation,
 * class weighting and oversampling, the metric that picks the best epoch, early stopping, the
 * threshold rule and the seed. How a run is executed (output and checkpoint folders, resume, device,
 * threads, progress) is not part of it: that is {@link ResNetFineTuner}'s business.
 *
 * <p>Start from a preset and vary it with {@link #toBuilder()}:
 *
 * <ul>
 *   <li>{@link #defaults()}, the measured default recipe: what {@code xray train} runs with no
 *       option and what {@link ResNetFineTuner#builder()} starts from;
 *   <li>{@link #quickstart()}, the small recipe of {@code xray quickstart} for the shipped samples;
 *   <li>{@link #seedNotebook()}, the original SageMaker notebook's transfer learning.
 * </ul>
 *
 * <p>A recipe is also a map of strings ({@link #toHyperparameters()}, {@link #fromHyperparameters(Map)}),
 * which is how the command line, a SageMaker training job ({@code hyperparameters.json}) and the
 * model's provenance carry it; see {@link #toHyperparameters()} for the keys and
 * {@link #fromHyperparameters(Map)} for the parsing rules.
 *
 * <p>The augmentation always wraps the recipe's own preprocessing: setting another preprocessing on
 * a builder re-wraps the augmentation's settings around it.
 */
public final class TrainingRecipe {

    private static final TrainingRecipe DEFAULTS = defaultsBuilder().build();
    private static final TrainingRecipe QUICKSTART = quickstartBuilder().build();
    private static final TrainingRecipe SEED_NOTEBOOK = seedNotebookBuilder().build();

    private final Backbone backbone;
    private final TrainableLayers trainableLayers;
    private final OptimizerKind optimizer;
    private final double learningRate;
    private final double weightDecay;
    private final double momentum;
    private final LearningRateSchedule schedule;
    private final int batchSize;
    private final int epochs;
    private final int earlyStoppingPatience;
    private final ValidationMetric monitor;
    private final Double positiveClassWeight;
    private final boolean oversampleMinority;
    private final long seed;
    private final Preprocessing preprocessing;
    private final TrainingAugmentation augmentation;
    private final boolean augmented;
    private final ThresholdRule thresholdRule;

    private TrainingRecipe(Builder b) {
        this.backbone = b.backbone;
        this.trainableLayers = b.trainableLayers;
        this.optimizer = b.optimizer;
        this.learningRate = b.learningRate;
        this.weightDecay = b.weightDecay;
        this.momentum = b.momentum;
        this.schedule = b.schedule;
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.earlyStoppingPatience = b.earlyStoppingPatience;
        this.monitor = b.monitor;
        this.positiveClassWeight = b.positiveClassWeight;
        this.oversampleMinority = b.oversampleMinority;
        this.seed = b.seed;
        this.preprocessing = b.preprocessing;
        this.augmentation = b.augmentation.preprocessing().equals(b.preprocessing)
                ? b.augmentation
                : b.augmentation.withPreprocessing(b.preprocessing);
        this.augmented = b.augmented;
        this.thresholdRule = b.thresholdRule;
    }

    /**
     * The measured default recipe (BENCHMARKS.md, "Default recipe", judged on 3 seeds): a
     * from-scratch ResNet18 of half torchvision's widths (32-64-128-256) at 128 px (resize 146, centre
     * crop 128, per-image histogram equalisation, ImageNet mean and deviation), AdamW with decoupled
     * weight decay 1e-4 and a one-cycle schedule (30% ramp) peaking at 0.002, 8 epochs of batch 32,
     * the best epoch by validation loss (patience 5), the positive-class weight from the training
     * data, strong geometry and exposure augmentation (random resized crops down to half the image at
     * aspect ratios 3/4 to 4/3, rotations up to 15 degrees, brightness and contrast ±30%, no gamma, no
     * flip), the threshold at 95% sensitivity on validation, seed 42. About 5 minutes on a 2-core
     * machine.
     *
     * @return the default recipe
     */
    public static TrainingRecipe defaults() {
        return DEFAULTS;
    }

    /**
     * The quickstart's recipe, sized for the 360 sample X-rays that ship with the project:
     * the default recipe's network and image size, batch 16 for 15 epochs without early stopping,
     * the best epoch by validation ROC AUC (steadier than F1 on 56 validation images), and milder
     * augmentation (crops down to 0.7, ±10 degrees, brightness and contrast ±15%), no histogram
     * equalisation and the threshold at maximum F1 (as measured before the default recipe took both).
     *
     * @return the quickstart recipe
     */
    public static TrainingRecipe quickstart() {
        return QUICKSTART;
    }

    /**
     * The original SageMaker notebook's transfer learning: DJL's ImageNet ResNet18 (needs network
     * access once, for the model zoo) with only the new one-logit head trained, the classic 256/224
     * preprocessing, Adam at learning rate 0.001 with a constant schedule, batch 32, 5 epochs, no
     * augmentation, the threshold at maximum F1. It is the starting point of the notebook's
     * hyperparameter search (learning rate 1e-4..0.1, batch size 32/64/128), not a measured recipe.
     *
     * @return the seed notebook's recipe
     */
    public static TrainingRecipe seedNotebook() {
        return SEED_NOTEBOOK;
    }

    /**
     * @param name {@code default}, {@code quickstart} or {@code seed-notebook}
     * @return that preset
     * @throws InvalidConfigurationException naming the presets when the name is none of them
     */
    public static TrainingRecipe preset(String name) {
        return switch (name == null ? "" : name) {
            case "default" -> DEFAULTS;
            case "quickstart" -> QUICKSTART;
            case "seed-notebook" -> SEED_NOTEBOOK;
            default -> throw new InvalidConfigurationException(RecipeHyperparameters.PRESET,
                    "'" + name + "' is not a preset; expected default, quickstart or seed-notebook");
        };
    }

    /**
     * Reads a recipe from hyperparameters, starting from {@link #defaults()} (or from the preset
     * that the {@code preset} key names) and replacing every value the map holds. Strict: an
     * unknown key, a value that does not parse or is out of range fails, naming the key and the
     * value. Values may be JSON-encoded as the SageMaker Python SDK sends them, and
     * {@code sagemaker_*} and {@code _tuning_objective_metric} keys are ignored. A value that is a
     * JSON string literal is decoded first, repeatedly (the SageMaker Python SDK JSON-encodes every
     * hyperparameter, tuning jobs encode categorical values twice); otherwise it is taken as it is.
     * White space around a value is refused. Booleans are {@code true} or {@code false} (any case).
     * When {@code image-size} is given without {@code resize}, the resize follows at
     * {@code round(image-size * 8 / 7)}.
     *
     * @param hyperparameters key to value, for example from {@code hyperparameters.json}
     * @return the recipe
     * @throws InvalidConfigurationException naming the key and value that are wrong
     */
    public static TrainingRecipe fromHyperparameters(Map<String, String> hyperparameters) {
        return RecipeHyperparameters.read(DEFAULTS, hyperparameters);
    }

    /**
     * @param hyperparameters the values to change, as {@link #fromHyperparameters(Map)} reads them
     * @return this recipe with those values replaced
     * @throws InvalidConfigurationException naming the key and value that are wrong
     */
    public TrainingRecipe withHyperparameters(Map<String, String> hyperparameters) {
        return RecipeHyperparameters.read(this, hyperparameters);
    }

    /**
     * Every value of this recipe as a string, keyed as the command line spells its options, in this
     * order: {@code backbone, trainable, optimizer, learning-rate, weight-decay, momentum, schedule,
     * batch-size, epochs, patience, monitor, positive-class-weight} ({@code auto} or a number),
     * {@code oversample, seed, image-size, resize, mean, std} (three comma-separated values),
     * {@code equalization} ({@code none} or {@code histogram}), {@code augmentation} (on or off), {@code crop-scale-min, crop-scale-max, aspect-ratio-min,
     * aspect-ratio-max, rotation, brightness, contrast, gamma, horizontal-flip, threshold-rule}.
     * Reading also knows {@code preset} ({@code default}, {@code quickstart}, {@code seed-notebook}).
     * {@code fromHyperparameters(r.toHyperparameters())} equals {@code r}. The model's provenance
     * stores exactly this map, so any model can be retrained from its {@code model.json}.
     *
     * @return key to value, unmodifiable, iteration in a stable order
     */
    public Map<String, String> toHyperparameters() {
        return RecipeHyperparameters.write(this);
    }

    /** @return a builder holding this recipe, for variations */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backbone = backbone;
        b.trainableLayers = trainableLayers;
        b.optimizer = optimizer;
        b.learningRate = learningRate;
        b.weightDecay = weightDecay;
        b.momentum = momentum;
        b.schedule = schedule;
        b.batchSize = batchSize;
        b.epochs = epochs;
        b.earlyStoppingPatience = earlyStoppingPatience;
        b.monitor = monitor;
        b.positiveClassWeight = positiveClassWeight;
        b.oversampleMinority = oversampleMinority;
        b.seed = seed;
        b.preprocessing = preprocessing;
        b.augmentation = augmentation;
        b.augmented = augmented;
        b.thresholdRule = thresholdRule;
        return b;
    }

    /** @return the backbone */
    public Backbone backbone() {
        return backbone;
    }

    /** @return which layers are trained */
    public TrainableLayers trainableLayers() {
        return trainableLayers;
    }

    /** @return the optimiser */
    public OptimizerKind optimizer() {
        return optimizer;
    }

    /** @return the peak learning rate */
    public double learningRate() {
        return learningRate;
    }

    /** @return the weight decay (L2 for Adam and SGD, decoupled for AdamW) */
    public double weightDecay() {
        return weightDecay;
    }

    /** @return SGD's momentum (kept, and ignored, for the other optimisers) */
    public double momentum() {
        return momentum;
    }

    /** @return the learning-rate schedule */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** @return training images per batch */
    public int batchSize() {
        return batchSize;
    }

    /** @return the maximum number of epochs */
    public int epochs() {
        return epochs;
    }

    /** @return epochs without improvement before stopping; 0 never stops early */
    public int earlyStoppingPatience() {
        return earlyStoppingPatience;
    }

    /** @return the validation metric that picks the best epoch */
    public ValidationMetric monitor() {
        return monitor;
    }

    /** @return the loss weight of pneumonia examples, empty for "from the training data" */
    public OptionalDouble positiveClassWeight() {
        return positiveClassWeight == null ? OptionalDouble.empty() : OptionalDouble.of(positiveClassWeight);
    }

    /** @return whether the minority class is oversampled to balance every epoch */
    public boolean oversampleMinority() {
        return oversampleMinority;
    }

    /** @return the seed of initialisation, shuffling, oversampling and augmentation */
    public long seed() {
        return seed;
    }

    /** @return the preprocessing, saved with the model */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** @return the training augmentation (around {@link #preprocessing()}), empty when training is not augmented */
    public Optional<TrainingAugmentation> augmentation() {
        return augmented ? Optional.of(augmentation) : Optional.empty();
    }

    /**
     * @return the augmentation settings, kept even when {@link #augmentation()} is off so that
     *     switching it back on restores them
     */
    public TrainingAugmentation augmentationSettings() {
        return augmentation;
    }

    /** @return how the model's threshold is chosen */
    public ThresholdRule thresholdRule() {
        return thresholdRule;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainingRecipe that && toHyperparameters().equals(that.toHyperparameters());
    }

    @Override
    public int hashCode() {
        return toHyperparameters().hashCode();
    }

    @Override
    public String toString() {
        return "TrainingRecipe" + toHyperparameters();
    }

    /** @return a builder starting from {@link #defaults()} */
    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    private static Builder defaultsBuilder() {
        Preprocessing preprocessing = Preprocessing.builder().resizeShorterSide(146).cropSize(128)
                .equalization(Equalization.HISTOGRAM).build();
        Builder b = new Builder();
        b.backbone = Backbone.resNet18FromScratch(32, 64, 128, 256);
        b.trainableLayers = TrainableLayers.all();
        b.optimizer = OptimizerKind.ADAMW;
        b.learningRate = 0.002;
        b.weightDecay = 1e-4;
        b.momentum = 0.9;
        b.schedule = LearningRateSchedule.oneCycle(0.3);
        b.batchSize = 32;
        b.epochs = 8;
        b.earlyStoppingPatience = 5;
        b.monitor = ValidationMetric.LOSS;
        b.positiveClassWeight = null;
        b.oversampleMinority = false;
        b.seed = 42;
        b.preprocessing = preprocessing;
        b.augmentation = TrainingAugmentation.builder(preprocessing)
                .randomResizedCrop(0.5, 1.0)
                .aspectRatio(3.0 / 4.0, 4.0 / 3.0)
                .maxRotationDegrees(15)
                .brightness(0.3)
                .contrast(0.3)
                .gamma(0)
                .horizontalFlip(false)
                .build();
        b.augmented = true;
        b.thresholdRule = ThresholdRule.targetSensitivity(0.95);
        return b;
    }

    private static Builder quickstartBuilder() {
        Builder b = defaultsBuilder();
        // Measured before the default recipe equalised histograms and took its threshold at a
        // sensitivity target (BENCHMARKS.md, "Quickstart"); kept as measured.
        Preprocessing preprocessing = b.preprocessing.toBuilder().equalization(Equalization.NONE).build();
        return b.preprocessing(preprocessing)
                .thresholdRule(ThresholdRule.maxF1())
                .batchSize(16)
                .epochs(15)
                .earlyStoppingPatience(0)
                .monitor(ValidationMetric.ROC_AUC)
                .augmentation(b.augmentation.toBuilder()
                        .randomResizedCrop(0.7, 1.0)
                        .maxRotationDegrees(10)
                        .brightness(0.15)
                        .contrast(0.15)
                        .build());
    }

    private static Builder seedNotebookBuilder() {
        return defaultsBuilder()
                .backbone(Backbone.imagenetResNet18())
                .trainableLayers(TrainableLayers.headOnly())
                .preprocessing(Preprocessing.builder()
                        .resizeShorterSide(Preprocessing.DEFAULT_RESIZE_SHORTER_SIDE)
                        .cropSize(Preprocessing.DEFAULT_CROP_SIZE)
                        .build())
                .monitor(ValidationMetric.F1)
                .thresholdRule(ThresholdRule.maxF1())
                .optimizer(OptimizerKind.ADAM)
                .learningRate(0.001)
                .weightDecay(0)
                .schedule(LearningRateSchedule.constant())
                .batchSize(32)
                .epochs(5)
                .noAugmentation();
    }

    /**
     * Builds a {@link TrainingRecipe}; starts from the values of the recipe it came from
     * ({@link TrainingRecipe#builder()} from {@link TrainingRecipe#defaults()}) and validates every
     * value in {@link #build()}, naming the bad field.
     */
    public static final class Builder {
        private Backbone backbone;
        private TrainableLayers trainableLayers;
        private OptimizerKind optimizer;
        private double learningRate;
        private double weightDecay;
        private double momentum;
        private LearningRateSchedule schedule;
        private int batchSize;
        private int epochs;
        private int earlyStoppingPatience;
        private ValidationMetric monitor;
        private Double positiveClassWeight;
        private boolean oversampleMinority;
        private long seed;
        private Preprocessing preprocessing;
        private TrainingAugmentation augmentation;
        private boolean augmented;
        private ThresholdRule thresholdRule;

        private Builder() {}

        /**
         * @param backbone the feature extractor
         * @return this builder
         */
        public Builder backbone(Backbone backbone) {
            this.backbone = backbone;
            return this;
        }

        /**
         * @param trainableLayers what training updates
         * @return this builder
         */
        public Builder trainableLayers(TrainableLayers trainableLayers) {
            this.trainableLayers = trainableLayers;
            return this;
        }

        /**
         * @param optimizer the optimiser
         * @return this builder
         */
        public Builder optimizer(OptimizerKind optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /**
         * @param learningRate the peak learning rate, positive
         * @return this builder
         */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /**
         * @param weightDecay weight decay, zero or more; applies to convolution and linear weights,
         *     not to biases and BatchNorm parameters
         * @return this builder
         */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @param momentum SGD's momentum in [0, 1)
         * @return this builder
         */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /**
         * @param schedule the learning-rate schedule
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /**
         * @param batchSize training images per batch, at least 2 (BatchNorm)
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param epochs the maximum number of epochs, at least 1
         * @return this builder
         */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /**
         * @param patience stop after this many epochs without improvement of the monitored
         *     metric; 0 never stops early
         * @return this builder
         */
        public Builder earlyStoppingPatience(int patience) {
            this.earlyStoppingPatience = patience;
            return this;
        }

        /**
         * @param monitor the validation metric that picks the best epoch and drives early stopping
         * @return this builder
         */
        public Builder monitor(ValidationMetric monitor) {
            this.monitor = monitor;
            return this;
        }

        /**
         * @param weight the loss weight of pneumonia examples (PyTorch's {@code pos_weight}),
         *     positive; 1 weighs both classes alike
         * @return this builder
         */
        public Builder positiveClassWeight(double weight) {
            this.positiveClassWeight = weight;
            return this;
        }

        /**
         * Weighs pneumonia examples by negatives / positives of the training split, or 1 when
         * oversampling already balances the classes.
         *
         * @return this builder
         */
        public Builder positiveClassWeightFromData() {
            this.positiveClassWeight = null;
            return this;
        }

        /**
         * @param oversample repeat minority-class images so that each epoch sees both classes
         *     equally often
         * @return this builder
         */
        public Builder oversampleMinority(boolean oversample) {
            this.oversampleMinority = oversample;
            return this;
        }

        /**
         * @param seed seeds initialisation, shuffling, oversampling and augmentation
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param preprocessing the preprocessing, saved with the model; the augmentation's settings
         *     are re-wrapped around it
         * @return this builder
         */
        public Builder preprocessing(Preprocessing preprocessing) {
            this.preprocessing = preprocessing;
            return this;
        }

        /**
         * Turns augmentation on with these settings. Only its settings count: it is re-wrapped
         * around the recipe's preprocessing.
         *
         * @param augmentation the training augmentation
         * @return this builder
         */
        public Builder augmentation(TrainingAugmentation augmentation) {
            this.augmentation = augmentation;
            this.augmented = true;
            return this;
        }

        /** @return this builder, with training images only centre-cropped as at prediction */
        public Builder noAugmentation() {
            this.augmented = false;
            return this;
        }

        /**
         * @param rule how the stored threshold is chosen on validation, or on the data set's
         *     {@code CALIBRATION} split when it has one
         * @return this builder
         */
        public Builder thresholdRule(ThresholdRule rule) {
            this.thresholdRule = rule;
            return this;
        }

        /**
         * Validates every value.
         *
         * @return the recipe
         * @throws InvalidConfigurationException naming the first bad field
         */
        public TrainingRecipe build() {
            require(backbone != null, "backbone", "must not be null");
            require(trainableLayers != null, "trainableLayers", "must not be null");
            require(optimizer != null, "optimizer", "must not be null");
            require(Double.isFinite(learningRate) && learningRate > 0, "learningRate",
                    "must be a positive number, got " + learningRate);
            require(Double.isFinite(weightDecay) && weightDecay >= 0, "weightDecay",
                    "must be zero or positive, got " + weightDecay);
            require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
            require(schedule != null, "schedule", "must not be null");
            require(batchSize >= 2, "batchSize",
                    "must be at least 2 (BatchNorm needs two images per batch), got " + batchSize);
            require(epochs >= 1, "epochs", "must be at least 1, got " + epochs);
            require(earlyStoppingPatience >= 0, "earlyStoppingPatience",
                    "must be zero (never stop early) or positive, got " + earlyStoppingPatience);
            require(monitor != null, "monitor", "must not be null");
            require(positiveClassWeight == null || (Double.isFinite(positiveClassWeight) && positiveClassWeight > 0),
                    "positiveClassWeight", "must be a positive number, got " + positiveClassWeight);
            require(preprocessing != null, "preprocessing", "must not be null");
            require(augmentation != null, "augmentation", "must not be null; use noAugmentation() for none");
            require(thresholdRule != null, "thresholdRule", "must not be null");
            return new TrainingRecipe(this);
        }

        private static void require(boolean condition, String field, String reason) {
            if (!condition) {
                throw new InvalidConfigurationException(field, reason);
            }
        }
    }
}
