package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.xray.image.ImageDecoder;
import io.xray.model.Classifier;
import io.xray.model.Explanation;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TestImages;
import io.xray.testing.TinyModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Explanations over HTTP, and the declared Content-Type deciding the decoder. */
@Timeout(120)
class ServerExplainTest {

    static Classifier classifier;
    static ModelServer server;
    static int port;
    static BufferedImage image;
    static byte[] jpeg;

    @BeforeAll
    static void start() throws Exception {
        classifier = Classifier.load(TinyModels.directory(), Device.cpu(), ImageDecoder.defaults());
        server = ModelServer.builder()
                .modelLoader(() -> ClassifierModel.load(TinyModels.directory()))
                .host("127.0.0.1")
                .port(0)
                .workerThreads(2)
                .build()
                .start();
        port = server.port();
        assertThat(server.awaitReady(Duration.ofSeconds(60))).as("model loaded: %s", server.loadFailure()).isTrue();
        image = SyntheticXrays.image(true, new Random(8));
        jpeg = TestImages.encode(image, "jpeg");
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

    private static HttpResponse<byte[]> post(String path, String contentType, String accept, String attributes, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (attributes != null) {
            request.header("X-Amzn-SageMaker-Custom-Attributes", attributes);
        }
        return Http.send(request.build());
    }

    private static void assertProblem(HttpResponse<byte[]> response, int status, String... parts) {
        String text = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.statusCode()).as(text).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Http.json(response).get("message").asText()).contains(parts);
    }

    @Test
    void acceptPng_shouldAnswerTheOverlayOfTheLibrarysExplanation() throws Exception {
        HttpResponse<byte[]> response = post("/invocations", "image/jpeg", "image/png", null, jpeg);

        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.ISO_8859_1)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(response.body()));
        assertThat(overlay).isNotNull();
        Explanation local = classifier.explain(jpeg);
        assertThat(response.body()).isEqualTo(local.overlayPng());
    }

    @Test
    void jsonWithExplainQueryOrCustomAttribute_shouldAddTheHeatMapAsBase64Png() throws Exception {
        Explanation local = classifier.explain(jpeg);
        for (HttpResponse<byte[]> response : new HttpResponse[] {
            post("/invocations?explain=true", "image/jpeg", "application/json", null, jpeg),
            post("/invocations", "image/jpeg", null, "trace=1; explain=true", jpeg)}) {
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode prediction = Http.json(response).get("predictions").get(0);
            assertThat(prediction.get("probability").asDouble()).isEqualTo(local.probability());
            JsonNode explanation = prediction.get("explanation");
            assertThat(explanation.get("method").asText()).isEqualTo("grad-cam");
            assertThat(explanation.get("layer").asText()).isEqualTo("layer4");
            byte[] png = Base64.getDecoder().decode(explanation.get("heat_map_png").asText());
            assertThat(png).isEqualTo(local.heatMapPng());
            BufferedImage map = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(map.getWidth()).isEqualTo(image.getWidth());
        }
        JsonNode plain = Http.json(post("/invocations", "image/jpeg", null, null, jpeg)).get("predictions").get(0);
        assertThat(plain.has("explanation")).isFalse();
    }

    @Test
    void concurrentExplanations_shouldAllBeAnsweredWithTheirOwnImagesProbability() throws Exception {
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] body = TestImages.encode(SyntheticXrays.image(i % 2 == 0, new Random(100 + i)), "png");
                double expected = classifier.predict(body).probability();
                answers.add(clients.submit(() -> {
                    HttpResponse<byte[]> response = post("/invocations?explain=true", "image/png", null, null, body);
                    return response.statusCode() == 200 && Math.abs(Http.json(response).get("predictions").get(0)
                            .get("probability").asDouble() - expected) < 1e-5;
                }));
            }
            for (java.util.concurrent.Future<Boolean> answer : answers) {
                assertThat(answer.get()).isTrue();
            }
            System.out.println("largest explanation batch: " + server.largestExplanationBatch());
            assertThat(server.largestExplanationBatch()).isBetween(1, 8);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void explanationOfATensorOrAsNpy_shouldBeRefusedWithAJsonError() {
        byte[] npy = io.xray.codec.Npy.write(io.xray.codec.NpyArray.ofFloats(
                classifier.artifact().preprocessing().toChw(image), 3, 32, 32));
        assertProblem(post("/invocations", "application/x-npy", "image/png", null, npy), 415, "needs an image");
        assertProblem(post("/invocations?explain=true", "image/jpeg", "application/x-npy", null, jpeg), 406,
                "application/x-npy");
    }

    @Test
    void bytesOfAnotherFormatThanDeclared_should415NamingBoth() {
        byte[] gif = TestImages.encode(image, "gif");
        byte[] png = TestImages.encode(image, "png");
        assertProblem(post("/invocations", "image/jpeg", null, null, gif), 415, "declared image/jpeg", "image/gif");
        assertProblem(post("/invocations", "image/jpeg", null, null, png), 415, "declared image/jpeg", "image/png");
        assertProblem(post("/invocations", "image/png", "image/png", null, jpeg), 415, "declared image/png", "image/jpeg");
        assertProblem(post("/invocations", "image/png", null, null, "GIF89a but not really".getBytes(StandardCharsets.UTF_8)),
                415, "declared image/png", "image/gif");
    }

    @Test
    void modelThatCannotExplain_shouldAnswer501AndStillPredict() throws Exception {
        try (ModelServer plain = ModelServer.builder().model(new MeanPixelModel()).host("127.0.0.1").port(0).build().start()) {
            assertThat(plain.awaitReady(Duration.ofSeconds(30))).isTrue();
            byte[] body = TestImages.encode(image, "png");
            HttpResponse<byte[]> overlay = Http.post(plain.port(), "image/png", "image/png", body);
            assertThat(overlay.statusCode()).isEqualTo(501);
            assertThat(Http.json(overlay).get("message").asText()).contains("cannot explain");
            assertThat(Http.post(plain.port(), "image/png", null, body).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void garbageAskingForAnOverlay_shouldBe400() {
        assertProblem(post("/invocations", "image/jpeg", "image/png", null, "not an image".getBytes(StandardCharsets.UTF_8)),
                400, "unrecognised image format", "declared image/jpeg");
        assertProblem(post("/invocations", "image/jpeg", "image/png", null, new byte[0]), 400, "empty request body");
    }
}
