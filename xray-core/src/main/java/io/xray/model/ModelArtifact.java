package io.xray.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xray.XrayException;
import io.xray.backbone.Architecture;
import io.xray.data.Dataset;
import io.xray.data.Split;
import io.xray.image.Preprocessing;
import io.xray.internal.AtomicFiles;
import io.xray.metrics.BinaryMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The description of a trained model, stored as {@value #FILE_NAME} in the model's directory next
 * to its weight files. It holds everything needed to use the model and to know how it was made:
 * the architecture (backbone kind, widths, weight files), the one {@link Preprocessing}, the
 * decision threshold and the rule that chose it, the class names, the validation metrics at that
 * threshold, the {@link Provenance}, and, when the threshold was chosen on images other than the
 * validation split, which ones ({@link ThresholdCalibration}).
 *
 * @param formatVersion the version of this format, {@value #FORMAT_VERSION}
 * @param architecture how to rebuild the network, naming its weight files
 * @param preprocessing the preprocessing every image goes through before the network
 * @param threshold the decision threshold on the probability of pneumonia
 * @param thresholdRule how the threshold was chosen, such as {@code max-f1}
 * @param classNames the class names by index ({@code NORMAL}, {@code PNEUMONIA})
 * @param validationMetrics the validation metrics at {@code threshold}
 * @param provenance how the model was made
 * @param thresholdCalibration the images the threshold was chosen on when they were not the
 *     validation split, or {@code null} (the threshold was chosen on validation)
 * @param probabilityCalibration the temperature scaling of the network's logits, or {@code null}
 *     for a model without one (temperature 1)
 */
public record ModelArtifact(
        int formatVersion,
        Architecture architecture,
        Preprocessing preprocessing,
        double threshold,
        String thresholdRule,
        List<String> classNames,
        BinaryMetrics validationMetrics,
        Provenance provenance,
        ThresholdCalibration thresholdCalibration,
        ProbabilityCalibration probabilityCalibration) {

    /** The name of the description file in a model directory. */
    public static final String FILE_NAME = "model.json";
    /** The current format version. */
    public static final int FORMAT_VERSION = 2;
    /** The class names, by label index. */
    public static final List<String> CLASS_NAMES = List.of("NORMAL", "PNEUMONIA");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Validates the fields that using the model depends on. */
    public ModelArtifact {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(preprocessing, "preprocessing");
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        }
        classNames = classNames == null ? CLASS_NAMES : List.copyOf(classNames);
    }

    /**
     * A description without probability calibration (temperature 1).
     *
     * @param formatVersion see {@link #formatVersion()}
     * @param architecture see {@link #architecture()}
     * @param preprocessing see {@link #preprocessing()}
     * @param threshold see {@link #threshold()}
     * @param thresholdRule see {@link #thresholdRule()}
     * @param classNames see {@link #classNames()}
     * @param validationMetrics see {@link #validationMetrics()}
     * @param provenance see {@link #provenance()}
     * @param thresholdCalibration see {@link #thresholdCalibration()}
     */
    public ModelArtifact(int formatVersion, Architecture architecture, Preprocessing preprocessing, double threshold,
            String thresholdRule, List<String> classNames, BinaryMetrics validationMetrics, Provenance provenance,
            ThresholdCalibration thresholdCalibration) {
        this(formatVersion, architecture, preprocessing, threshold, thresholdRule, classNames, validationMetrics,
                provenance, thresholdCalibration, null);
    }

    /**
     * The temperature that divides the network's logits before the sigmoid.
     *
     * @return {@code probabilityCalibration().temperature()}, or 1.0 for a model without one
     */
    @JsonIgnore
    public double temperature() {
        return probabilityCalibration == null ? 1.0 : probabilityCalibration.temperature();
    }

    /**
     * The offset added to {@code logit / temperature} before the sigmoid.
     *
     * @return {@code probabilityCalibration().offset()}, or 0 for a model without one
     */
    @JsonIgnore
    public double offset() {
        return probabilityCalibration == null ? 0.0 : probabilityCalibration.offset();
    }

    /**
     * Reads a model directory's description.
     *
     * @param directory the model directory
     * @return the description
     * @throws XrayException naming the file when it is missing or not a model description
     */
    public static ModelArtifact read(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new XrayException(file + ": not found; is " + directory + " a model directory written by xray train?");
        }
        try {
            ModelArtifact artifact = JSON.readValue(file.toFile(), ModelArtifact.class);
            if (artifact.formatVersion() > FORMAT_VERSION) {
                throw new XrayException(file + ": format version " + artifact.formatVersion()
                        + " is newer than this xray reads (" + FORMAT_VERSION + "); upgrade xray");
            }
            return artifact;
        } catch (IOException e) {
            throw new XrayException(file + ": not a valid model description: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@value #FILE_NAME} into a directory atomically. Write the weight files first: the
     * description is what makes the directory a model.
     *
     * @param directory the model directory
     */
    public void write(Path directory) {
        AtomicFiles.write(directory.resolve(FILE_NAME), toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Puts the test images that chose this model's threshold (by SHA-256, see
     * {@link #thresholdCalibration()}) back in the {@link Split#CALIBRATION} split, as they were when
     * the model was trained, so that they can be left out of its test figures and the data's
     * fingerprint matches the one in {@link #provenance()}.
     *
     * @param dataset a data set, such as the test folder read again
     * @return the data set with those images in the calibration split; {@code dataset} itself when
     *     the model's threshold was chosen on validation
     */
    public Dataset withCalibrationMarked(Dataset dataset) {
        Objects.requireNonNull(dataset, "dataset");
        if (thresholdCalibration == null) {
            return dataset;
        }
        Set<String> used = thresholdCalibration.sha256Set();
        return Dataset.of(dataset.records().stream()
                .map(r -> r.split() == Split.TEST && used.contains(r.sha256()) ? r.withSplit(Split.CALIBRATION) : r)
                .toList());
    }

    /** @return this description as indented JSON */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new XrayException("cannot serialise the model description: " + e.getMessage(), e);
        }
    }
}
