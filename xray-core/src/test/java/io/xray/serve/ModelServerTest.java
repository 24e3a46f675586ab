package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.codec.Npy;
import io.xray.codec.NpyArray;
import io.xray.image.ImageDecoder;
import io.xray.testing.TestImages;
import io.xray.testing.TestResources;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One shared server on a free loopback port; every test ends by checking that /ping still answers 200. */
@Timeout(20)
class ModelServerTest {

    static ModelServer server;
    static int port;
    static final byte[] JPEG = TestImages.jpeg();
    static final float[] JPEG_TENSOR =
            MeanPixelModel.PREPROCESSING.toChw(ImageDecoder.defaults().decode(JPEG, "test"));
    static final double JPEG_PROBABILITY = MeanPixelModel.probability(JPEG_TENSOR);

    @BeforeAll
    static void start() throws Exception {
        server = ModelServer.builder()
                .model(new MeanPixelModel())
                .host("127.0.0.1")
                .port(0)
                .maxBodyBytes(1024 * 1024)
                .build()
                .start();
        port = server.port();
        assertThat(server.awaitReady(java.time.Duration.ofSeconds(5))).isTrue();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void serverStillAnswersPing() {
        assertThat(Http.get(port, "/ping").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<byte[]> assertProblem(HttpResponse<byte[]> response, int status, String messagePart) {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = Http.json(response);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("message").asText()).contains(messagePart);
        return response;
    }

    @Test
    void jpeg_shouldAnswerLabelProbabilityThresholdAndModelId() {
        HttpResponse<byte[]> response = Http.post(port, "image/jpeg", null, JPEG);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode prediction = Http.json(response).get("predictions").get(0);
        assertThat(prediction.get("probability").asDouble()).isCloseTo(JPEG_PROBABILITY, within(1e-12));
        assertThat(prediction.get("label").asText()).isEqualTo(JPEG_PROBABILITY >= 0.5 ? "PNEUMONIA" : "NORMAL");
        assertThat(prediction.get("threshold").asDouble()).isEqualTo(0.5);
        assertThat(prediction.get("model_id").asText()).isEqualTo("mean-pixel-test");
    }

    @Test
    void png_shouldBeDecodedAndPreprocessedByTheModelsPreprocessing() {
        BufferedImage image = TestImages.gray(30, 50, 7, BufferedImage.TYPE_BYTE_GRAY);
        double expected = MeanPixelModel.probability(MeanPixelModel.PREPROCESSING.toChw(image));

        assertThat(Http.probability(Http.post(port, "image/png", "*/*", TestImages.encode(image, "png"))))
                .isCloseTo(expected, within(1e-12));
    }

    @Test
    void tensorAsNpyJsonAndCsv_shouldGiveTheSameProbabilityAsTheJpeg() {
        int crop = MeanPixelModel.CROP;
        byte[] npy = Npy.write(NpyArray.ofFloats(JPEG_TENSOR, 3, crop, crop));

        double fromJpeg = Http.probability(Http.post(port, "image/jpeg", null, JPEG));
        assertThat(Http.probability(Http.post(port, "application/x-npy", null, npy))).isCloseTo(fromJpeg, within(1e-9));
        assertThat(Http.probability(Http.post(port, "application/json", null,
                Http.tensorJson(crop, JPEG_TENSOR).getBytes(StandardCharsets.UTF_8)))).isCloseTo(fromJpeg, within(1e-9));
        assertThat(Http.probability(Http.post(port, "text/csv", null,
                (Http.tensorCsv(JPEG_TENSOR) + "\n").getBytes(StandardCharsets.UTF_8)))).isCloseTo(fromJpeg, within(1e-9));
    }

    @Test
    void batchTensor_shouldAnswerOnePredictionPerImageInOrder() {
        int crop = MeanPixelModel.CROP;
        int size = 3 * crop * crop;
        float[] batch = new float[3 * size];
        Arrays.fill(batch, 0, size, -2f);
        System.arraycopy(JPEG_TENSOR, 0, batch, size, size);
        Arrays.fill(batch, 2 * size, 3 * size, 2f);

        HttpResponse<byte[]> response = Http.post(port, "application/x-npy", "application/json",
                Npy.write(NpyArray.ofFloats(batch, 3, 3, crop, crop)));

        JsonNode predictions = Http.json(response).get("predictions");
        assertThat(predictions).hasSize(3);
        assertThat(predictions.get(0).get("probability").asDouble()).isCloseTo(1 / (1 + Math.exp(2)), within(1e-9));
        assertThat(predictions.get(0).get("label").asText()).isEqualTo("NORMAL");
        assertThat(predictions.get(1).get("probability").asDouble()).isCloseTo(JPEG_PROBABILITY, within(1e-9));
        assertThat(predictions.get(2).get("label").asText()).isEqualTo("PNEUMONIA");
    }

    @Test
    void acceptNpy_shouldAnswerTheProbabilitiesAsNpy() {
        HttpResponse<byte[]> response = Http.post(port, "image/jpeg", "application/x-npy", JPEG);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-npy");
        NpyArray probabilities = Npy.read(response.body());
        assertThat(probabilities.shape()).containsExactly(1);
        assertThat(probabilities.getDouble(0)).isCloseTo(JPEG_PROBABILITY, within(1e-12));
    }

    @Test
    void contentTypeParametersAndCase_shouldBeTolerated() {
        assertThat(Http.probability(Http.post(port, "Image/JPEG; charset=binary", "Application/JSON; q=0.9", JPEG)))
                .isCloseTo(JPEG_PROBABILITY, within(1e-12));
        assertThat(Http.post(port, "image/jpeg", "text/html;q=1, application/x-npy;q=0.5", JPEG)
                .headers().firstValue("Content-Type")).hasValue("application/x-npy");
    }

    @Test
    void truncatedJpeg_shouldBe400NamingTruncation() {
        byte[] big = TestImages.encode(TestImages.gray(64, 64, 3, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
        byte[] cut = Arrays.copyOf(big, big.length * 2 / 3);

        assertProblem(Http.post(port, "image/jpeg", null, cut), 400, "truncated");
    }

    @Test
    void zeroByteBody_shouldBe400() {
        assertProblem(Http.post(port, "image/jpeg", null, new byte[0]), 400, "empty request body");
    }

    @Test
    void pngDeclaringTenGigapixels_shouldBe400WithTheReason() {
        assertProblem(Http.post(port, "image/png", null, TestImages.pngDeclaring(100_000, 100_000)), 400,
                "100000x100000");
    }

    @Test
    void garbageLabelledAsJpeg_shouldBe400() {
        assertProblem(Http.post(port, "image/jpeg", null, "not an image".getBytes(StandardCharsets.UTF_8)), 400,
                "unrecognised image format");
    }

    @Test
    void cmykJpegAnd16BitGrayPng_shouldBeAnswered200() {
        byte[] cmyk = TestResources.bytes("/io/xray/image/cmyk.jpg");
        byte[] png16 = TestImages.encode(TestImages.gray(24, 24, 5, BufferedImage.TYPE_USHORT_GRAY), "png");
        assertThat(png16[24]).as("PNG bit depth").isEqualTo((byte) 16);

        double cmykProbability = Http.probability(Http.post(port, "image/jpeg", null, cmyk));
        double png16Probability = Http.probability(Http.post(port, "image/png", null, png16));

        assertThat(cmykProbability).isBetween(0.0, 1.0);
        assertThat(png16Probability).isCloseTo(MeanPixelModel.probability(
                MeanPixelModel.PREPROCESSING.toChw(ImageDecoder.defaults().decode(png16, "t"))), within(1e-12));
    }

    @Test
    void unsupportedContentType_shouldBe415() {
        assertProblem(Http.post(port, "text/plain", null, "hello".getBytes(StandardCharsets.UTF_8)), 415, "text/plain");
        assertProblem(Http.post(port, null, null, JPEG), 415, "missing Content-Type");
    }

    @Test
    void unsupportedAccept_shouldBe406() {
        assertProblem(Http.post(port, "image/jpeg", "text/html", JPEG), 406, "text/html");
    }

    @Test
    void malformedNpyHeader_shouldBe400() {
        byte[] npy = Npy.write(NpyArray.ofFloats(JPEG_TENSOR, 3, 16, 16));
        byte[] broken = new String(npy, StandardCharsets.ISO_8859_1).replace("False", "Nope!")
                .getBytes(StandardCharsets.ISO_8859_1);

        assertProblem(Http.post(port, "application/x-npy", null, broken), 400, "invalid NPY: malformed header");
    }

    @Test
    void pickledObjectNpy_shouldBe400WithoutUnpickling() {
        assertProblem(Http.post(port, "application/x-npy", null, TestResources.bytes("/io/xray/serve/object_pickle.npy")), 400,
                "object arrays");
    }

    @Test
    void wrongShapeTensors_shouldBe400NamingTheExpectedShape() {
        assertProblem(Http.post(port, "application/x-npy", null, TestResources.bytes("/io/xray/serve/f4_le_2x3.npy")), 400,
                "expected (3, 16, 16) or (N, 3, 16, 16)");
        assertProblem(Http.post(port, "application/json", null, "[[[1,2],[3,4]]]".getBytes(StandardCharsets.UTF_8)),
                400, "expected (3, 16, 16)");
        assertProblem(Http.post(port, "text/csv", null, "1,2,3\n".getBytes(StandardCharsets.UTF_8)), 400,
                "CSV line 1 has 3 values");
        assertProblem(Http.post(port, "application/json", null, "[[1,2],[3]]".getBytes(StandardCharsets.UTF_8)),
                400, "ragged");
    }

    @Test
    void jsonNested100000Deep_shouldBe400Quickly() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        assertProblem(Http.post(port, "application/json", null, deep.getBytes(StandardCharsets.UTF_8)), 400,
                "more than 4 dimensions");
        String deepObject = "{\"url\": " + "{\"a\": ".repeat(100_000) + "1" + "}".repeat(100_001);
        assertProblem(Http.post(port, "application/json", null, deepObject.getBytes(StandardCharsets.UTF_8)), 400,
                "must be a string");
    }

    @Test
    void malformedJson_shouldBe400() {
        assertProblem(Http.post(port, "application/json", null, "{\"url\": ".getBytes(StandardCharsets.UTF_8)), 400,
                "malformed JSON");
        assertProblem(Http.post(port, "application/json", null, "[1, \"a\"]".getBytes(StandardCharsets.UTF_8)), 400,
                "only numbers and lists");
    }

    @Test
    void urlBodyWhenFetchingIsOff_shouldBe403() {
        assertProblem(Http.post(port, "application/json", null,
                "{\"url\": \"http://example.com/x.jpg\"}".getBytes(StandardCharsets.UTF_8)), 403, "URL fetching is disabled");
    }

    @Test
    void declaredBodyOverTheLimit_shouldBe413BeforeTheBodyIsSent() throws IOException {
        // 50 MB declared, nothing sent: the answer can only come from the Content-Length check.
        String response = Http.raw(port, "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                + "Content-Length: 52428800\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 413").contains("exceeds the limit of 1048576 bytes");
    }

    @Test
    void streamedBodyOverTheLimit_shouldBe413AsSoonAsItPassesTheLimit() throws Exception {
        long before = count413();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            String header = Integer.toHexString(chunk.length) + "\r\n";
            // 1 MB + 64 KB and no final chunk: the server must answer without waiting for the end of the body.
            for (int i = 0; i < 17; i++) {
                out.write(header.getBytes(StandardCharsets.ISO_8859_1));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flush();
            try {
                String response = Http.readResponse(socket.getInputStream());
                if (!response.isEmpty()) { // empty: closed before the client read the answer
                    assertThat(response).startsWith("HTTP/1.1 413").contains("exceeds the limit");
                }
            } catch (java.net.SocketException reset) {
                // The server closed with unread body bytes pending, so TCP may reset before the client
                // reads the 413; the server-side count below is what proves the refusal.
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count413() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(count413()).isEqualTo(before + 1);
    }

    private static long count413() {
        String text = new String(Http.get(port, "/metrics").body(), StandardCharsets.UTF_8);
        String key = "xray_http_requests_seconds_count{route=\"/invocations\",status=\"413\"} ";
        int at = text.indexOf(key);
        return at < 0 ? 0 : (long) Double.parseDouble(text.substring(at + key.length(), text.indexOf('\n', at)).trim());
    }

    @Test
    void oversizedUriAndHeaders_shouldBe414And431() throws IOException {
        String uri = Http.raw(port, "GET /ping?" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        String headers = Http.raw(port, "GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");

        assertThat(uri).startsWith("HTTP/1.1 414").contains("\"status\":414");
        assertThat(headers).startsWith("HTTP/1.1 431").contains("\"status\":431");
    }

    @Test
    void runtimeRoute_shouldAnswerAsInvocationsDoes() {
        HttpResponse<byte[]> response = Http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/endpoints/xray-pneumonia-1/invocations"))
                .header("Content-Type", "image/jpeg")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(JPEG))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.probability(response)).isCloseTo(JPEG_PROBABILITY, within(1e-12));
        assertProblem(Http.get(port, "/endpoints/xray-pneumonia-1/invocations"), 405, "use POST");
        assertProblem(Http.get(port, "/endpoints/bad_name/invocations"), 404, "no such route");
        assertProblem(Http.get(port, "/endpoints//invocations"), 404, "no such route");
    }

    @Test
    void unknownRouteAndWrongMethod_shouldBe404And405() {
        assertProblem(Http.get(port, "/nope"), 404, "no such route");
        assertProblem(Http.get(port, "/invocations"), 405, "use POST");
    }

    @Test
    void executionParameters_shouldDescribeTheServerForBatchTransform() {
        HttpResponse<byte[]> response = Http.get(port, "/execution-parameters");

        JsonNode body = Http.json(response);
        assertThat(body.get("MaxConcurrentTransforms").asInt()).isEqualTo(8);
        assertThat(body.get("BatchStrategy").asText()).isEqualTo("SINGLE_RECORD");
        assertThat(body.get("MaxPayloadInMB").asInt()).isEqualTo(1);
    }

    @Test
    void metrics_shouldCountRequestsByStatusInPrometheusText() {
        Http.post(port, "image/jpeg", null, JPEG);
        Http.post(port, "text/plain", null, new byte[1]);

        HttpResponse<byte[]> response = Http.get(port, "/metrics");
        String text = new String(response.body(), StandardCharsets.UTF_8);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text).contains("xray_http_requests_seconds_count{route=\"/invocations\",status=\"200\"}")
                .contains("xray_http_requests_seconds_count{route=\"/invocations\",status=\"415\"}")
                .contains("xray_http_requests_seconds_bucket{")
                .contains("xray_batch_size_images_count")
                .contains("xray_queue_depth");
        assertThat(text.toLowerCase(Locale.ROOT)).doesNotContain("exception");
    }
}
