package io.xray.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models written in format version 1 stay usable: a real model that the trainer wrote in format 1
 * (checked in under {@code src/test/resources/io/xray/model/format-v1/}, made by
 * {@link ModelFormatFixtures}) loads with today's code and gives, for its four recorded inputs, the
 * probabilities it gave when it was made, within 1e-5, and the same labels at its stored threshold.
 *
 * <p><b>Never regenerate the fixture to make this test pass.</b> A failure here means that models
 * users already have would break or silently change their answers. Fix the reader instead; or, if
 * the format must change, give it a new version, keep reading version 1, and add a new
 * {@code format-v2} fixture and test beside this one. Old fixtures stay for as long as their format
 * is supported.
 *
 * <p>The model runs on the CPU, where its probabilities were recorded: GPU convolutions (TF32) may
 * differ by more than the tolerance.
 */
class ModelFormatV1CompatibilityTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path temp;

    private Path fixture;
    private JsonNode expected;
    private CheckedInModel model;

    @BeforeEach
    void copyFixture() {
        model = CheckedInModel.copy("format-v1", temp);
        fixture = model.root();
        expected = model.expected();
    }

    private Path modelDirectory() {
        return model.modelDirectory();
    }

    @Test
    void formatV1Model_shouldReproduceItsRecordedProbabilitiesAndLabels() {
        double threshold = expected.path("threshold").asDouble();
        assertThat(expected.path("predictions")).hasSize(4);

        try (Classifier classifier = Classifier.load(modelDirectory(), Device.cpu(), ImageDecoder.defaults())) {
            assertThat(classifier.threshold()).isEqualTo(threshold);
            for (JsonNode recorded : expected.path("predictions")) {
                String input = recorded.path("input").asText();
                Prediction p = classifier.predict(fixture.resolve(input));

                assertThat(p.probability()).as(input).isCloseTo(recorded.path("probability").asDouble(), within(TOLERANCE));
                assertThat(p.label().name()).as(input).isEqualTo(recorded.path("label").asText());
                assertThat(p.threshold()).as(input).isEqualTo(threshold);
            }
        }
    }

    @Test
    void formatV1Model_withoutProbabilityCalibration_shouldLoadWithTemperatureOne() {
        assertThat(ModelArtifact.read(modelDirectory()).probabilityCalibration()).isNull();
        try (Classifier classifier = Classifier.load(modelDirectory(), Device.cpu(), ImageDecoder.defaults())) {
            assertThat(classifier.temperature()).isEqualTo(1.0);
            Prediction p = classifier.predict(fixture.resolve("inputs/normal-000.png"));
            assertThat(p.probability()).as("the recorded probability, not a rescaled one")
                    .isCloseTo(expected.path("predictions").get(2).path("probability").asDouble(), within(TOLERANCE));
        }
    }

    @Test
    void formatV1Model_shouldKeepItsModelId() {
        try (Classifier classifier = Classifier.load(modelDirectory(), Device.cpu(), ImageDecoder.defaults())) {
            assertThat(classifier.modelId()).isEqualTo(expected.path("modelId").asText());
        }
    }

    @Test
    void formatV1Description_shouldExposeItsRecordedPreprocessingAndThreshold() {
        ModelArtifact artifact = ModelArtifact.read(modelDirectory());
        JsonNode preprocessing = expected.path("preprocessing");

        assertThat(artifact.formatVersion()).isEqualTo(1).isEqualTo(expected.path("formatVersion").asInt());
        assertThat(artifact.threshold()).isEqualTo(expected.path("threshold").asDouble());
        assertThat(artifact.classNames()).containsExactly("NORMAL", "PNEUMONIA");
        assertThat(artifact.preprocessing()).isEqualTo(Preprocessing.builder()
                .resizeShorterSide(preprocessing.path("resizeShorterSide").asInt())
                .cropSize(preprocessing.path("cropSize").asInt())
                .mean(floats(preprocessing.path("mean")))
                .std(floats(preprocessing.path("std")))
                .build());
        assertThat(artifact.preprocessing().resizeShorterSide()).isEqualTo(36);
        assertThat(artifact.preprocessing().cropSize()).isEqualTo(32);
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }
}
