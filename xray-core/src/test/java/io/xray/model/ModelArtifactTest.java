package io.xray.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xray.XrayException;
import io.xray.backbone.Architecture;
import io.xray.backbone.BackboneKind;
import io.xray.data.Label;
import io.xray.image.Preprocessing;
import io.xray.internal.AtomicFiles;
import io.xray.internal.Network;
import io.xray.metrics.BinaryMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {

    @TempDir
    Path dir;

    static ModelArtifact sample() {
        BinaryMetrics metrics = BinaryMetrics.compute(new double[] {0.1, 0.8, 0.6, 0.3}, new int[] {0, 1, 1, 0}, 0.6);
        Provenance provenance = new Provenance("ab".repeat(32), Map.of("epochs", "3"), 42, "development", "0.36.0",
                "2.7.1", "2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z", Provenance.Machine.current("cpu()"), 2, 3,
                100, 20, 2.9);
        Architecture architecture = new Architecture(BackboneKind.RESNET18_SCRATCH, List.of(8, 16, 32, 64), 64,
                "random", Map.of(Network.NETWORK_WEIGHTS, "network.params"));
        return new ModelArtifact(ModelArtifact.FORMAT_VERSION, architecture, Preprocessing.defaults(), 0.6, "max-f1",
                ModelArtifact.CLASS_NAMES, metrics, provenance, null);
    }

    @Test
    void writtenArtifact_shouldReadBackEqual() {
        ModelArtifact artifact = sample();
        artifact.write(dir);
        assertThat(ModelArtifact.read(dir)).isEqualTo(artifact);
        assertThat(dir.resolve("model.json.tmp")).doesNotExist();
    }

    @Test
    void thresholdCalibration_shouldReadBackWithItsImageHashesSorted() {
        ModelArtifact plain = sample();
        BinaryMetrics metrics = BinaryMetrics.compute(new double[] {0.2, 0.9, 0.7}, new int[] {0, 1, 1}, 0.7);
        ThresholdCalibration calibration = new ThresholdCalibration("calibration", 3, 2, metrics,
                List.of("cd".repeat(32), "ab".repeat(32), "ef".repeat(32)));
        ModelArtifact artifact = new ModelArtifact(plain.formatVersion(), plain.architecture(), plain.preprocessing(),
                0.7, "sensitivity>=0.95", plain.classNames(), plain.validationMetrics(), plain.provenance(), calibration);

        artifact.write(dir);

        ModelArtifact read = ModelArtifact.read(dir);
        assertThat(read).isEqualTo(artifact);
        assertThat(read.thresholdCalibration().sha256()).containsExactly("ab".repeat(32), "cd".repeat(32), "ef".repeat(32));
        assertThat(read.thresholdCalibration().sha256Set()).contains("ef".repeat(32)).hasSize(3);
        assertThatThrownBy(() -> new ThresholdCalibration("calibration", 2, 3, metrics, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    }

    @Test
    void probabilityCalibration_shouldReadBackEqual_andGiveTheTemperature() {
        ModelArtifact plain = sample();
        ProbabilityCalibration scaling = new ProbabilityCalibration(ProbabilityCalibration.PLATT, 1.83, 0.7, "val", 523,
                0.061, 0.018, 0.061, 0.018);
        ModelArtifact artifact = new ModelArtifact(plain.formatVersion(), plain.architecture(), plain.preprocessing(),
                plain.threshold(), plain.thresholdRule(), plain.classNames(), plain.validationMetrics(),
                plain.provenance(), null, scaling);

        artifact.write(dir);

        ModelArtifact read = ModelArtifact.read(dir);
        assertThat(read).isEqualTo(artifact);
        assertThat(read.probabilityCalibration()).isEqualTo(scaling);
        assertThat(read.temperature()).isEqualTo(1.83);
        assertThat(read.offset()).isEqualTo(0.7);
        assertThat(read.probabilityCalibration().probability(1.83)).isCloseTo(1 / (1 + Math.exp(-1.7)), within(1e-15));
        assertThat(read.toJson()).contains("\"probabilityCalibration\"", "\"temperature\" : 1.83", "\"fittedOn\" : \"val\"",
                "\"images\" : 523");
        assertThat(read.toJson().split("\"temperature\" :", -1)).as("only the calibration holds a temperature").hasSize(2);
    }

    @Test
    void descriptionWithoutProbabilityCalibration_shouldReadWithTemperatureOne() throws Exception {
        String json = sample().toJson().replace("\"formatVersion\" : " + ModelArtifact.FORMAT_VERSION, "\"formatVersion\" : 1")
                .replaceAll(",\\s*\"probabilityCalibration\" : null", "");
        assertThat(json).doesNotContain("probabilityCalibration").contains("\"formatVersion\" : 1");
        Files.writeString(dir.resolve("model.json"), json);

        ModelArtifact read = ModelArtifact.read(dir);

        assertThat(read.formatVersion()).isEqualTo(1);
        assertThat(read.probabilityCalibration()).isNull();
        assertThat(read.temperature()).isEqualTo(1.0);
    }

    @Test
    void unknownCalibrationMethodOrBadTemperature_shouldBeRefused() throws Exception {
        String json = sample().toJson().replace("\"probabilityCalibration\" : null",
                "\"probabilityCalibration\" : {\"method\" : \"isotonic\", \"temperature\" : 1.0, \"fittedOn\" : \"val\","
                        + " \"images\" : 10}");
        Files.writeString(dir.resolve("model.json"), json);

        assertThatThrownBy(() -> ModelArtifact.read(dir)).isInstanceOf(XrayException.class)
                .hasMessageContaining("isotonic").hasMessageContaining("upgrade xray");
        assertThatThrownBy(() -> new ProbabilityCalibration("temperature", 0.0, 0.0, "val", 10, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature is 0.0");
        assertThatThrownBy(() -> new ProbabilityCalibration("temperature", 1.0, 0.5, "val", 10, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 for 'temperature'");
    }

    @Test
    void missingOrMalformedDescription_shouldFailNamingTheFile() throws Exception {
        assertThatThrownBy(() -> ModelArtifact.read(dir))
                .isInstanceOf(XrayException.class).hasMessageContaining(dir.resolve("model.json").toString());
        Files.writeString(dir.resolve("model.json"), "{\"formatVersion\": 1, \"threshold\": ");
        assertThatThrownBy(() -> ModelArtifact.read(dir))
                .isInstanceOf(XrayException.class).hasMessageContaining("not a valid model description");
    }

    @Test
    void newerFormat_shouldBeRefusedWithAdviceToUpgrade() throws Exception {
        Files.writeString(dir.resolve("model.json"), sample().toJson().replace("\"formatVersion\" : " + ModelArtifact.FORMAT_VERSION, "\"formatVersion\" : 99"));
        assertThatThrownBy(() -> ModelArtifact.read(dir)).isInstanceOf(XrayException.class).hasMessageContaining("upgrade");
    }

    @Test
    void prediction_atTheThreshold_shouldBePneumonia() {
        assertThat(Prediction.of(0.5, 0.5).label()).isEqualTo(Label.PNEUMONIA);
        assertThat(Prediction.of(0.4999, 0.5).label()).isEqualTo(Label.NORMAL);
    }

    @Test
    void atomicWrite_shouldReplaceTheFileAndCleanLeftovers() throws Exception {
        Path file = dir.resolve("a.bin");
        AtomicFiles.write(file, new byte[] {1});
        AtomicFiles.write(file, new byte[] {2, 3});
        Files.write(dir.resolve("b.bin.tmp"), new byte[] {9});
        assertThat(Files.readAllBytes(file)).containsExactly(2, 3);
        assertThat(AtomicFiles.deleteTemporaryFiles(dir)).isEqualTo(1);
        assertThat(dir.resolve("b.bin.tmp")).doesNotExist();
    }
}
