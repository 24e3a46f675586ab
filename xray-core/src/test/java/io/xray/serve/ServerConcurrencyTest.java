package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import io.xray.codec.Npy;
import io.xray.codec.NpyArray;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Servers with special configurations: loading, batching, a full queue, a slow model, slow clients, shutdown. */
@Timeout(30)
class ServerConcurrencyTest {

    private static final int CROP = MeanPixelModel.CROP;
    private static final byte[] TENSOR = Npy.write(NpyArray.ofFloats(new float[3 * CROP * CROP], 3, CROP, CROP));

    private static ModelServer.Builder loopback(InferenceModel model) {
        return ModelServer.builder().model(model).host("127.0.0.1").port(0);
    }

    private static CompletableFuture<HttpResponse<byte[]>> postAsync(int port, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-npy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return Http.CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertHealthy(int port) {
        assertThat(Http.get(port, "/ping").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> valid = Http.post(port, "application/x-npy", null, TENSOR);
        assertThat(valid.statusCode()).isEqualTo(200);
        assertThat(Http.json(valid).get("predictions").get(0).get("probability").asDouble()).isEqualTo(0.5);
    }

    @Test
    void pingBeforeTheModelIsLoaded_shouldBe503ThenTurn200() throws Exception {
        CountDownLatch loaded = new CountDownLatch(1);
        MeanPixelModel model = new MeanPixelModel();
        try (ModelServer server = ModelServer.builder().host("127.0.0.1").port(0)
                .modelLoader(() -> {
                    loaded.await(10, TimeUnit.SECONDS);
                    return model;
                }).build().start()) {
            int port = server.port();
            HttpResponse<byte[]> ping = Http.get(port, "/ping");
            assertThat(ping.statusCode()).isEqualTo(503);
            assertThat(Http.json(ping).get("message").asText()).contains("loading");
            assertThat(Http.post(port, "application/x-npy", null, TENSOR).statusCode()).isEqualTo(503);

            loaded.countDown();
            assertThat(server.awaitReady(Duration.ofSeconds(5))).isTrue();
            assertHealthy(port);
        }
        assertThat(model.closed).as("a model from the loader is owned and closed by the server").isTrue();
    }

    @Test
    void modelThatFailsToLoad_shouldKeepPingAt503WithTheReason() throws Exception {
        try (ModelServer server = ModelServer.builder().host("127.0.0.1").port(0)
                .modelLoader(() -> {
                    throw new IllegalStateException("weights missing");
                }).build().start()) {
            assertThat(server.awaitReady(Duration.ofSeconds(5))).isFalse();
            HttpResponse<byte[]> ping = Http.get(server.port(), "/ping");
            assertThat(ping.statusCode()).isEqualTo(503);
            assertThat(Http.json(ping).get("message").asText()).contains("weights missing");
        }
    }

    @Test
    void concurrentRequests_shouldBeGroupedIntoModelBatches() throws Exception {
        MeanPixelModel model = new MeanPixelModel(null, 40);
        try (ModelServer server = loopback(model).maxBatchSize(8).maxBatchDelay(Duration.ofMillis(20)).build().start()) {
            List<CompletableFuture<HttpResponse<byte[]>>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(postAsync(server.port(), TENSOR));
            }
            for (CompletableFuture<HttpResponse<byte[]>> future : futures) {
                assertThat(future.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }

            assertThat(Collections.max(model.batchSizes)).isGreaterThan(1).isLessThanOrEqualTo(8);
            assertThat(model.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(16);
            assertThat(server.largestBatch()).isEqualTo(Collections.max(model.batchSizes));
            String metrics = new String(Http.get(server.port(), "/metrics").body(), StandardCharsets.UTF_8);
            double maxBatch = metrics.lines().filter(l -> l.startsWith("xray_batch_size_images_max"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
            assertThat(maxBatch).isGreaterThan(1);
        }
    }

    @Test
    void sixtyFourRequestsAgainstAQueueOfEight_shouldAnswer503WithRetryAfterAndStayHealthy() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        MeanPixelModel model = new MeanPixelModel(gate, 0);
        try (ModelServer server = loopback(model).maxBatchSize(1).queueCapacity(8).build().start()) {
            List<CompletableFuture<HttpResponse<byte[]>>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                futures.add(postAsync(server.port(), TENSOR));
            }
            // Every refused request is answered while the model is still blocked.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (futures.stream().filter(CompletableFuture::isDone).count() < 64 - 10 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            gate.countDown();
            int ok = 0;
            int refused = 0;
            for (CompletableFuture<HttpResponse<byte[]>> future : futures) {
                HttpResponse<byte[]> response = future.get(20, TimeUnit.SECONDS);
                if (response.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(response.statusCode()).isEqualTo(503);
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                    assertThat(Http.json(response).get("message").asText()).contains("queue is full");
                    refused++;
                }
            }
            assertThat(ok).isBetween(9, 10);
            assertThat(ok + refused).isEqualTo(64);
            assertThat(new String(Http.get(server.port(), "/metrics").body(), StandardCharsets.UTF_8))
                    .contains("xray_queue_rejections_total " + refused + ".0");
            assertHealthy(server.port());
        }
    }

    @Test
    void slowModel_shouldBeAnsweredWith503BeforeTheRequestTimeout() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (ModelServer server = loopback(new MeanPixelModel(gate, 0))
                .requestTimeout(Duration.ofMillis(500)).build().start()) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = Http.post(server.port(), "application/x-npy", null, TENSOR);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(Http.json(response).get("message").asText()).contains("did not answer within 500 ms");
            assertThat(millis).isBetween(400L, 3000L);
            gate.countDown();
            assertHealthy(server.port());
        }
    }

    @Test
    void clientSendingOneHeaderByteAtATime_shouldBeCutOffAtTheHeaderDeadline() throws Exception {
        try (ModelServer server = loopback(new MeanPixelModel()).headerTimeout(Duration.ofSeconds(1)).build().start();
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] head = "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n".getBytes(StandardCharsets.ISO_8859_1);
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < head.length && !closed; i++) {
                try {
                    out.write(head[i]);
                    out.flush();
                    closed = in.read() == -1;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // the server is still waiting; one more byte
                } catch (IOException reset) {
                    closed = true;
                }
                assertThat(Http.get(server.port(), "/ping").statusCode()).isEqualTo(200);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(closed).as("connection closed by the server").isTrue();
            assertThat(millis).isLessThan(5000);
            assertHealthy(server.port());
        }
    }

