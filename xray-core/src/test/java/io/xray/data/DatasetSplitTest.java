package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xray.XrayException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetSplitTest {

    private static Dataset trainAndTest() {
        List<ImageRecord> records = new ArrayList<>(PatientGroupedSplitterTest.crafted(Split.TRAIN));
        records.addAll(PatientGroupedSplitterTest.crafted(Split.TEST));
        return Dataset.of(records);
    }

    private static Set<String> patients(List<ImageRecord> records) {
        return records.stream().map(ImageRecord::patientId).collect(Collectors.toSet());
    }

    @Test
    void validationFromTrain_shouldMoveWholePatientsAndLeaveTestAlone() {
        Dataset data = trainAndTest();

        Dataset split = data.withValidationFromTrain(0.1, 42);

        assertThat(split.records(Split.VAL)).isNotEmpty();
        assertThat(patients(split.records(Split.TRAIN))).doesNotContainAnyElementsOf(patients(split.records(Split.VAL)));
        assertThat(split.records(Split.TEST)).isEqualTo(data.records(Split.TEST));
        assertThat(split.size()).isEqualTo(data.size());
        assertThat((double) split.records(Split.VAL).size() / data.records(Split.TRAIN).size()).isCloseTo(0.1, within(0.02));
        double whole = data.classBalance(Split.TRAIN).positiveFraction();
        assertThat(split.classBalance(Split.VAL).positiveFraction()).isCloseTo(whole, within(0.02));
        assertThat(split.classBalance(Split.TRAIN).positiveFraction()).isCloseTo(whole, within(0.02));
        assertThat(data.records(Split.VAL)).as("the original is unchanged").isEmpty();
    }

    @Test
    void validationFromTrain_sameSeed_shouldGiveEqualDatasets_otherSeedAnother() {
        Dataset data = trainAndTest();

        assertThat(data.withValidationFromTrain(0.1, 42)).isEqualTo(data.withValidationFromTrain(0.1, 42));
        assertThat(data.withValidationFromTrain(0.1, 42)).isNotEqualTo(data.withValidationFromTrain(0.1, 7));
        assertThat(data.withValidationFromTrain(0.1, 42).manifestSha256())
                .isNotEqualTo(data.withValidationFromTrain(0.1, 7).manifestSha256());
    }

    @Test
    void testMovedToValidation_shouldMoveAboutCountImagesInWholePatients() {
        Dataset data = trainAndTest();

        Dataset moved = data.withTestMovedToValidation(40, 3);

        assertThat(moved.records(Split.VAL).size()).isBetween(36, 44);
        assertThat(moved.records(Split.VAL)).allSatisfy(r -> assertThat(data.records(Split.TEST)).contains(r.withSplit(Split.TEST)));
        assertThat(patients(moved.records(Split.TEST))).doesNotContainAnyElementsOf(patients(moved.records(Split.VAL)));
        assertThat(moved.records(Split.TRAIN)).isEqualTo(data.records(Split.TRAIN));
        assertThat(moved.records(Split.TEST).size() + moved.records(Split.VAL).size())
                .isEqualTo(data.records(Split.TEST).size());
    }

    @Test
    void testMovedToCalibration_shouldSetWholeTestPatientsAsideAndLeaveValidationAlone() {
        Dataset data = trainAndTest().withValidationFromTrain(0.1, 42);

        Dataset moved = data.withTestMovedToCalibration(40, 3);

        List<ImageRecord> calibration = moved.records(Split.CALIBRATION);
        assertThat(calibration.size()).isBetween(36, 44);
        assertThat(calibration).allSatisfy(r -> assertThat(data.records(Split.TEST)).contains(r.withSplit(Split.TEST)));
        assertThat(patients(moved.records(Split.TEST))).doesNotContainAnyElementsOf(patients(calibration));
        assertThat(moved.records(Split.VAL)).isEqualTo(data.records(Split.VAL));
        assertThat(moved.records(Split.TRAIN)).isEqualTo(data.records(Split.TRAIN));
        assertThat(moved.classBalance(Split.CALIBRATION).positiveFraction())
                .isCloseTo(data.classBalance(Split.TEST).positiveFraction(), within(0.1));
        assertThat(data.withTestMovedToCalibration(40, 3)).as("seeded").isEqualTo(moved);
    }

    @Test
    void calibrationSplit_shouldSurviveAManifestRoundTrip(@TempDir Path dir) {
        Dataset moved = trainAndTest().withTestMovedToCalibration(30, 5);
        Path manifest = dir.resolve("split.jsonl");

        moved.writeManifest(manifest);

        assertThat(Dataset.builder().manifest(manifest).verifyImages(false).build().records(Split.CALIBRATION))
                .hasSameSizeAs(moved.records(Split.CALIBRATION));
    }

    @Test
    void calibrationWithoutTestImages_shouldSaySo() {
        Dataset trainOnly = Dataset.of(PatientGroupedSplitterTest.crafted(Split.TRAIN));

        assertThatThrownBy(() -> trainOnly.withTestMovedToCalibration(10, 1))
                .isInstanceOf(XrayException.class).hasMessageContaining("no TEST images");
    }

    @Test
    void bothMoves_shouldAddToTheSameValidationSplit() {
        Dataset data = trainAndTest();

        Dataset both = data.withValidationFromTrain(0.1, 1).withTestMovedToValidation(20, 1);

        int fromTrain = data.withValidationFromTrain(0.1, 1).records(Split.VAL).size();
        assertThat(both.records(Split.VAL).size()).isGreaterThan(fromTrain);
        assertThat(both.size()).isEqualTo(data.size());
    }

    @Test
    void noTrainImages_shouldSaySo() {
        Dataset testOnly = Dataset.of(PatientGroupedSplitterTest.crafted(Split.TEST));

        assertThatThrownBy(() -> testOnly.withValidationFromTrain(0.1, 1))
                .isInstanceOf(XrayException.class).hasMessageContaining("no TRAIN images");
    }

    @Test
    void tooSmallForWholePatients_shouldFailClearly() {
        Dataset tiny = Dataset.of(List.of(TestData.record("IM-0001-0001.jpeg", Split.TRAIN, Label.NORMAL, "IM-0001"),
                TestData.record("IM-0001-0002.jpeg", Split.TRAIN, Label.NORMAL, "IM-0001")));

        assertThatThrownBy(() -> tiny.withValidationFromTrain(0.5, 1))
                .isInstanceOf(XrayException.class).hasMessageContaining("whole patients");
    }
}
