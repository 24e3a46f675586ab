package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.batch.BatchTransformer;
import io.xray.image.ImageDecoder;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ThresholdChoice;
import io.xray.metrics.Thresholds;
import io.xray.model.Classifier;
import io.xray.model.Explanation;
import io.xray.model.ModelArtifact;
import io.xray.model.Prediction;
import io.xray.model.ProbabilityCalibration;
import io.xray.predict.Deserializer;
import io.xray.predict.EndpointPrediction;
import io.xray.predict.EndpointPredictor;
import io.xray.predict.Serializer;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One network stored twice: without a temperature (1) and with temperature 3. Every path that
 * answers a probability (predict, scores, explanations, the serving model, the in-process endpoint,
 * batch scoring) answers {@code sigmoid(logit / 3)} for the second; the decisions at a threshold
 * chosen on each model's own probabilities and the AUCs are the same for both.
 */
class CalibratedProbabilitiesTest {

    private static final double TEMPERATURE = 3.0;

    @TempDir
    static Path temp;

    static Classifier plain;
    static Classifier scaled;
    static List<BufferedImage> images = new ArrayList<>();
    static int[] labels;

    @BeforeAll
    static void load() throws IOException {
        plain = Classifier.load(copy("plain", null), Device.cpu(), ImageDecoder.defaults());
        scaled = Classifier.load(copy("scaled", new ProbabilityCalibration(ProbabilityCalibration.TEMPERATURE,
                TEMPERATURE, 0.0, "val", 9, 0.2, 0.1, 0.2, 0.1)), Device.cpu(), ImageDecoder.defaults());
        Random random = new Random(17);
        labels = new int[24];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
            images.add(SyntheticXrays.image(labels[i] == 1, random));
        }
    }

    @AfterAll
    static void close() {
        plain.close();
        scaled.close();
    }

    /** The shared tiny model's files with this calibration (null: none) and a threshold of 0.5. */
    private static Path copy(String name, ProbabilityCalibration calibration) throws IOException {
        Path copy = Files.createDirectories(temp.resolve(name).resolve("model"));
        try (Stream<Path> files = Files.list(TinyModels.directory())) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        ModelArtifact a = ModelArtifact.read(copy);
        new ModelArtifact(a.formatVersion(), a.architecture(), a.preprocessing(), 0.5, a.thresholdRule(),
                a.classNames(), a.validationMetrics(), a.provenance(), null, calibration).write(copy);
        return copy;
    }

    private static double scaledFromPlain(double p) {
        double logit = Math.log(p / (1 - p));
        return 1 / (1 + Math.exp(-logit / TEMPERATURE));
    }

    @Test
    void everyClassifierPath_shouldAnswerTheTemperatureScaledProbability() {
        assertThat(plain.temperature()).isEqualTo(1.0);
        assertThat(scaled.temperature()).isEqualTo(TEMPERATURE);
        double[] raw = plain.probabilities(images);
        double[] calibrated = scaled.probabilities(images);
        List<Prediction> predictions = scaled.predictAll(images);
        List<Explanation> explanations = scaled.explainAll(images);
        float[][] chw = new float[images.size()][];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = scaled.artifact().preprocessing().toChw(images.get(i));
        }
        double[] served = ClassifierModel.of(scaled).predictProbabilities(chw);

        for (int i = 0; i < raw.length; i++) {
            assertThat(calibrated[i]).as("image %d", i).isCloseTo(scaledFromPlain(raw[i]), within(1e-9));
            assertThat(Math.abs(calibrated[i] - 0.5)).as("softer").isLessThan(Math.abs(raw[i] - 0.5) + 1e-12);
            assertThat(predictions.get(i).probability()).isEqualTo(calibrated[i]);
            assertThat(explanations.get(i).probability()).isCloseTo(calibrated[i], within(1e-6));
            assertThat(served[i]).isCloseTo(calibrated[i], within(1e-12));
        }
        assertThat(raw).as("the two models must differ for this test to mean anything").isNotEqualTo(calibrated);
    }

    @Test
    void inProcessEndpointAndBatchScoring_shouldAnswerTheCalibratedProbability() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("batch-in"));
        SyntheticXrays.writePng(folder.resolve("a.png"), images.get(1));
        byte[] png = Files.readAllBytes(folder.resolve("a.png"));
        double expected = scaled.predict(png).probability();
        assertThat(expected).isCloseTo(scaledFromPlain(plain.predict(png).probability()), within(1e-9));

        try (EndpointPredictor<byte[], List<EndpointPrediction>> predictor = EndpointPredictor.builder()
                .inProcess(ClassifierModel.of(scaled)).serializer(Serializer.png()).deserializer(Deserializer.json())
                .build()) {
            assertThat(predictor.predict(png).get(0).probability()).isCloseTo(expected, within(1e-9));
        }

        Path out = temp.resolve("batch-out");
        BatchTransformer.builder().model(scaled).input(folder).output(out).threads(1).batchSize(2).build().run();
        JsonNode body = new ObjectMapper().readTree(out.resolve("a.png.out").toFile());
        assertThat(body.path("predictions").path(0).path("probability").asDouble()).isCloseTo(expected, within(1e-9));
    }

    @Test
    void thresholdChosenOnCalibratedProbabilities_shouldGiveTheSameDecisionsAndAucs() {
        double[] raw = plain.probabilities(images);
        double[] calibrated = scaled.probabilities(images);

        ThresholdChoice onRaw = Thresholds.maxF1(raw, labels);
        ThresholdChoice onCalibrated = Thresholds.maxF1(calibrated, labels);
        BinaryMetrics before = BinaryMetrics.compute(raw, labels, onRaw.threshold());
        BinaryMetrics after = BinaryMetrics.compute(calibrated, labels, onCalibrated.threshold());

        assertThat(onCalibrated.threshold()).isCloseTo(scaledFromPlain(onRaw.threshold()), within(1e-9));
        assertThat(after.confusion()).isEqualTo(before.confusion());
        assertThat(after.rocAuc()).isEqualTo(before.rocAuc());
        assertThat(after.prAuc()).isEqualTo(before.prAuc());
        for (int i = 0; i < raw.length; i++) {
            assertThat(Prediction.of(calibrated[i], onCalibrated.threshold()).label())
                    .isEqualTo(Prediction.of(raw[i], onRaw.threshold()).label());
        }
    }
}
