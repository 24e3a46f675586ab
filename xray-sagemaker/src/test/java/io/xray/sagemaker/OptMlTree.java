package io.xray.sagemaker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.testing.SyntheticXrays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A SageMaker /opt/ml tree on a temporary folder, as SageMaker lays it out for a training job. */
final class OptMlTree {

    static final ObjectMapper JSON = new ObjectMapper();

    private OptMlTree() {
    }

    /**
     * The recipe of a tiny run (a 4-8-16-32 ResNet18 at 32 px, no augmentation, batches of 6), as
     * the SageMaker Python SDK sends hyperparameters: every value JSON-encoded as a string.
     */
    static Map<String, String> tinyHyperparameters(int epochs) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("backbone", "scratch:4,8,16,32");
        values.put("image-size", "32");
        values.put("resize", "36");
        values.put("augmentation", "false");
        values.put("batch-size", "6");
        values.put("epochs", Integer.toString(epochs));
        values.put("patience", "0");
        values.put("seed", "3");
        Map<String, String> encoded = new LinkedHashMap<>();
        values.forEach((k, v) -> encoded.put(k, "\"" + v + "\""));
        encoded.put("sagemaker_program", "\"ignored\"");
        return encoded;
    }

    /** Writes the configuration files and a train channel of 6 + 6 training and 3 + 3 validation images. */
    static Path write(Path root, Map<String, String> hyperparameters) {
        try {
            Path config = Files.createDirectories(root.resolve("input/config"));
            JSON.writeValue(config.resolve("hyperparameters.json").toFile(), hyperparameters);
            JSON.writeValue(config.resolve("resourceconfig.json").toFile(),
                    Map.of("current_host", "algo-1", "hosts", List.of("algo-1"), "network_interface_name", "eth0"));
            JSON.writeValue(config.resolve("inputdataconfig.json").toFile(), Map.of("train",
                    Map.of("TrainingInputMode", "File", "S3DistributionType", "FullyReplicated", "RecordWrapperType", "None")));
            SyntheticXrays.write(root.resolve("input/data/train"), 6, 3, 11);
            Files.createDirectories(root.resolve("model"));
            Files.createDirectories(root.resolve("output"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A console that keeps what is printed. */
    static final class Console {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        List<String> lines() {
            return text().lines().toList();
        }
    }
}
