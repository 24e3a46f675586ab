package io.xray.cli;

import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.Split;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ConfusionMatrix;
import io.xray.metrics.ReliabilityTable;
import io.xray.model.Classifier;
import io.xray.model.Evaluation;
import io.xray.model.InferenceOptions;
import io.xray.model.Precision;
import io.xray.model.PrecisionCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xray evaluate}: a model's metrics and confusion matrix on one split of a data set. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Evaluate a model on a split of a chest_xray folder or manifest, at the model's own threshold.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--model", required = true, description = "model folder written by xray train")
    private Path model;

    @Option(names = "--data", required = true, description = "chest_xray folder (train/val/test) or manifest file")
    private Path data;

    @Option(names = "--split", defaultValue = "test",
            description = "train, val, test or calibration (default: ${DEFAULT-VALUE}); images that chose the model's"
                    + " threshold are left out of every split but calibration")
    private String split;

    @Option(names = "--val-fraction",
            description = "carve the validation split from train as xray train did (same fraction and --seed), to"
                    + " evaluate --split val on a folder that has no val split")
    private Double valFraction;

    @Option(names = "--seed", defaultValue = "42", description = "seed of --val-fraction's split (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--json", description = "print one JSON object on standard output (logs go to standard error)")
    private boolean json;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16",
            description = "evaluate in this precision; with bf16, also score the split in fp32 and report what the"
                    + " accuracy guard would say (ROC AUC change, flipped decisions) (default: ${DEFAULT-VALUE})")
    private String precision;

    /**
     * The JSON that {@code --json} prints: the metrics at the model's threshold on its calibrated
     * probabilities, its temperature and offset, the expected calibration error and reliability
     * table before and after calibration, and with a reduced precision what the accuracy guard says.
     */
    record EvaluationJson(String model, String data, String split, double threshold, String thresholdRule,
            int leftOut, String precision, BinaryMetrics metrics, double temperature, double offset, double eceBefore,
            double eceAfter, ReliabilityTable reliabilityBefore, ReliabilityTable reliabilityAfter,
            PrecisionCheck precisionCheck, Boolean precisionAccepted) {}

    @Override
    public Integer call() {
        OptionChecks.of(spec).fractionOrZero("--val-fraction", valFraction);
        Split chosen = Split.fromDirectoryName(split);
        Dataset dataset = Dataset.load(data);
        if (valFraction != null && valFraction > 0) {
            dataset = dataset.withValidationFromTrain(valFraction, seed);
        }
        if (chosen == Split.VAL && dataset.records(Split.VAL).isEmpty()) {
            throw new XrayException("the data set has no val images: " + data + " has no val split. To evaluate on"
                    + " the validation split xray train carved from train, give the same --val-fraction (xray train's"
                    + " default is 0.1 when the data has no val split) and, if it was not 42, --seed");
        }
        Evaluation evaluation;
        Precision asked = Precision.parse(precision);
        PrecisionCheck check = null;
        String used;
        InferenceOptions options = InferenceOptions.builder().precision(asked).skipGuard().build();
        try (Classifier classifier = Classifier.load(model, options)) {
            evaluation = classifier.evaluate(dataset, chosen);
            used = classifier.precision().label();
            if (!classifier.precisionNote().isEmpty()) {
                spec.commandLine().getErr().println("warning: " + classifier.precisionNote());
            }
            if (classifier.precision().isReduced()) {
                check = classifier.comparePrecision(classifier.precision(),
                        classifier.artifact().withCalibrationMarked(dataset).records(chosen));
            }
        }
        evaluation.trainingSplitMismatch().ifPresent(mismatch -> {
            PrintWriter err = spec.commandLine().getErr();
            err.println("warning: " + mismatch + ": give the same --data, --val-fraction and --seed as xray train");
            err.flush();
        });
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.write(new EvaluationJson(model.toString(), data.toString(),
                    evaluation.split().directoryName(), evaluation.threshold(), evaluation.thresholdRule(),
                    evaluation.leftOut(), used, evaluation.metrics(), evaluation.temperature(), evaluation.offset(),
                    evaluation.eceBefore(), evaluation.eceAfter(), evaluation.uncalibrated(), evaluation.calibrated(),
                    check, check == null ? null : check.acceptable())));
        } else {
            print(out, evaluation);
            if (check != null) {
                out.println();
                out.printf(Locale.ROOT, "precision   %s: %s%n", used, check.summary());
                out.printf(Locale.ROOT, "guard       %s%n", check.acceptable() ? "accepted" : "refused");
            }
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, Evaluation e) {
        BinaryMetrics m = e.metrics();
        ConfusionMatrix c = m.confusion();
        out.printf(Locale.ROOT, "%s split, %d images (%d PNEUMONIA), threshold %.4f (%s)%n", e.split().directoryName(),
                m.count(), m.positives(), e.threshold(), e.thresholdRule());
        if (e.leftOut() > 0) {
            out.printf(Locale.ROOT, "left out   %d images that chose the threshold%n", e.leftOut());
        }
        out.printf(Locale.ROOT, "accuracy    %.4f%n", m.accuracy());
        out.printf(Locale.ROOT, "precision   %.4f%n", m.precision());
        out.printf(Locale.ROOT, "sensitivity %.4f   (recall of PNEUMONIA)%n", m.recall());
        out.printf(Locale.ROOT, "specificity %.4f%n", m.specificity());
        out.printf(Locale.ROOT, "F1          %.4f   (naive all-PNEUMONIA baseline %.4f)%n", m.f1(), m.naiveF1());
        out.printf(Locale.ROOT, "ROC AUC     %.4f%n", m.rocAuc());
        out.printf(Locale.ROOT, "PR AUC      %.4f%n", m.prAuc());
        out.println();
        out.printf(Locale.ROOT, "%-18s %10s %10s%n", "", "pred NORMAL", "pred PNEUMONIA");
        out.printf(Locale.ROOT, "%-18s %10d %10d%n", "true NORMAL", c.trueNegatives(), c.falsePositives());
        out.printf(Locale.ROOT, "%-18s %10d %10d%n", "true PNEUMONIA", c.falseNegatives(), c.truePositives());
        out.println();
        out.printf(Locale.ROOT, "temperature %.4f, offset %.4f   (probabilities are sigmoid(logit / temperature + offset))%n",
                e.temperature(), e.offset());
        out.printf(Locale.ROOT, "ECE         %.4f -> %.4f   (expected calibration error, %d bins, before -> after"
                + " calibration)%n", e.eceBefore(), e.eceAfter(), e.calibrated().bins().size());
        printReliability(out, "before", e.uncalibrated());
        printReliability(out, "after", e.calibrated());
    }

    private static void printReliability(PrintWriter out, String when, ReliabilityTable table) {
        out.println();
        out.printf(Locale.ROOT, "reliability %s calibration (empty bins not shown)%n", when);
        out.printf(Locale.ROOT, "%-13s %7s %8s %10s%n", "probability", "images", "mean p", "PNEUMONIA");
        for (ReliabilityTable.Bin bin : table.bins()) {
            if (bin.count() > 0) {
                out.printf(Locale.ROOT, "%.3f-%.3f %7d %8.4f %10.4f%n", bin.lower(), bin.upper(), bin.count(),
                        bin.meanProbability(), bin.positiveShare());
            }
        }
    }
}
