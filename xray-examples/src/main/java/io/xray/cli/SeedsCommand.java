package io.xray.cli;

import io.xray.data.Dataset;
import io.xray.data.Split;
import io.xray.metrics.BinaryMetrics;
import io.xray.model.Classifier;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xray seeds}: trains one recipe once per seed and prints, for validation and test at each
 * model's stored threshold, every seed's figures and their mean ± sd and worst seed. A recipe is
 * judged on these, not on one run.
 */
@Command(
        name = "seeds",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a recipe with several seeds (each seed draws its own validation split, initialisation, order and"
                    + " augmentation) into OUTPUT/seed-N, evaluate each model at its stored threshold on validation and"
                    + " test, and print every seed's figures with their mean, standard deviation and worst seed;"
                    + " OUTPUT/seeds.json keeps them.",
            "A seed whose run is finished is not trained again and a killed one resumes from its last epoch, so"
                    + " re-running the same command completes the study. The recipe options are xray train's."
        },
        defaultValueProvider = TrainCommand.RecipeDefaults.class)
final class SeedsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--data", required = true, description = "chest_xray folder (train/val/test) or manifest file")
    private Path data;

    @Option(names = "--seeds", required = true, split = ",", paramLabel = "S1,S2,...",
            description = "the seeds, e.g. 1,2,3; each replaces the recipe's seed")
    private List<Long> seeds;

    @Option(names = "--val-fraction",
            description = "share of train images (whole patients) carved into validation with each seed; default 0.1"
                    + " when the data has no val split")
    private Double valFraction;

    @Option(names = "--calibration-from-test", defaultValue = "0", paramLabel = "N",
            description = "set about N test images aside per seed to choose the threshold on (as xray train);"
                    + " they are left out of that seed's test figures (default: ${DEFAULT-VALUE})")
    private int calibrationFromTest;

    @Option(names = "--also-test", paramLabel = "MANIFEST",
            description = "another data set whose test split (less its calibration images) every model is also"
                    + " evaluated on, e.g. a manifest from xray split --calibration-from-test; repeatable")
    private List<Path> alsoTest = new ArrayList<>();

    @Option(names = {"--output", "--out"}, required = true, description = "output folder: one seed-N run folder per seed")
    private Path output;

    @Mixin
    private TrainCommand.Options options;

    /** One seed's results: its training figures and the evaluations by name (val, test, ...). */
    record SeedResult(long seed, int bestEpoch, int epochsRun, double threshold, double trainingSeconds,
            Map<String, BinaryMetrics> evaluations) {}

    /** What {@code seeds.json} holds. */
    record SeedsJson(Map<String, String> recipe, List<SeedResult> seeds) {}

    @Override
    public Integer call() {
        if (spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--seed " + options.seed + " is not used by xray seeds: give the seeds with --seeds");
        }
        options.check(OptionChecks.of(spec).fractionOrZero("--val-fraction", valFraction)
                .atLeast("--calibration-from-test", calibrationFromTest, 0));
        TrainingRecipe recipe = options.recipe(spec);
        PrintWriter out = spec.commandLine().getOut();
        List<SeedResult> results = new ArrayList<>();
        for (long seed : seeds) {
            results.add(runSeed(recipe.toBuilder().seed(seed).build(), out));
            writeJson(new SeedsJson(recipe.toHyperparameters(), results));
        }
        printSummary(out, results);
        out.flush();
        return 0;
    }

    private SeedResult runSeed(TrainingRecipe recipe, PrintWriter out) {
        long seed = recipe.seed();
        Dataset dataset = TrainCommand.withValidation(Dataset.load(data), valFraction, seed);
        if (calibrationFromTest > 0) {
            dataset = dataset.withTestMovedToCalibration(calibrationFromTest, seed);
        }
        Path runDirectory = output.resolve("seed-" + seed);
        // resume: a finished seed runs no epoch and returns its model; a killed one continues.
        ResNetFineTuner tuner = options.execution(ResNetFineTuner.builder().recipe(recipe))
                .outputDirectory(runDirectory)
                .resume(true)
                .runRecord(true)
                .build();
        Dataset carved = dataset;
        FitResult fit = BackboneAdvice.around(() -> tuner.fit(carved), BackboneAdvice.TRAIN_OPTION);
        Map<String, BinaryMetrics> evaluations = new LinkedHashMap<>();
        try (Classifier classifier = Classifier.load(fit.artifactDirectory())) {
            evaluations.put("val", classifier.evaluate(dataset, Split.VAL).metrics());
            evaluations.put("test", classifier.evaluate(dataset, Split.TEST).metrics());
            for (Path other : alsoTest) {
                evaluations.put("test:" + other.getFileName(),
                        classifier.evaluate(Dataset.load(other), Split.TEST).metrics());
            }
        }
        SeedResult result = new SeedResult(seed, fit.bestEpoch(), fit.history().size(), fit.threshold().threshold(),
                fit.seconds(), evaluations);
        out.printf(Locale.ROOT, "seed %d: best epoch %d of %d, threshold %.4f, %s%n", seed, result.bestEpoch(),
                result.epochsRun(), result.threshold(), brief(evaluations));
        out.flush();
        return result;
    }

    private static String brief(Map<String, BinaryMetrics> evaluations) {
        List<String> parts = new ArrayList<>();
        evaluations.forEach((name, m) -> parts.add(String.format(Locale.ROOT, "%s AUC %.4f accuracy %.4f", name,
                m.rocAuc(), m.accuracy())));
        return String.join(", ", parts);
    }

    private void writeJson(SeedsJson json) {
        try {
            Files.createDirectories(output);
            Files.writeString(output.resolve("seeds.json"), JsonOutput.write(json) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + output.resolve("seeds.json"), e);
        }
    }

    /** The figures summarised per evaluation, each worse when lower. */
    private static final Map<String, ToDoubleFunction<BinaryMetrics>> FIGURES = figures();

    private static Map<String, ToDoubleFunction<BinaryMetrics>> figures() {
        Map<String, ToDoubleFunction<BinaryMetrics>> figures = new LinkedHashMap<>();
        figures.put("ROC AUC", BinaryMetrics::rocAuc);
        figures.put("accuracy", BinaryMetrics::accuracy);
        figures.put("sensitivity", BinaryMetrics::recall);
        figures.put("specificity", BinaryMetrics::specificity);
        figures.put("F1", BinaryMetrics::f1);
        return figures;
    }

    static void printSummary(PrintWriter out, List<SeedResult> results) {
        out.printf(Locale.ROOT, "%n%d seeds, at each model's stored threshold: mean ± sd (worst seed)%n", results.size());
        for (String evaluation : results.get(0).evaluations().keySet()) {
            BinaryMetrics first = results.get(0).evaluations().get(evaluation);
            out.printf(Locale.ROOT, "%s (%d images):%n", evaluation, first.count());
            FIGURES.forEach((name, figure) -> {
                double[] values = results.stream().mapToDouble(r -> figure.applyAsDouble(r.evaluations().get(evaluation)))
                        .toArray();
                out.printf(Locale.ROOT, "  %-12s %s%n", name, meanSdWorst(values, results));
            });
        }
        double[] seconds = results.stream().mapToDouble(SeedResult::trainingSeconds).toArray();
        out.printf(Locale.ROOT, "training time  %.0f s mean, %.0f s longest%n", mean(seconds),
                java.util.Arrays.stream(seconds).max().orElse(Double.NaN));
    }

    /**
     * @param values one figure per seed, higher is better
     * @param results the seeds, in the same order
     * @return e.g. {@code 0.9150 ± 0.0120 (worst 0.9000, seed 2)}
     */
    static String meanSdWorst(double[] values, List<SeedResult> results) {
        int worst = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] < values[worst]) {
                worst = i;
            }
        }
        return String.format(Locale.ROOT, "%.4f ± %.4f (worst %.4f, seed %d)", mean(values), sampleSd(values),
                values[worst], results.get(worst).seed());
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** The sample standard deviation (n - 1); NaN for a single seed. */
    static double sampleSd(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double mean = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }
}
