package io.xray.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.xray.InvalidImageException;
import io.xray.XrayException;
import io.xray.model.Classifier;
import io.xray.model.Explanation;
import io.xray.model.Prediction;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
            "Files that cannot be decoded are reported on standard error and make the exit status 2.",
            "With --explain DIR, also writes one overlay PNG per file into DIR: the X-ray with the model's"
                    + " heat map (Grad-CAM, or gradient x input for TorchScript backbones) in viridis and a legend."
        })
final class PredictCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--model", required = true, description = "model folder written by xray train")
    private Path model;

    @Option(names = "--json", description = "print one JSON array of {file, label, probability, threshold}")
    private boolean json;

    @Option(names = "--explain", paramLabel = "OUT_DIR",
            description = "write an overlay PNG per file into this folder, named <file name without extension>.explain.png"
                    + " (costs a backward pass per image)")
    private Path explainDirectory;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "image files (JPEG, PNG)")
    private List<Path> files;

    /** One element of the {@code --json} array. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FilePrediction(String file, String label, double probability, double threshold, String overlay) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<FilePrediction> predictions = new ArrayList<>();
        int failures = 0;
        if (explainDirectory != null) {
            try {
                Files.createDirectories(explainDirectory);
            } catch (IOException e) {
                throw new XrayException("--explain: cannot create " + explainDirectory + ": " + e.getMessage(), e);
            }
        }
        Set<String> overlayNames = new HashSet<>();
        try (Classifier classifier = Classifier.load(model)) {
            for (Path file : files) {
                try {
                    Prediction p;
                    String overlay = null;
                    if (explainDirectory != null) {
                        Explanation explanation = classifier.explain(file);
                        p = explanation.prediction();
                        Path target = explainDirectory.resolve(overlayName(file, overlayNames));
                        try {
                            Files.write(target, explanation.overlayPng());
                        } catch (IOException e) {
                            throw new XrayException(target + ": cannot write the overlay: " + e.getMessage(), e);
                        }
                        overlay = target.toString();
                    } else {
                        p = classifier.predict(file);
                    }
                    predictions.add(new FilePrediction(file.toString(), p.label().name(), p.probability(), p.threshold(),
                            overlay));
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
        if (explainDirectory != null) {
            err.println("xray: wrote " + overlayNames.size() + " overlay" + (overlayNames.size() == 1 ? "" : "s")
                    + " to " + explainDirectory);
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : XrayCli.EXIT_USAGE;
    }

    /** {@code <name without extension>.explain.png}, with {@code -2}, {@code -3} ... when two files share a name. */
    static String overlayName(Path file, Set<String> taken) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String candidate = stem + ".explain.png";
        for (int n = 2; !taken.add(candidate); n++) {
            candidate = stem + "-" + n + ".explain.png";
        }
        return candidate;
    }
}
