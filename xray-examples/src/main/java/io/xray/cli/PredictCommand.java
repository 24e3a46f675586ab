package io.xray.cli;

import io.xray.InvalidImageException;
import io.xray.model.Classifier;
import io.xray.model.Prediction;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xray predict}: the label and probability of pneumonia of image files. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Classify image files with a model. One line per file: LABEL PROBABILITY FILE.",
            "Files that cannot be decoded are reported on standard error and make the exit status 2."
        })
final class PredictCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--model", required = true, description = "model folder written by xray train")
    private Path model;

    @Option(names = "--json", description = "print one JSON array of {file, label, probability, threshold}")
    private boolean json;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "image files (JPEG, PNG)")
    private List<Path> files;

    /** One element of the {@code --json} array. */
    record FilePrediction(String file, String label, double probability, double threshold) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<FilePrediction> predictions = new ArrayList<>();
        int failures = 0;
        try (Classifier classifier = Classifier.load(model)) {
            for (Path file : files) {
                try {
                    Prediction p = classifier.predict(file);
                    predictions.add(new FilePrediction(file.toString(), p.label().name(), p.probability(), p.threshold()));
                    if (!json) {
                        out.printf(Locale.ROOT, "%-9s %.4f %s%n", p.label(), p.probability(), file);
                    }
                } catch (InvalidImageException e) {
                    failures++;
                    err.println("xray: " + e.getMessage());
                }
            }
        }
        if (json) {
            out.println(JsonOutput.write(predictions));
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : XrayCli.EXIT_USAGE;
    }
}
