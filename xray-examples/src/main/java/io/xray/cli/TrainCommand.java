package io.xray.cli;

import io.xray.Devices;
import io.xray.data.Dataset;
import io.xray.data.Split;
import io.xray.metrics.BinaryMetrics;
import io.xray.model.ProbabilityCalibration;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingRecipe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xray train}: trains a classifier on a chest_xray folder or manifest, keeping the best
 * epoch, with a checkpoint after every epoch that {@code --resume} continues from.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a pneumonia classifier (ResNet18 backbone + one-logit head) and write OUTPUT/model, with the run's"
                    + " record beside it (hyperparameters.json, metrics.jsonl, run.json; see xray runs). After every"
                    + " epoch one line 'Val_epoch N: Val_loss=..., Val_f1=...; ...' is logged and a checkpoint is written"
                    + " to OUTPUT/checkpoints; --resume continues a killed run from its last complete epoch.",
            "What is trained is a recipe: --recipe picks a preset (default: the measured default recipe), each"
                    + " recipe option replaces one of its values, -H KEY=VALUE sets any value by its hyperparameter"
                    + " name, and --print-recipe shows the result without training."
        },
        defaultValueProvider = TrainCommand.RecipeDefaults.class)
final class TrainCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--data", required = true, description = "chest_xray folder (train/val/test) or manifest file")
    private Path data;

    @Option(names = "--val-fraction",
            description = "share of train images (whole patients) carved into validation; default 0.1 when the data"
                    + " has no val split, else its val split is used as it is")
    private Double valFraction;

    @Option(names = "--calibration-from-test", defaultValue = "0", paramLabel = "N",
            description = "set about N test images (whole patients) aside to choose the threshold on instead of"
                    + " validation; the model lists them and evaluate leaves them out of test figures (default: ${DEFAULT-VALUE})")
    private int calibrationFromTest;

    @Option(names = {"--output", "--out"}, required = true, description = "output folder: model/ and checkpoints/ go there")
    private Path output;

    @Option(names = "--resume", description = "continue from the last complete epoch in the checkpoint folder, if any")
    private boolean resume;

    @Option(names = "--print-recipe",
            description = "print the recipe this command would train, as hyperparameters (JSON), and exit without training")
    private boolean printRecipe;

    @Mixin
    private Options options;

    @Override
    public Integer call() {
        options.check(OptionChecks.of(spec).fractionOrZero("--val-fraction", valFraction)
                .atLeast("--calibration-from-test", calibrationFromTest, 0));
        TrainingRecipe recipe = options.recipe(spec);
        PrintWriter out = spec.commandLine().getOut();
        if (printRecipe) {
            out.println(JsonOutput.write(recipe.toHyperparameters()));
            out.flush();
            return 0;
        }
        Dataset dataset = withValidation(Dataset.load(data), valFraction, recipe.seed());
        if (calibrationFromTest > 0) {
            dataset = dataset.withTestMovedToCalibration(calibrationFromTest, recipe.seed());
        }
        ResNetFineTuner tuner = options.execution(ResNetFineTuner.builder().recipe(recipe))
                .outputDirectory(output)
                .resume(resume)
                .runRecord(true)
                .build();
        Dataset carved = dataset;
        FitResult result = BackboneAdvice.around(() -> tuner.fit(carved), BackboneAdvice.TRAIN_OPTION);
        printResult(out, result);
        ReportCommand.afterRun(out, output);
        out.flush();
        return 0;
    }

    /**
     * @param dataset the data as read
     * @param valFraction the requested share of train to carve, or null for "0.1 if there is no val split"
     * @param seed the split's seed
     * @return the data with a validation split
     */
    static Dataset withValidation(Dataset dataset, Double valFraction, long seed) {
        if (valFraction != null) {
            return valFraction > 0 ? dataset.withValidationFromTrain(valFraction, seed) : dataset;
        }
        return dataset.records(Split.VAL).isEmpty() ? dataset.withValidationFromTrain(0.1, seed) : dataset;
    }

    static void printResult(PrintWriter out, FitResult result) {
        BinaryMetrics m = result.validationMetrics();
        out.printf(Locale.ROOT, "model:            %s%n", result.artifactDirectory());
        out.printf(Locale.ROOT, "best epoch:       %d of %d run%s%n", result.bestEpoch(), result.history().size(),
                result.stoppedEarly() ? " (stopped early)" : "");
        out.printf(Locale.ROOT, "threshold:        %.4f (%s, on %s)%n", result.threshold().threshold(),
                result.threshold().rule(), result.thresholdCalibration() != null
                        ? result.thresholdCalibration().images() + " calibration images" : "validation");
        out.printf(Locale.ROOT, "validation:       F1 %.4f, accuracy %.4f, sensitivity %.4f, specificity %.4f,"
                        + " ROC AUC %.4f, %d images%n",
                m.f1(), m.accuracy(), m.recall(), m.specificity(), m.rocAuc(), m.count());
        out.printf(Locale.ROOT, "naive baseline:   F1 %.4f (calling every image pneumonia)%n", m.naiveF1());
        if (result.probabilityCalibration() != null) {
            ProbabilityCalibration c = result.probabilityCalibration();
            out.printf(Locale.ROOT, "calibration:      temperature %.4f, offset %.4f (on %d %s images), validation ECE"
                    + " %.4f -> %.4f%n", c.temperature(), c.offset(), c.images(), c.fittedOn(), c.validationEceBefore(),
                    c.validationEceAfter());
        }
        out.printf(Locale.ROOT, "time:             %.1f s%n", result.seconds());
    }

    /**
     * Shows each recipe option's default as the default recipe holds it ({@link TrainingRecipe#defaults()}),
     * so that the help text and the library cannot disagree.
     */
    static final class RecipeDefaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argSpec) {
            if (argSpec instanceof OptionSpec option && option.longestName().startsWith("--")) {
                return TrainingRecipe.defaults().toHyperparameters().get(option.longestName().substring(2));
            }
            return null;
        }
    }

    /**
     * The training options. Each recipe option is named as the recipe's hyperparameter and, when it
     * is given, replaces that value of the chosen {@code --recipe}; the library parses and validates
     * every value ({@link TrainingRecipe#withHyperparameters(Map)}), so the command line, a SageMaker
     * {@code hyperparameters.json} and a model's provenance read alike. The defaults shown are the
     * default recipe's.
     */
    static final class Options {
        @Option(names = "--recipe", paramLabel = "NAME",
                description = "preset to start from: default (the measured recipe), quickstart or seed-notebook"
                        + " (ImageNet backbone, head only; needs network once)")
        String recipe;

        @Option(names = "--seed", description = "seed of the split, initialisation, shuffling and augmentation (default: ${DEFAULT-VALUE})")
        String seed;

        @Option(names = "--backbone",
                description = "scratch, scratch:W1,W2,W3,W4 (stage widths), imagenet (DJL model zoo, needs network),"
                        + " torchscript:FILE or model:DIR (an earlier xray model's backbone) (default: ${DEFAULT-VALUE})")
        String backbone;

        @Option(names = "--trainable", description = "all, head or last-N stages, N = 1..4 (default: ${DEFAULT-VALUE})")
        String trainable;

        @Option(names = "--optimizer", description = "adam, adamw or sgd (with momentum) (default: ${DEFAULT-VALUE})")
        String optimizer;

        @Option(names = {"--learning-rate", "--lr"}, description = "peak learning rate (default: ${DEFAULT-VALUE})")
        String learningRate;

        @Option(names = "--weight-decay", description = "(default: ${DEFAULT-VALUE})")
        String weightDecay;

        @Option(names = "--momentum", description = "SGD momentum (default: ${DEFAULT-VALUE})")
        String momentum;

        @Option(names = "--schedule",
                description = "constant, cosine[:WARMUP_FRACTION] (warm-up then cosine) or one-cycle[:RAMP_FRACTION] (default: ${DEFAULT-VALUE})")
        String schedule;

        @Option(names = "--batch-size", description = "(default: ${DEFAULT-VALUE})")
        String batchSize;

        @Option(names = "--epochs", description = "maximum epochs (default: ${DEFAULT-VALUE})")
        String epochs;

        @Option(names = "--patience", description = "stop after N epochs without improvement, 0 never (default: ${DEFAULT-VALUE})")
        String patience;

        @Option(names = "--monitor", description = "metric that picks the best epoch: f1, auc, pr-auc, accuracy or loss (default: ${DEFAULT-VALUE})")
        String monitor;

        @Option(names = "--positive-class-weight",
                description = "loss weight of pneumonia images, or auto = NORMAL/PNEUMONIA count of train (default: ${DEFAULT-VALUE})")
        String positiveClassWeight;

        @Option(names = "--oversample", description = "repeat minority-class images so each epoch is balanced")
        boolean oversample;

        @Option(names = "--image-size", description = "network input size, the centre crop (default: ${DEFAULT-VALUE})")
        String imageSize;

        @Option(names = "--resize", description = "shorter side before cropping (default: ${DEFAULT-VALUE}; image size x 8/7 when only --image-size is given)")
        String resize;

        @Option(names = "--equalization",
                description = "per-image intensity normalisation of the crop, kept in the model: none or histogram"
                        + " (default: ${DEFAULT-VALUE})")
        String equalization;

        @Option(names = "--no-augmentation", description = "train on centre crops only")
        boolean noAugmentation;

        @Option(names = "--crop-scale-min", description = "random resized crop's smallest share of the image (default: ${DEFAULT-VALUE})")
        String cropScaleMin;

        @Option(names = "--rotation", description = "maximum random rotation in degrees (default: ${DEFAULT-VALUE})")
        String rotation;

        @Option(names = "--brightness", description = "(default: ${DEFAULT-VALUE})")
        String brightness;

        @Option(names = "--contrast", description = "(default: ${DEFAULT-VALUE})")
        String contrast;

        @Option(names = "--gamma", description = "gamma jitter G: exponents in [1/(1+G), 1+G] (default: ${DEFAULT-VALUE})")
        String gamma;

        @Option(names = "--threshold-rule",
                description = "how the stored threshold is chosen on validation (or on the calibration split):"
                        + " max-f1 or sensitivity>=T (default: ${DEFAULT-VALUE})")
        String thresholdRule;

        @Option(names = {"-H", "--hyperparameter"}, paramLabel = "KEY=VALUE",
                description = "set any recipe value by its hyperparameter name, e.g. -H horizontal-flip=true;"
                        + " --print-recipe lists the names")
        Map<String, String> hyperparameters = new LinkedHashMap<>();

        @Option(names = "--checkpoint-dir", description = "checkpoint folder (default: OUTPUT/checkpoints)")
        Path checkpointDirectory;

        @Option(names = "--device", defaultValue = "auto", description = "auto (GPU if one is seen), cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--no-feature-cache",
                description = "when only the head trains without augmentation, run the frozen backbone in every step"
                        + " instead of computing each image's features once (same model, slower; for comparison)")
        boolean noFeatureCache;

        @Option(names = "--progress-every", defaultValue = "20", description = "log progress every N batches, 0 never (default: ${DEFAULT-VALUE})")
        int progressEvery;

        /**
         * Checks the options that are not recipe values (the library checks those, by their
         * hyperparameter names, which are the options' names).
         *
         * @param checks the command's checks
         */
        void check(OptionChecks checks) {
            checks.atLeast("--progress-every", progressEvery, 0);
        }

        /**
         * @param spec the parsed command, to tell the options given from their shown defaults
         * @return the chosen preset with every recipe option given on the command line applied
         */
        TrainingRecipe recipe(CommandSpec spec) {
            Map<String, String> given = new LinkedHashMap<>(hyperparameters);
            for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
                String key = option.longestName().substring(2);
                if (option.longestName().startsWith("--") && TrainingRecipe.defaults().toHyperparameters().containsKey(key)) {
                    Object value = option.getValue();
                    given.put(key, String.valueOf(value));
                }
            }
            if (oversample) {
                given.put("oversample", "true");
            }
            if (noAugmentation) {
                given.put("augmentation", "false");
            }
            return TrainingRecipe.preset(recipe == null ? "default" : recipe).withHyperparameters(given);
        }

        /**
         * @param builder a builder holding the recipe
         * @return the builder with how the run executes (device, checkpoints, progress)
         */
        ResNetFineTuner.Builder execution(ResNetFineTuner.Builder builder) {
            builder.checkpointDirectory(checkpointDirectory).progressEveryBatches(progressEvery)
                    .featureCache(!noFeatureCache);
            Devices.parse(device).ifPresent(builder::device);
            return builder;
        }
    }
}