    @Test
    void clientStallingInTheBody_shouldBeCutOff() throws Exception {
        // 2 s rather than 1 s: on a busy machine the health check's own request once missed a 1 s deadline
        try (ModelServer server = loopback(new MeanPixelModel()).headerTimeout(Duration.ofSeconds(2)).build().start();
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(8000);
            socket.getOutputStream().write(("POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                    + "Content-Length: 1000\r\n\r\n0123456789").getBytes(StandardCharsets.ISO_8859_1));
            long start = System.nanoTime();
            String response;
            try {
                response = Http.readResponse(socket.getInputStream());
            } catch (IOException reset) {
                response = "";
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(millis).isLessThan(6000);
            if (!response.isEmpty()) {
                assertThat(response).matches("(?s)HTTP/1.1 (400|408).*");
            }
            assertHealthy(server.port());
        }
    }

    @Test
    void close_shouldDrainInFlightRequestsThenRefuseConnections() throws Exception {
        MeanPixelModel model = new MeanPixelModel(null, 500);
        ModelServer server = loopback(model).build().start();
        int port = server.port();
        CompletableFuture<HttpResponse<byte[]>> inFlight = postAsync(port, TENSOR);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (model.batchSizes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        long start = System.nanoTime();
        Thread closer = new Thread(server::close);
        closer.start();
        while (server.isReady()) {
            Thread.sleep(1);
        }
        HttpResponse<byte[]> duringDrain = Http.get(port, "/ping");
        closer.join(10_000);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(duringDrain.statusCode()).isEqualTo(503);
        assertThat(Http.json(duringDrain).get("message").asText()).contains("stopping");
        assertThat(inFlight.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(millis).isLessThan(5000);
        assertThat(model.closed).as("a model passed in is not closed by the server").isFalse();
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            }
        }).isInstanceOf(ConnectException.class);
        server.close(); // idempotent
    }

    @Test
    void builder_shouldNameTheBadField() {
        MeanPixelModel model = new MeanPixelModel();
        assertThatThrownBy(() -> ModelServer.builder().build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("model:");
        assertThatThrownBy(() -> loopback(model).requestTimeout(Duration.ofSeconds(60)).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).field()).isEqualTo("requestTimeout"));
        assertThatThrownBy(() -> loopback(model).shutdownTimeout(Duration.ofSeconds(31)).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("shutdownTimeout:");
        assertThatThrownBy(() -> loopback(model).port(70000).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("port:");
        assertThatThrownBy(() -> loopback(model).queueCapacity(0).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("queueCapacity:");
    }
}
