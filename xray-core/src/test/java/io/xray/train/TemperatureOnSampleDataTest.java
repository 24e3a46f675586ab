package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.data.Split;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.model.Classifier;
import io.xray.model.Evaluation;
import io.xray.model.ModelArtifact;
import io.xray.model.ProbabilityCalibration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small real training run on the shipped sample X-rays (a narrow from-scratch ResNet18 at 32 px,
 * two epochs): the model stores the temperature fitted on validation with its ECE figures, and on
 * the sample test images its decisions and AUCs are those of the same network without the
 * temperature.
 */
class TemperatureOnSampleDataTest {

    static final Path SAMPLE = Path.of("..", "sample-data", "chest_xray");

    @TempDir
    static Path temp;

    static Dataset dataset;
    static FitResult result;

    @BeforeAll
    static void train() {
        dataset = Dataset.load(SAMPLE).withValidationFromTrain(0.2, 42);
        result = ResNetFineTuner.builder()
                .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
                .preprocessing(Preprocessing.builder().resizeShorterSide(36).cropSize(32).build())
                .batchSize(16)
                .epochs(2)
                .learningRate(3e-3)
                .earlyStoppingPatience(0)
                .seed(5)
                .device(Device.cpu())
                .decodeThreads(1)
                .progressEveryBatches(0)
                .outputDirectory(temp.resolve("run"))
                .build()
                .fit(dataset);
    }

    @Test
    void model_shouldStoreTheTemperatureFittedOnValidation_withTheEceFiguresEvaluationGives() {
        ProbabilityCalibration stored = ModelArtifact.read(result.artifactDirectory()).probabilityCalibration();

        assertThat(stored).isEqualTo(result.probabilityCalibration());
        assertThat(stored.fittedOn()).isEqualTo("val");
        assertThat(stored.images()).isEqualTo(dataset.records(Split.VAL).size()).isPositive();
        System.out.printf(Locale.ROOT, "sample data: temperature %.4f, validation ECE %.4f -> %.4f%n",
                stored.temperature(), stored.eceBefore(), stored.eceAfter());
        try (Classifier classifier = Classifier.load(result.artifactDirectory(), Device.cpu(), ImageDecoder.defaults())) {
            Evaluation validation = classifier.evaluate(dataset, Split.VAL);
            assertThat(validation.eceBefore()).isCloseTo(stored.validationEceBefore(), within(1e-6));
            assertThat(validation.eceAfter()).isCloseTo(stored.validationEceAfter(), within(1e-6));
            assertThat(validation.metrics().confusion())
                    .isEqualTo(ModelArtifact.read(result.artifactDirectory()).validationMetrics().confusion());
        }
    }

    @Test
    void sampleTestImages_shouldGetTheSameDecisionsAndAucsWithAndWithoutTheTemperature() throws IOException {
        Path withoutTemperature = Files.createDirectories(temp.resolve("t1").resolve("model"));
        try (Stream<Path> files = Files.list(result.artifactDirectory())) {
            for (Path file : files.toList()) {
                Files.copy(file, withoutTemperature.resolve(file.getFileName()));
            }
        }
        ModelArtifact a = ModelArtifact.read(withoutTemperature);
        double temperature = a.temperature();
        // The same decision boundary on the uncalibrated scale: sigmoid(T * (logit(threshold) - offset)).
        double logit = Math.log(a.threshold() / (1 - a.threshold()));
        double rawThreshold = 1 / (1 + Math.exp(-temperature * (logit - a.offset())));
        new ModelArtifact(a.formatVersion(), a.architecture(), a.preprocessing(), rawThreshold, a.thresholdRule(),
                a.classNames(), a.validationMetrics(), a.provenance(), a.thresholdCalibration(), null)
                .write(withoutTemperature);

        try (Classifier calibrated = Classifier.load(result.artifactDirectory(), Device.cpu(), ImageDecoder.defaults());
                Classifier raw = Classifier.load(withoutTemperature, Device.cpu(), ImageDecoder.defaults())) {
            Evaluation after = calibrated.evaluate(dataset, Split.TEST);
            Evaluation before = raw.evaluate(dataset, Split.TEST);

            assertThat(after.images()).isEqualTo(80);
            assertThat(after.metrics().confusion()).isEqualTo(before.metrics().confusion());
            assertThat(after.rocAuc()).isEqualTo(before.rocAuc());
            assertThat(after.prAuc()).isEqualTo(before.prAuc());
            assertThat(after.eceBefore()).isEqualTo(before.eceAfter()).isEqualTo(before.eceBefore());
            if (temperature != 1.0) {
                assertThat(after.eceAfter()).isNotEqualTo(after.eceBefore());
            }
            System.out.printf(Locale.ROOT, "sample test: ROC AUC %.4f both ways, ECE %.4f -> %.4f%n", after.rocAuc(),
                    after.eceBefore(), after.eceAfter());
        }
    }
}
