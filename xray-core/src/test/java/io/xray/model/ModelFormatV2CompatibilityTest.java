package io.xray.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.xray.image.ImageDecoder;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models written in format version 2 (the first with a fitted temperature, {@code
 * probabilityCalibration}) stay usable: a real model that the trainer wrote in format 2 (checked in
 * under {@code src/test/resources/io/xray/model/format-v2/}, made by {@link ModelFormatFixtures})
 * loads with today's code and gives, for its four recorded inputs, the calibrated probabilities it
 * gave when it was made, within 1e-5, and the same labels at its stored threshold.
 *
 * <p><b>Never regenerate the fixture to make this test pass</b>: see
 * {@link ModelFormatV1CompatibilityTest}. The model runs on the CPU, where its probabilities were
 * recorded.
 */
class ModelFormatV2CompatibilityTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path temp;

    private Path fixture;
    private JsonNode expected;
    private CheckedInModel model;

    @BeforeEach
    void copyFixture() {
        model = CheckedInModel.copy("format-v2", temp);
        fixture = model.root();
        expected = model.expected();
    }

    private Path modelDirectory() {
        return model.modelDirectory();
    }

    @Test
    void formatV2Model_shouldReproduceItsRecordedCalibratedProbabilitiesAndLabels() {
        double threshold = expected.path("threshold").asDouble();
        assertThat(expected.path("predictions")).hasSize(4);

        try (Classifier classifier = Classifier.load(modelDirectory(), Device.cpu(), ImageDecoder.defaults())) {
            assertThat(classifier.threshold()).isEqualTo(threshold);
            assertThat(classifier.temperature()).isEqualTo(expected.path("temperature").asDouble()).isNotEqualTo(1.0);
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
    void formatV2Model_shouldKeepItsModelId() {
        try (Classifier classifier = Classifier.load(modelDirectory(), Device.cpu(), ImageDecoder.defaults())) {
            assertThat(classifier.modelId()).isEqualTo(expected.path("modelId").asText());
        }
    }

    @Test
    void formatV2Description_shouldExposeItsTemperatureAndWhatItWasFittedOn() {
        ModelArtifact artifact = ModelArtifact.read(modelDirectory());
        ProbabilityCalibration calibration = artifact.probabilityCalibration();

        assertThat(artifact.formatVersion()).isEqualTo(2).isEqualTo(expected.path("formatVersion").asInt());
        assertThat(calibration.method()).isEqualTo("temperature");
        assertThat(calibration.temperature()).isEqualTo(expected.path("temperature").asDouble());
        assertThat(calibration.fittedOn()).isEqualTo("val");
        assertThat(calibration.images()).isEqualTo(24);
        assertThat(calibration.eceBefore()).isBetween(0.0, 1.0);
        assertThat(calibration.eceAfter()).isBetween(0.0, 1.0);
    }
}
