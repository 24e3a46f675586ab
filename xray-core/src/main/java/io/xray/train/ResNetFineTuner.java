package io.xray.train;

import io.xray.backbone.Backbone;
import ai.djl.Device;
import io.xray.InvalidConfigurationException;
import io.xray.data.Dataset;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.image.TrainingAugmentation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Trains a pneumonia classifier: a ResNet18 backbone ({@link Backbone}) with a fresh one-logit
 * head, binary cross-entropy from the logit, keeping the best epoch by a validation metric, with
 * a checkpoint after every epoch that a resumed run continues from.
 *
 * <p>The configuration is immutable, built fluently and validated in {@link Builder#build()},
 * which names the bad field ({@link InvalidConfigurationException#field()}):
 *
 * <pre>{@code
 * ResNetFineTuner tuner = ResNetFineTuner.builder()
 *         .backbone(Backbone.resNet18FromScratch())
 *         .learningRate(1e-3)
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
    private final Device device;
    private final Preprocessing preprocessing;
    private final TrainingAugmentation augmentation;
    private final ThresholdRule thresholdRule;
    private final Path outputDirectory;
    private final Path checkpointDirectory;
    private final boolean resume;
    private final int progressEveryBatches;
    private final int decodeThreads;
    private final ImageDecoder decoder;

    private ResNetFineTuner(Builder b) {
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
        this.device = b.device;
        this.preprocessing = b.preprocessing;
        this.augmentation = b.augmentation;
        this.thresholdRule = b.thresholdRule;
        this.outputDirectory = b.outputDirectory;
        this.checkpointDirectory = b.checkpointDirectory;
        this.resume = b.resume;
        this.progressEveryBatches = b.progressEveryBatches;
        this.decodeThreads = b.decodeThreads;
        this.decoder = b.decoder;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration, for variations */
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
        b.device = device;
        b.preprocessing = preprocessing;
        b.augmentation = augmentation;
        b.augmentationSet = true;
        b.thresholdRule = thresholdRule;
        b.outputDirectory = outputDirectory;
        b.checkpointDirectory = checkpointDirectory;
        b.resume = resume;
        b.progressEveryBatches = progressEveryBatches;
        b.decodeThreads = decodeThreads;
        b.decoder = decoder;
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
        return new FitRun(this, dataset, listener, hook).run();
    }

    /**
     * Every option as the command line spells it, for provenance and for refusing to resume a
     * checkpoint with different options. Where files go (output, checkpoints), the device and
     * {@code resume} itself are left out: they do not change the model.
     *
     * @return option name to value, in a stable order
     */
    public Map<String, String> hyperparameters() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("backbone", backbone.toString());
        map.put("trainable-layers", trainableLayers.toString());
        map.put("optimizer", optimizer.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        map.put("learning-rate", Double.toString(learningRate));
        map.put("weight-decay", Double.toString(weightDecay));
        if (optimizer == OptimizerKind.SGD_MOMENTUM) {
            map.put("momentum", Double.toString(momentum));
        }
        map.put("schedule", schedule.toString());
        map.put("batch-size", Integer.toString(batchSize));
        map.put("epochs", Integer.toString(epochs));
        map.put("patience", Integer.toString(earlyStoppingPatience));
        map.put("monitor", monitor.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        map.put("positive-class-weight", positiveClassWeight == null ? "auto" : positiveClassWeight.toString());
        map.put("oversample", Boolean.toString(oversampleMinority));
        map.put("seed", Long.toString(seed));
        map.put("preprocessing", preprocessing.toJson());
        map.put("augmentation", augmentation == null ? "none" : augmentation.toString());
        map.put("threshold-rule", thresholdRule.toString());
        return map;
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

    /** @return SGD's momentum */
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

    /** @return the random seed */
    public long seed() {
        return seed;
    }

    /** @return the device, empty for automatic (GPU when the engine sees one) */
    public Optional<Device> device() {
        return Optional.ofNullable(device);
    }

    /** @return the preprocessing, saved with the model */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** @return the training augmentation, empty for none */
    public Optional<TrainingAugmentation> augmentation() {
        return Optional.ofNullable(augmentation);
    }

    /** @return how the model's threshold is chosen */
    public ThresholdRule thresholdRule() {
        return thresholdRule;
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

    @Override
    public String toString() {
        return "ResNetFineTuner" + hyperparameters();
    }

    /**
     * Builds a {@link ResNetFineTuner}. Every option has a default except
     * {@link #outputDirectory(Path)}.
     */
    public static final class Builder {
        private Backbone backbone = Backbone.resNet18FromScratch();
        private TrainableLayers trainableLayers = TrainableLayers.all();
        private OptimizerKind optimizer = OptimizerKind.ADAMW;
        private double learningRate = 1e-3;
        private double weightDecay = 1e-4;
        private double momentum = 0.9;
        private LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(0.1);
        private int batchSize = 32;
        private int epochs = 10;
        private int earlyStoppingPatience = 5;
        private ValidationMetric monitor = ValidationMetric.F1;
        private Double positiveClassWeight;
        private boolean oversampleMinority;
        private long seed = 42;
        private Device device;
        private Preprocessing preprocessing = Preprocessing.defaults();
        private TrainingAugmentation augmentation;
        private boolean augmentationSet;
        private ThresholdRule thresholdRule = ThresholdRule.maxF1();
        private Path outputDirectory;
        private Path checkpointDirectory;
        private boolean resume;
        private int progressEveryBatches = 20;
        private int decodeThreads = Runtime.getRuntime().availableProcessors();
        private ImageDecoder decoder = ImageDecoder.defaults();

        private Builder() {}

        /**
         * @param backbone the feature extractor; default {@link Backbone#resNet18FromScratch()}
         * @return this builder
         */
        public Builder backbone(Backbone backbone) {
            this.backbone = backbone;
            return this;
        }

        /**
         * @param trainableLayers what training updates; default {@link TrainableLayers#all()}
         * @return this builder
         */
        public Builder trainableLayers(TrainableLayers trainableLayers) {
            this.trainableLayers = trainableLayers;
            return this;
        }

        /**
         * @param optimizer the optimiser; default {@link OptimizerKind#ADAMW}
         * @return this builder
         */
        public Builder optimizer(OptimizerKind optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /**
         * @param learningRate the peak learning rate, positive; default 1e-3
         * @return this builder
         */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /**
         * @param weightDecay weight decay, zero or more; default 1e-4; applies to convolution and
         *     linear weights, not to biases and BatchNorm parameters
         * @return this builder
         */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @param momentum SGD's momentum in [0, 1); default 0.9
         * @return this builder
         */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /**
         * @param schedule the learning-rate schedule; default 10% linear warm-up then cosine
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /**
         * @param batchSize training images per batch, at least 2 (BatchNorm); default 32
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param epochs the maximum number of epochs, at least 1; default 10
         * @return this builder
         */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /**
         * @param patience stop after this many epochs without improvement of the monitored
         *     metric; 0 never stops early; default 5
         * @return this builder
         */
        public Builder earlyStoppingPatience(int patience) {
            this.earlyStoppingPatience = patience;
            return this;
        }

        /**
         * @param monitor the validation metric that picks the best epoch and drives early
         *     stopping; default {@link ValidationMetric#F1}
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
         * Weighs pneumonia examples by negatives / positives of the training split (the
         * default), or 1 when oversampling already balances the classes.
         *
         * @return this builder
         */
        public Builder positiveClassWeightFromData() {
            this.positiveClassWeight = null;
            return this;
        }

        /**
         * @param oversample repeat minority-class images so that each epoch sees both classes
         *     equally often; default false
         * @return this builder
         */
        public Builder oversampleMinority(boolean oversample) {
            this.oversampleMinority = oversample;
            return this;
        }

        /**
         * @param seed seeds initialisation, shuffling, oversampling and augmentation; default 42
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
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
         * @param preprocessing the preprocessing, saved with the model; default
         *     {@link Preprocessing#defaults()}
         * @return this builder
         */
        public Builder preprocessing(Preprocessing preprocessing) {
            this.preprocessing = preprocessing;
            return this;
        }

        /**
         * @param augmentation the training augmentation; it must wrap this builder's
         *     preprocessing; null for none. Default: {@code TrainingAugmentation.builder(preprocessing).build()}
         * @return this builder
         */
        public Builder augmentation(TrainingAugmentation augmentation) {
            this.augmentation = augmentation;
            this.augmentationSet = true;
            return this;
        }

        /**
         * @return this builder, with training images only centre-cropped as at prediction
         */
        public Builder noAugmentation() {
            return augmentation(null);
        }

        /**
         * @param rule how the stored threshold is chosen on validation, or on the data set's
         *     {@code CALIBRATION} split when it has one; default maximum F1
         * @return this builder
         */
        public Builder thresholdRule(ThresholdRule rule) {
            this.thresholdRule = rule;
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
         *     default false (a fresh run deletes old checkpoints)
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
         * Validates every option.
         *
         * @return the configuration
         * @throws InvalidConfigurationException naming the first bad field
         */
        public ResNetFineTuner build() {
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
            if (!augmentationSet) {
                augmentation = TrainingAugmentation.builder(preprocessing).build();
            }
            require(augmentation == null || augmentation.preprocessing().equals(preprocessing), "augmentation",
                    "wraps " + (augmentation == null ? null : augmentation.preprocessing())
                            + " but the tuner's preprocessing is " + preprocessing
                            + "; build it with TrainingAugmentation.builder(preprocessing)");
            require(thresholdRule != null, "thresholdRule", "must not be null");
            require(outputDirectory != null, "outputDirectory", "must be set: the model and checkpoints go there");
            require(progressEveryBatches >= 0, "progressEveryBatches", "must be zero or positive");
            require(decodeThreads >= 1, "decodeThreads", "must be at least 1, got " + decodeThreads);
            require(decoder != null, "decoder", "must not be null");
            ResNetFineTuner tuner = new ResNetFineTuner(this);
            if (!augmentationSet) {
                augmentation = null;
            }
            return tuner;
        }

        private static void require(boolean condition, String field, String reason) {
            if (!condition) {
                throw new InvalidConfigurationException(field, reason);
            }
        }
    }
}
