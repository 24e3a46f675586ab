package io.xray.model;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.data.Label;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import io.xray.train.ResNetFineTuner;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Writes a model-format fixture: a real model trained by the real trainer (a from-scratch
 * ResNet18 with stage widths 2-4-8-16 at 32 px, about 12,000 parameters, one epoch (format 1) or two (format 2) on synthetic
 * X-rays, on the CPU), four synthetic inputs, and {@code expected.json} holding what that model
 * answered for them, on the CPU.
 * {@link ModelFormatV1CompatibilityTest} then checks, forever, that the model still loads and
 * answers the same.
 *
 * <p>Run it once per new model format, into a new folder named after the format version, from the
 * {@code xray-core} folder (after {@code mvn test-compile}):
 *
 * <pre>{@code
 * java -cp target/test-classes:target/classes:<test classpath> io.xray.model.ModelFormatFixtures \
 *     src/test/resources/io/xray/model/format-v2
 * }</pre>
 *
 * <p>It refuses to write into a folder that exists: a fixture is never regenerated, since that
 * would hide the very incompatibility it is there to catch.
 */
public final class ModelFormatFixtures {

    /** The model directory's name inside a fixture; the model id starts with it. */
    static final String MODEL = "model";
    /** The inputs' folder inside a fixture. */
    static final String INPUTS = "inputs";
    /** The recorded answers inside a fixture. */
    static final String EXPECTED = "expected.json";

    private ModelFormatFixtures() {}

    /**
     * @param args the fixture folder to create, by default
     *     {@code src/test/resources/io/xray/model/format-v<current format version>}
     */
    public static void main(String[] args) {
        Path fixture = Path.of(args.length > 0 ? args[0]
                : "src/test/resources/io/xray/model/format-v" + ModelArtifact.FORMAT_VERSION);
        if (Files.exists(fixture)) {
            throw new IllegalStateException(fixture + " exists; a format fixture is never regenerated: "
                    + "a new format gets a new folder and the old ones stay");
        }
        write(fixture);
        System.out.println("wrote " + fixture.toAbsolutePath());
    }

    /**
     * Writes a fixture: {@code model/} (the model's description and weight files),
     * {@code inputs/*.png} and {@code expected.json}.
     *
     * @param fixture the folder to create
     */
    static void write(Path fixture) {
        Path work = null;
        try {
            work = Files.createTempDirectory("xray-format-fixture");
            Path trained = train(work);
            Path model = Files.createDirectories(fixture.resolve(MODEL));
            ModelArtifact artifact = ModelArtifact.read(trained);
            for (String file : artifact.architecture().weightFiles().values()) {
                Files.copy(trained.resolve(file), model.resolve(file));
            }
            Files.copy(trained.resolve(ModelArtifact.FILE_NAME), model.resolve(ModelArtifact.FILE_NAME));

            List<String> inputs = chooseInputs(model, fixture);

            Map<String, Object> expected = new LinkedHashMap<>();
            try (Classifier classifier = Classifier.load(model, Device.cpu(), ImageDecoder.defaults())) {
                Preprocessing preprocessing = classifier.artifact().preprocessing();
                expected.put("formatVersion", classifier.artifact().formatVersion());
                expected.put("modelDirectory", MODEL);
                expected.put("modelId", classifier.modelId());
                expected.put("threshold", classifier.threshold());
                expected.put("temperature", classifier.temperature());
                Map<String, Object> recorded = new LinkedHashMap<>();
                recorded.put("resizeShorterSide", preprocessing.resizeShorterSide());
                recorded.put("cropSize", preprocessing.cropSize());
                recorded.put("mean", preprocessing.mean());
                recorded.put("std", preprocessing.std());
                expected.put("preprocessing", recorded);
                List<Map<String, Object>> predictions = new ArrayList<>();
                for (String input : inputs) {
                    Prediction p = classifier.predict(fixture.resolve(input));
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("input", input);
                    line.put("label", p.label().name());
                    line.put("probability", p.probability());
                    predictions.add(line);
                }
                expected.put("device", "cpu");
                expected.put("predictions", predictions);
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(fixture.resolve(EXPECTED).toFile(), expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Draws synthetic X-rays (normal and pneumonia in turn, seed 2024) and keeps the first two the
     * model labels NORMAL and the first two it labels PNEUMONIA, so that the fixture checks both
     * sides of the threshold.
     */
    private static List<String> chooseInputs(Path model, Path fixture) {
        Random random = new Random(2024);
        List<String> normal = new ArrayList<>();
        List<String> pneumonia = new ArrayList<>();
        try (Classifier classifier = Classifier.load(model, Device.cpu(), ImageDecoder.defaults())) {
            for (int draw = 0; draw < 500 && (normal.size() < 2 || pneumonia.size() < 2); draw++) {
                boolean drawPneumonia = draw % 2 == 1;
                BufferedImage image = SyntheticXrays.image(drawPneumonia, random);
                List<String> kept = classifier.predict(image).label() == Label.PNEUMONIA ? pneumonia : normal;
                if (kept.size() < 2) {
                    String input = String.format(Locale.ROOT, "%s/%s-%03d.png", INPUTS,
                            drawPneumonia ? "pneumonia" : "normal", draw);
                    SyntheticXrays.writePng(fixture.resolve(input), image);
                    kept.add(input);
                }
            }
        }
        if (normal.size() < 2 || pneumonia.size() < 2) {
            throw new IllegalStateException("the model labelled " + normal.size() + " of 500 images NORMAL and "
                    + pneumonia.size() + " PNEUMONIA; train it longer");
        }
        List<String> inputs = new ArrayList<>(normal);
        inputs.addAll(pneumonia);
        return inputs;
    }

    /**
     * Format 1's model trained as {@link TinyModels} does (6 + 6 training and 3 + 3 validation
     * images, one epoch). From format 2 on, 16 + 16 and 12 + 12 images and two epochs, so that the
     * temperature is fitted on enough validation images to land inside its bounds.
     */
    private static Path train(Path work) {
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(work.resolve("data"), 16, 12, 11));
        return ResNetFineTuner.builder()
                .backbone(Backbone.resNet18FromScratch(2, 4, 8, 16))
                .preprocessing(SyntheticXrays.preprocessing())
                .noAugmentation()
                .batchSize(8)
                .epochs(2)
                .earlyStoppingPatience(0)
                .seed(3)
                .device(Device.cpu())
                .decodeThreads(1)
                .outputDirectory(work.resolve("run"))
                .build()
                .fit(dataset)
                .artifactDirectory();
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
