package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xray.InvalidConfigurationException;
import io.xray.codec.NpyArray;
import io.xray.image.ImageDecoder;
import io.xray.predict.Deserializer;
import io.xray.predict.EndpointException;
import io.xray.predict.EndpointPrediction;
import io.xray.predict.EndpointPredictor;
import io.xray.predict.Serializer;
import io.xray.testing.TestImages;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same calls through the in-process transport and over HTTP to a real server must agree. */
@Timeout(20)
class EndpointPredictorTest {

    static MeanPixelModel model = new MeanPixelModel();
    static ModelServer server;
    static URI invocations;
    static final byte[] JPEG = TestImages.jpeg();
    static final int CROP = MeanPixelModel.CROP;

    @BeforeAll
    static void start() {
        server = ModelServer.builder().model(model).host("127.0.0.1").port(0).build().start();
        invocations = URI.create("http://127.0.0.1:" + server.port() + "/invocations");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static <I, O> List<EndpointPredictor<I, O>> both(Serializer<I> serializer, Deserializer<O> deserializer) {
        return List.of(
                EndpointPredictor.builder().inProcess(model).serializer(serializer).deserializer(deserializer).build(),
                EndpointPredictor.builder().http(invocations).timeout(Duration.ofSeconds(10))
                        .serializer(serializer).deserializer(deserializer).build());
    }

    @Test
    void jpegToJson_shouldAgreeAcrossTransportsAndWithTheModel() {
        double expected = MeanPixelModel.probability(
                MeanPixelModel.PREPROCESSING.toChw(ImageDecoder.defaults().decode(JPEG, "t")));
        for (EndpointPredictor<byte[], List<EndpointPrediction>> predictor : both(Serializer.jpeg(), Deserializer.json())) {
            try (predictor) {
                List<EndpointPrediction> predictions = predictor.predict(JPEG);
                assertThat(predictions).hasSize(1);
                EndpointPrediction p = predictions.get(0);
                assertThat(p.probability()).isCloseTo(expected, within(1e-12));
                assertThat(p.threshold()).isEqualTo(0.5);
                assertThat(p.modelId()).isEqualTo("mean-pixel-test");
                assertThat(p.label()).isEqualTo(expected >= 0.5 ? "PNEUMONIA" : "NORMAL");
            }
        }
        assertThat(model.closed).isFalse();
    }

    @Test
    void pngWithDefaultBuilder_shouldUseJpegSerializerTypeUnlessChanged() {
        byte[] png = TestImages.encode(TestImages.gray(20, 20, 9, BufferedImage.TYPE_BYTE_GRAY), "png");
        try (EndpointPredictor<byte[], List<EndpointPrediction>> predictor =
                     EndpointPredictor.builder().http(invocations).serializer(Serializer.png()).build()) {
            assertThat(predictor.contentType()).isEqualTo("image/png");
            assertThat(predictor.accept()).isEqualTo("application/json");
            assertThat(predictor.predict(png)).hasSize(1);
        }
    }

    @Test
    void tensorsAsNpyAndJson_shouldGiveTheSameProbabilitiesOverBothTransports() {
        float[] batch = new float[2 * 3 * CROP * CROP];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (i % 7 - 3) / 3f + (i < batch.length / 2 ? 0.5f : -0.5f);
        }
        NpyArray tensor = NpyArray.ofFloats(batch, 2, 3, CROP, CROP);
        double[] expected = model.predictProbabilities(new float[][] {
            Arrays.copyOfRange(batch, 0, batch.length / 2), Arrays.copyOfRange(batch, batch.length / 2, batch.length)});

        for (Serializer<NpyArray> serializer : List.of(Serializer.npy(), Serializer.json())) {
            for (EndpointPredictor<NpyArray, double[]> predictor : both(serializer, Deserializer.npy())) {
                try (predictor) {
                    assertThat(predictor.predict(tensor)).as(serializer.contentType() + " " + predictor)
                            .containsExactly(expected, within(1e-9));
                }
            }
        }
    }

    @Test
    void badInput_shouldThrowEndpointExceptionWithTheStatusAndMessageOverBothTransports() {
        byte[] truncated = Arrays.copyOf(TestImages.encode(TestImages.gray(64, 64, 3, BufferedImage.TYPE_BYTE_GRAY), "jpeg"), 300);
        for (EndpointPredictor<byte[], List<EndpointPrediction>> predictor : both(Serializer.jpeg(), Deserializer.json())) {
            try (predictor) {
                assertThatThrownBy(() -> predictor.predict(truncated))
                        .isInstanceOf(EndpointException.class)
                        .hasMessageContaining("HTTP 400")
                        .hasMessageContaining("truncated")
                        .satisfies(e -> assertThat(((EndpointException) e).status()).isEqualTo(400));
                assertThatThrownBy(() -> predictor.predict(new byte[0]))
                        .isInstanceOf(EndpointException.class).hasMessageContaining("empty request body");
            }
        }
    }

    @Test
    void invocationsInProcess_shouldAnswerByteForByteLikeTheServer() {
        Invocations direct = Invocations.of(model);
        for (String accept : new String[] {null, "application/x-npy"}) {
            Invocations.Response local = direct.invoke(JPEG, "image/jpeg", accept);
            HttpResponse<byte[]> remote = Http.post(server.port(), "image/jpeg", accept, JPEG);
            assertThat(local.status()).isEqualTo(remote.statusCode());
            assertThat(local.body()).isEqualTo(remote.body());
        }
        Invocations.Response refused = direct.invoke(JPEG, "text/plain", null);
        assertThat(refused.status()).isEqualTo(415);
        assertThat(refused.text()).contains("unsupported Content-Type 'text/plain'");
        assertThat(direct.invoke(JPEG, "image/jpeg", "text/html").status()).isEqualTo(406);
    }

    @Test
    void unreachableEndpoint_shouldThrowWithoutStatus() throws Exception {
        int freePort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            freePort = socket.getLocalPort();
        }
        try (EndpointPredictor<byte[], List<EndpointPrediction>> predictor = EndpointPredictor.builder()
                .http(URI.create("http://127.0.0.1:" + freePort + "/invocations")).timeout(Duration.ofSeconds(2)).build()) {
            assertThatThrownBy(() -> predictor.predict(JPEG))
                    .isInstanceOf(EndpointException.class)
                    .hasMessageContaining("cannot reach the endpoint")
                    .satisfies(e -> assertThat(((EndpointException) e).status()).isEqualTo(-1));
        }
    }

    @Test
    void builderWithoutTransport_shouldNameIt() {
        assertThatThrownBy(() -> EndpointPredictor.builder().build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("transport:");
        assertThatThrownBy(() -> EndpointPredictor.builder().http(URI.create("ftp://x/invocations")).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("http:");
    }
}
