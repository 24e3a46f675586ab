package io.xray.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.XrayException;
import io.xray.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The final model's probability of pneumonia for every validation image, with the images' labels:
 * {@code validation-scores.json} in a run's output folder, written by {@link ResNetFineTuner#fit}
 * once the model is written (the very scores its validation metrics were computed from). Reports
 * draw the ROC and precision-recall curves and the threshold table from it.
 *
 * <p>The file holds {@code {"format": 1, "split": "val", "source": "training", "scores": [...],
 * "labels": [...]}}, labels 0 (NORMAL) and 1 (PNEUMONIA), in the split's order. {@code source} is
 * {@code "training"} when the trainer wrote it, or another word (such as {@code "rescored"}) when
 * the scores were computed later from the saved model.
 *
 * @param split the split the scores are of ({@code val})
 * @param source who computed them: {@code training}, or {@code rescored} for scores computed later
 * @param scores probabilities of pneumonia, one per image
 * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as scores
 */
public record ValidationScores(String split, String source, double[] scores, int[] labels) {

    /** The file's name in the run folder. */
    public static final String FILE = "validation-scores.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Copies the arrays and checks them.
     *
     * @param split see the record
     * @param source see the record
     * @param scores see the record
     * @param labels see the record
     * @throws IllegalArgumentException when the arrays differ in length or a label is not 0 or 1
     */
    public ValidationScores {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(source, "source");
        scores = scores.clone();
        labels = labels.clone();
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels differ in length: " + scores.length + " scores, "
                    + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("labels[" + i + "] is " + labels[i] + ", not 0 or 1");
            }
        }
    }

    @Override
    public double[] scores() {
        return scores.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Writes the file, atomically.
     *
     * @param runDirectory the run's output folder
     * @return the file written
     */
    public Path write(Path runDirectory) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("split", split);
        root.put("source", source);
        ArrayNode s = root.putArray("scores");
        for (double score : scores) {
            s.add(score); // full precision, so a score equal to the threshold stays equal
        }
        ArrayNode l = root.putArray("labels");
        for (int label : labels) {
            l.add(label);
        }
        Path file = runDirectory.resolve(FILE);
        AtomicFiles.write(file, out -> JSON.writeValue(out, root));
        return file;
    }

    /**
     * Reads a run's scores, when it has them (runs trained before this file existed do not).
     *
     * @param runDirectory the run's output folder
     * @return the scores, empty when the folder has no {@value #FILE}
     * @throws XrayException naming the file when it exists but cannot be read
     */
    public static Optional<ValidationScores> read(Path runDirectory) {
        Path file = runDirectory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root.path("format").asInt() != FORMAT) {
                throw new XrayException(file + ": format " + root.path("format") + " is not " + FORMAT);
            }
            JsonNode s = root.path("scores");
            JsonNode l = root.path("labels");
            double[] scores = new double[s.size()];
            int[] labels = new int[l.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = s.get(i).asDouble(Double.NaN);
            }
            for (int i = 0; i < labels.length; i++) {
                labels[i] = l.get(i).asInt(-1);
            }
            return Optional.of(new ValidationScores(root.path("split").asText("val"),
                    root.path("source").asText("training"), scores, labels));
        } catch (IOException | IllegalArgumentException e) {
            throw new XrayException(file + ": not readable validation scores: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ValidationScores v && split.equals(v.split) && source.equals(v.source)
                && Arrays.equals(scores, v.scores) && Arrays.equals(labels, v.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(split, source, Arrays.hashCode(scores), Arrays.hashCode(labels));
    }

    @Override
    public String toString() {
        return "ValidationScores[" + split + ", " + source + ", " + scores.length + " images]";
    }
}
