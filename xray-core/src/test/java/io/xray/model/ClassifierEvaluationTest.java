package io.xray.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Label;
import io.xray.data.Split;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ReliabilityTable;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Classifier#evaluate(Dataset, Split)} on the shared tiny model: the test images that chose
 * a model's threshold are left out of its test figures and counted, and evaluate the calibration
 * split on their own.
 */
class ClassifierEvaluationTest {

    @TempDir
    static Path temp;

    static Dataset data;

    @BeforeAll
    static void data() {
        Path root = SyntheticXrays.write(temp.resolve("data"), 2, 2, 21);
        SyntheticXrays.writeImages(root.resolve("test"), 4, 7);
        data = Dataset.fromDirectory(root);
    }

    /** A copy of the tiny model whose description lists these images as the ones that chose its threshold. */
    static Path modelCalibratedOn(List<ImageRecord> calibration, String name) throws IOException {
        Path copy = Files.createDirectories(temp.resolve(name));
        try (Stream<Path> files = Files.list(TinyModels.directory())) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        ModelArtifact a = ModelArtifact.read(copy);
        int pneumonia = (int) calibration.stream().filter(r -> r.label() == Label.PNEUMONIA).count();
        ThresholdCalibration listed = new ThresholdCalibration("calibration", calibration.size(), pneumonia,
                a.validationMetrics(), calibration.stream().map(ImageRecord::sha256).toList());
        new ModelArtifact(a.formatVersion(), a.architecture(), a.preprocessing(), a.threshold(), a.thresholdRule(),
                a.classNames(), a.validationMetrics(), a.provenance(), listed, a.probabilityCalibration()).write(copy);
        return copy;
    }

    @Test
    void modelWithCalibrationList_shouldLeaveExactlyThoseTestImagesOutAndCountThem() throws IOException {
        List<ImageRecord> test = data.records(Split.TEST);
        List<ImageRecord> calibration = List.of(test.get(0), test.get(1), test.get(test.size() - 1));
        List<ImageRecord> rest = test.stream().filter(r -> !calibration.contains(r)).toList();

        try (Classifier classifier = Classifier.load(modelCalibratedOn(calibration, "calibrated"))) {
            Evaluation evaluation = classifier.evaluate(data, Split.TEST);

            assertThat(evaluation.split()).isEqualTo(Split.TEST);
            assertThat(evaluation.leftOut()).isEqualTo(3);
            assertThat(evaluation.images()).isEqualTo(test.size() - 3);
            assertThat(evaluation.metrics()).isEqualTo(classifier.evaluate(rest));
            assertThat(evaluation.threshold()).isEqualTo(classifier.threshold());
            assertThat(evaluation.thresholdRule()).isEqualTo(classifier.artifact().thresholdRule());

            Evaluation onCalibration = classifier.evaluate(data, Split.CALIBRATION);
            assertThat(onCalibration.leftOut()).isZero();
            assertThat(onCalibration.images()).isEqualTo(3);
            assertThat(onCalibration.metrics()).isEqualTo(classifier.evaluate(calibration));
            assertThat(classifier.evaluate(data, Split.TRAIN).leftOut()).isZero();
        }
    }

    @Test
    void modelWithoutCalibrationList_shouldLeaveNothingOut() {
        try (Classifier classifier = Classifier.load(TinyModels.directory())) {
            assertThat(classifier.artifact().thresholdCalibration()).isNull();

            Evaluation evaluation = classifier.evaluate(data, Split.TEST);

            assertThat(evaluation.leftOut()).isZero();
            assertThat(evaluation.images()).isEqualTo(data.records(Split.TEST).size());
            assertThat(evaluation.metrics()).isEqualTo(classifier.evaluate(data.records(Split.TEST)));
            assertThat(classifier.artifact().withCalibrationMarked(data)).isSameAs(data);
        }
    }

    @Test
    void everyTestImageLeftOut_shouldThrowSayingHowManyChoseTheThreshold() throws IOException {
        List<ImageRecord> test = data.records(Split.TEST);

        try (Classifier classifier = Classifier.load(modelCalibratedOn(test, "all-calibration"))) {
            assertThatThrownBy(() -> classifier.evaluate(data, Split.TEST))
                    .isInstanceOf(XrayException.class)
                    .hasMessageContaining("no test images left once the " + test.size())
                    .hasMessageContaining("chose the model's threshold");
        }
    }

    @Test
    void absentSplit_shouldThrowNamingIt() {
        try (Classifier classifier = Classifier.load(TinyModels.directory())) {
            assertThatThrownBy(() -> classifier.evaluate(data, Split.CALIBRATION))
                    .isInstanceOf(XrayException.class)
                    .hasMessage("the data set has no calibration images");
        }
    }

    @Test
    void validationOfAnotherCarving_shouldSayItIsNotTheSplitTheModelWasTrainedWith() {
        // The shared model was trained on SyntheticXrays.write(..., 6, 3, 11): the same images, wherever they are.
        Dataset same = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("same"), 6, 3, 11));
        Dataset other = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("other"), 6, 3, 12));

        try (Classifier classifier = Classifier.load(TinyModels.directory())) {
            Evaluation onSame = classifier.evaluate(same, Split.VAL);
            Evaluation onOther = classifier.evaluate(other, Split.VAL);

            assertThat(onSame.dataFingerprint()).isEqualTo(onSame.trainingDataFingerprint());
            assertThat(onSame.trainingSplitMismatch()).isEmpty();
            assertThat(onSame.images()).isEqualTo(classifier.artifact().validationMetrics().count());
            assertThat(onSame.rocAuc()).isCloseTo(classifier.artifact().validationMetrics().rocAuc(), within(1e-9));
            assertThat(onOther.trainingSplitMismatch()).hasValueSatisfying(warning -> assertThat(warning)
                    .contains("val images are not the split the model was trained with", other.manifestSha256()));
            assertThat(classifier.evaluate(data, Split.TEST).trainingSplitMismatch()).as("test is never trained on")
                    .isEmpty();
        }
    }

    @Test
    void negativeLeftOut_shouldBeRefused() {
        BinaryMetrics metrics = BinaryMetrics.compute(new double[] {0.2, 0.8}, new int[] {0, 1}, 0.5);

        ReliabilityTable table = ReliabilityTable.of(new double[] {0.2, 0.8}, new int[] {0, 1});

        assertThatThrownBy(() -> new Evaluation(Split.TEST, metrics, -1, null, null, null, 1.0, 0.0, table, table))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leftOut");
    }
}
