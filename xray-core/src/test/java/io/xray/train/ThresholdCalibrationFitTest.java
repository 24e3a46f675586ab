package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Label;
import io.xray.data.Split;
import io.xray.metrics.BinaryMetrics;
import io.xray.model.Classifier;
import io.xray.model.ModelArtifact;
import io.xray.model.ProbabilityCalibration;
import io.xray.model.ThresholdCalibration;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose data has a calibration split chooses its threshold there and records which images did. */
class ThresholdCalibrationFitTest {

    @TempDir
    Path temp;

    private Dataset dataWithCalibration() {
        Path root = SyntheticXrays.write(temp.resolve("data"), 16, 8, 3);
        SyntheticXrays.writeImages(root.resolve("test"), 12, 5);
        return Dataset.fromDirectory(root).withTestMovedToCalibration(12, 1);
    }

    @Test
    void threshold_shouldBeChosenOnTheCalibrationImages_andTheModelShouldListThem() {
        Dataset data = dataWithCalibration();
        List<ImageRecord> calibration = data.records(Split.CALIBRATION);
        ThresholdRule rule = ThresholdRule.targetSensitivity(0.9);

        FitResult result = ResNetFineTunerFitTest.tiny(temp.resolve("run")).epochs(2).thresholdRule(rule).build().fit(data);

        ModelArtifact artifact = ModelArtifact.read(result.artifactDirectory());
        ThresholdCalibration recorded = artifact.thresholdCalibration();
        assertThat(recorded).isEqualTo(result.thresholdCalibration());
        assertThat(recorded.split()).isEqualTo("calibration");
        assertThat(recorded.images()).isEqualTo(calibration.size());
        assertThat(recorded.pneumonia()).isEqualTo((int) calibration.stream().filter(r -> r.label() == Label.PNEUMONIA).count());
        assertThat(recorded.sha256()).containsExactlyInAnyOrderElementsOf(calibration.stream().map(ImageRecord::sha256).toList());
        assertThat(recorded.sha256Set()).doesNotContainAnyElementsOf(
                data.records(Split.TEST).stream().map(ImageRecord::sha256).toList());
        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            double[] scores = classifier.score(calibration);
            int[] labels = calibration.stream().mapToInt(r -> r.label().index()).toArray();
            assertThat(artifact.threshold()).isCloseTo(rule.choose(scores, labels).threshold(), within(1e-6));
            assertThat(recorded.metrics().recall()).isGreaterThanOrEqualTo(0.9);
            BinaryMetrics validation = classifier.evaluate(data.records(Split.VAL));
            assertThat(artifact.validationMetrics().accuracy()).as("validation measured at the calibrated threshold")
                    .isCloseTo(validation.accuracy(), within(1e-9));
            ProbabilityCalibration temperature = artifact.probabilityCalibration();
            assertThat(temperature.fittedOn()).as("the temperature is fitted where the threshold is chosen")
                    .isEqualTo("calibration");
            assertThat(temperature.images()).isEqualTo(calibration.size());
            assertThat(classifier.evaluate(data, Split.CALIBRATION).eceAfter())
                    .isCloseTo(temperature.eceAfter(), within(1e-6));
            assertThat(classifier.evaluate(data, Split.VAL).eceAfter())
                    .isCloseTo(temperature.validationEceAfter(), within(1e-6));
        }
    }

    @Test
    void calibrationOfOneClass_shouldBeRefusedBeforeTraining() {
        Dataset data = dataWithCalibration();
        List<ImageRecord> records = data.records().stream()
                .filter(r -> r.split() != Split.CALIBRATION || r.label() == Label.PNEUMONIA)
                .toList();

        assertThatThrownBy(() -> ResNetFineTunerFitTest.tiny(temp.resolve("one-class")).build().fit(Dataset.of(records)))
                .isInstanceOf(XrayException.class)
                .hasMessageContaining("CALIBRATION split needs images of both classes");
    }
}
