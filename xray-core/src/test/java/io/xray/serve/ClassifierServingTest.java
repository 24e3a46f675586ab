package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.xray.codec.Npy;
import io.xray.codec.NpyArray;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.model.Classifier;
import io.xray.model.Prediction;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance path: a model trained by the real trainer, loaded by the server through
 * {@link ClassifierModel}, answers over loopback exactly what {@link Classifier} answers in process.
 */
@Timeout(120)
class ClassifierServingTest {

    @TempDir
    static Path temp;

    static Path modelDirectory;
    static Classifier classifier;
    static ModelServer server;
    static int port;
    static Path jpegFile;
    static byte[] jpeg;
    static Preprocessing preprocessing;
    static float[] tensor;

    @BeforeAll
    static void start() throws Exception {
        modelDirectory = TinyModels.directory();
        classifier = Classifier.load(modelDirectory, Device.cpu(), ImageDecoder.defaults());
        server = ModelServer.builder()
                .modelLoader(() -> ClassifierModel.load(modelDirectory))
                .host("127.0.0.1")
                .port(0)
                .workerThreads(2)
                .build()
                .start();
        port = server.port();
        assertThat(server.awaitReady(Duration.ofSeconds(60))).as("model loaded: %s", server.loadFailure()).isTrue();

        jpegFile = temp.resolve("chest.jpeg");
        ImageIO.write(SyntheticXrays.image(true, new Random(5)), "jpeg", jpegFile.toFile());
        jpeg = Files.readAllBytes(jpegFile);
        preprocessing = classifier.artifact().preprocessing();
        tensor = preprocessing.toChw(ImageDecoder.defaults().decode(jpeg, "test"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (classifier != null) {
            classifier.close();
        }
    }

    @Test
    void jpegThroughServer_shouldGiveTheClassifiersProbabilityLabelThresholdAndModelId() throws IOException {
        Prediction expected = classifier.predict(jpegFile);

        JsonNode prediction = Http.onlyPrediction(Http.post(port, "image/jpeg", null, Files.readAllBytes(jpegFile)));

        assertThat(prediction.get("probability").asDouble()).isCloseTo(expected.probability(), within(1e-5));
        assertThat(prediction.get("label").asText()).isEqualTo(expected.label().name());
        assertThat(prediction.get("threshold").asDouble()).isEqualTo(classifier.threshold());
        assertThat(prediction.get("model_id").asText())
                .isEqualTo(classifier.modelId())
                .isEqualTo(ClassifierModel.of(classifier).modelId())
                .matches(modelDirectory.getFileName() + "-[0-9a-f]{12}");
    }

    @Test
    void preprocessedTensorAsNpyJsonAndCsv_shouldGiveTheJpegsProbability() {
        int crop = preprocessing.cropSize();
        double fromJpeg = Http.probability(Http.post(port, "image/jpeg", null, jpeg));

        byte[] npy = Npy.write(NpyArray.ofFloats(tensor, 3, crop, crop));
        assertThat(Http.probability(Http.post(port, "application/x-npy", null, npy))).isCloseTo(fromJpeg, within(1e-5));
        assertThat(Http.probability(Http.post(port, "application/json", null,
                Http.tensorJson(crop, tensor).getBytes(StandardCharsets.UTF_8))))
                .isCloseTo(fromJpeg, within(1e-5));
        assertThat(Http.probability(Http.post(port, "text/csv; charset=utf-8", null,
                (Http.tensorCsv(tensor) + "\n").getBytes(StandardCharsets.UTF_8)))).isCloseTo(fromJpeg, within(1e-5));
    }

    @Test
    void batchOfTensors_shouldAnswerOneProbabilityPerImageInOrderAsNpy() {
        int crop = preprocessing.cropSize();
        float[] other = preprocessing.toChw(SyntheticXrays.image(false, new Random(9)));
        double[] expected = classifier.probabilities(new float[][] {tensor, other});
        float[] both = Arrays.copyOf(tensor, tensor.length * 2);
        System.arraycopy(other, 0, both, tensor.length, other.length);

        HttpResponse<byte[]> response = Http.post(port, "application/x-npy", "application/x-npy",
                Npy.write(NpyArray.ofFloats(both, 2, 3, crop, crop)));

        assertThat(response.statusCode()).isEqualTo(200);
        double[] answered = Npy.read(response.body()).toDoubleArray();
        assertThat(answered).hasSize(2);
        assertThat(answered[0]).isCloseTo(expected[0], within(1e-5));
        assertThat(answered[1]).isCloseTo(expected[1], within(1e-5));
    }

    @Test
    void errorCases_shouldBeAnsweredAndLeaveTheServerServingTheRightPrediction() {
        int crop = preprocessing.cropSize();
        assertThat(Http.post(port, "image/jpeg", null, Arrays.copyOf(jpeg, jpeg.length / 2)).statusCode()).isEqualTo(400);
        assertThat(Http.post(port, "image/jpeg", null, new byte[0]).statusCode()).isEqualTo(400);
        assertThat(Http.post(port, "application/x-npy", null,
                Npy.write(NpyArray.ofFloats(new float[3 * 8 * 8], 3, 8, 8))).statusCode()).isEqualTo(400);
        assertThat(Http.post(port, "text/csv", null, "1,2,3\n".getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(400);
        assertThat(Http.post(port, "application/json", null, "[[[[".getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(400);
        assertThat(Http.post(port, "application/json", null,
                "{\"url\":\"http://169.254.169.254/latest\"}".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(403);
        assertThat(Http.post(port, "application/pdf", null, jpeg).statusCode()).isEqualTo(415);
        assertThat(Http.post(port, "image/jpeg", "text/html", jpeg).statusCode()).isEqualTo(406);
        assertThat(crop).isEqualTo(32);

        assertThat(Http.get(port, "/ping").statusCode()).isEqualTo(200);
        assertThat(Http.probability(Http.post(port, "image/jpeg", null, jpeg)))
                .isCloseTo(classifier.predict(jpegFile).probability(), within(1e-5));
    }

    @Test
    void metrics_shouldExposeTheProcessResidentMemory() {
        HttpResponse<byte[]> response = Http.get(port, "/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        String text = new String(response.body(), StandardCharsets.UTF_8);
        String line = text.lines().filter(l -> l.startsWith("process_resident_memory_bytes ")).findFirst().orElseThrow();
        double rss = Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            assertThat(rss).isGreaterThan(10e6);
        }
    }

    @Test
    void classifierProbabilitiesOfTensors_shouldEqualItsImagePath() {
        double fromImage = classifier.predict(jpegFile).probability();

        assertThat(classifier.probabilities(new float[][] {tensor})[0]).isCloseTo(fromImage, within(1e-6));
    }
}
