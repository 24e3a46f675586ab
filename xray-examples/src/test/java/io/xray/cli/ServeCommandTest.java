package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.image.Preprocessing;
import io.xray.model.Classifier;
import io.xray.serve.InferenceModel;
import io.xray.serve.ModelServer;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xray serve} and {@code xray loadtest} on the shared tiny model made by the real trainer:
 * once in this JVM (port 0, stopped by interrupting its thread) and once as its own process under
 * SageMaker's environment, stopped by SIGTERM.
 */
@Timeout(180)
class ServeCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    static final Pattern READY = Pattern.compile("ready at (http://127\\.0\\.0\\.1:(\\d+))/invocations");

    @TempDir
    static Path temp;

    static Path model;
    static Path jpeg;

    @BeforeAll
    static void tinyModel() throws IOException {
        model = TinyModels.directory();
        jpeg = temp.resolve("chest.jpeg");
        ImageIO.write(SyntheticXrays.image(true, new Random(5)), "jpeg", jpeg.toFile());
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postJpeg(String base) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/invocations"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "image/jpeg")
                        .POST(HttpRequest.BodyPublishers.ofFile(jpeg))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String awaitMatch(StringWriter out, Pattern pattern, Thread serving) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && serving.isAlive()) {
            Matcher matcher = pattern.matcher(out.toString());
            if (matcher.find()) {
                return matcher.group(1);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line matching " + pattern + " in: " + out);
    }

    @Test
    void serveOnPortZero_shouldPingPredictAnswerTheLoadTestAndStopWhenInterrupted() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger status = new AtomicInteger(-1);
        Thread serving = new Thread(() -> status.set(XrayCli.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "serve", "--model", model.toString(), "--host", "127.0.0.1", "--port", "0", "--worker-threads", "2",
                "--max-batch-size", "4", "--max-batch-delay-ms", "2", "--queue-capacity", "16")), "xray-serve-test");
        serving.start();
        String base = awaitMatch(out, READY, serving);

        assertThat(out.toString()).contains("listening on " + base);
        assertThat(get(base + "/ping").statusCode()).isEqualTo(200);
        HttpResponse<String> predicted = postJpeg(base);
        assertThat(predicted.statusCode()).as(predicted.body()).isEqualTo(200);
        JsonNode prediction = JSON.readTree(predicted.body()).get("predictions").get(0);
        try (Classifier classifier = Classifier.load(model)) {
            assertThat(prediction.get("probability").asDouble())
                    .isCloseTo(classifier.predict(jpeg).probability(), org.assertj.core.api.Assertions.within(1e-5));
        }
        assertThat(get(base + "/metrics").body()).contains("process_resident_memory_bytes ");

        StringWriter loadOut = new StringWriter();
        int loadStatus = XrayCli.run(new PrintWriter(loadOut, true), new PrintWriter(new StringWriter(), true),
                "loadtest", "--url", base, "--image", jpeg.toString(), "--concurrency", "3", "--requests", "24",
                "--warmup", "3", "--json");
        assertThat(loadStatus).as(loadOut.toString()).isZero();
        JsonNode load = JSON.readTree(loadOut.toString());
        assertThat(load.get("errors").asInt()).isZero();
        assertThat(load.get("requests").asInt()).isEqualTo(24);
        assertThat(load.get("throughput_rps").asDouble()).isPositive();
        assertThat(load.get("latency_ms").get("p99").asDouble())
                .isGreaterThanOrEqualTo(load.get("latency_ms").get("p50").asDouble());
        assertThat(load.get("rss_before_bytes").asLong()).isGreaterThan(10_000_000L);
        assertThat(load.get("rss_after_bytes").asLong()).isGreaterThan(10_000_000L);
        assertThat(load.get("heap_committed_after_bytes").asLong()).isPositive();

        StringWriter explainOut = new StringWriter();
        int explainStatus = XrayCli.run(new PrintWriter(explainOut, true), new PrintWriter(new StringWriter(), true),
                "loadtest", "--url", base, "--image", jpeg.toString(), "--accept", "image/png", "--concurrency", "2",
                "--requests", "8", "--warmup", "1", "--json");
        assertThat(explainStatus).as(explainOut.toString()).isZero();
        assertThat(JSON.readTree(explainOut.toString()).get("errors").asInt()).isZero();

        serving.interrupt();
        serving.join(30_000);
        assertThat(serving.isAlive()).isFalse();
        assertThat(status.get()).as(err.toString()).isZero();
        assertThatThrownBy(() -> get(base + "/ping")).isInstanceOf(ConnectException.class);
    }

    @Test
    void loadTestRawModel_shouldMeasureBatchedForwardThroughput() throws Exception {
        StringWriter out = new StringWriter();
        int status = XrayCli.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "loadtest", "--raw-model", model.toString(), "--image", jpeg.toString(), "--batch-size", "4",
                "--requests", "10", "--warmup", "4", "--json");

        assertThat(status).as(out.toString()).isZero();
        JsonNode raw = JSON.readTree(out.toString());
        assertThat(raw.get("batch_size").asInt()).isEqualTo(4);
        assertThat(raw.get("batches").asInt()).isEqualTo(3);
        assertThat(raw.get("images").asInt()).isEqualTo(12);
        assertThat(raw.get("images_per_second").asDouble()).isPositive();
    }

    @Test
    void loadTest_shouldRefuseAServerOffThisMachine() {
        StringWriter err = new StringWriter();
        int status = XrayCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "loadtest", "--url", "http://192.0.2.1:8080", "--image", jpeg.toString());

        assertThat(status).isEqualTo(XrayCli.EXIT_USAGE);
        assertThat(err.toString()).contains("--url").contains("loopback");
    }

    @Test
    void serve_shouldNameABadModelDirectoryAndABadEnvironmentVariable() {
        StringWriter err = new StringWriter();
        int status = XrayCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "serve", "--model", temp.resolve("missing").toString(), "--port", "0");
        assertThat(status).isEqualTo(XrayCli.EXIT_USAGE);
        assertThat(err.toString()).contains("model.json");

        ServeCommand command = new ServeCommand(Map.of("SAGEMAKER_MAX_PAYLOAD_IN_MB", "lots"));
        new picocli.CommandLine(command).parseArgs("--model", model.toString());
        assertThatThrownBy(() -> command.configure(ModelServer.builder()))
                .hasMessageContaining("SAGEMAKER_MAX_PAYLOAD_IN_MB");
    }

    @Test
    void serveOptions_shouldWinOverTheEnvironment() throws Exception {
        Map<String, String> environment = Map.of(
                "SAGEMAKER_BIND_TO_PORT", "1",
                "SAGEMAKER_BATCH", "true",
                "SAGEMAKER_MAX_PAYLOAD_IN_MB", "20",
                "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS", "3");
        ServeCommand tooSlow = new ServeCommand(environment);
        new picocli.CommandLine(tooSlow).parseArgs("--model", model.toString(), "--request-timeout-s", "600");
        assertThatThrownBy(() -> tooSlow.configure(ModelServer.builder()).model(new MeanModel()).build())
                .as("--request-timeout-s replaces batch transform's 590 s").hasMessageContaining("requestTimeout");

        ServeCommand command = new ServeCommand(environment);
        new picocli.CommandLine(command).parseArgs("--model", model.toString(), "--host", "127.0.0.1", "--port", "0",
                "--max-payload-mb", "2", "--request-timeout-s", "300");
        try (ModelServer server = command.configure(ModelServer.builder()).model(new MeanModel()).build().start()) {
            assertThat(server.port()).as("--port 0 over SAGEMAKER_BIND_TO_PORT=1").isNotEqualTo(1).isPositive();
            assertThat(server.isBatchMode()).isTrue();
            JsonNode parameters = JSON.readTree(get("http://127.0.0.1:" + server.port() + "/execution-parameters").body());
            assertThat(parameters.get("MaxPayloadInMB").asInt()).as("--max-payload-mb over the environment's 20").isEqualTo(2);
            assertThat(parameters.get("MaxConcurrentTransforms").asInt()).as("from the environment").isEqualTo(3);
        }
    }

    /** A model that needs no network: the probability is the mean of the tensor, squashed. */
    static final class MeanModel implements InferenceModel {
        @Override
        public String modelId() {
            return "mean";
        }

        @Override
        public Preprocessing preprocessing() {
            return SyntheticXrays.preprocessing();
        }

        @Override
        public double threshold() {
            return 0.5;
        }

        @Override
        public double[] predictProbabilities(float[][] chwBatch) {
            double[] probabilities = new double[chwBatch.length];
            for (int i = 0; i < chwBatch.length; i++) {
                double sum = 0;
                for (float v : chwBatch[i]) {
                    sum += v;
                }
                probabilities[i] = 1 / (1 + Math.exp(-sum / chwBatch[i].length));
            }
            return probabilities;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void serveProcess_underSageMakerBatchEnvironment_shouldReflectItAndExitOnSigterm() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Xmx512m", "-cp", classpath,
                "-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
                "io.xray.cli.XrayCli", "serve", "--model", model.toString(), "--host", "127.0.0.1",
                "--worker-threads", "2"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(temp.resolve("serve.out").toFile())
                .redirectError(temp.resolve("serve.err").toFile());
        builder.environment().putAll(Map.of(
                "SAGEMAKER_BIND_TO_PORT", Integer.toString(port),
                "SAGEMAKER_BATCH", "true",
                "SAGEMAKER_MAX_PAYLOAD_IN_MB", "20",
                "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS", "3",
                "SAGEMAKER_BATCH_STRATEGY", "MULTI_RECORD"));
        Process process = builder.start();
        String base = "http://127.0.0.1:" + port;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int ping = 0;
            while (ping != 200 && process.isAlive() && System.nanoTime() < deadline) {
                try {
                    ping = get(base + "/ping").statusCode();
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(ping == 200 ? 0 : 100);
            }
            assertThat(ping).as(Files.readString(temp.resolve("serve.err"))).isEqualTo(200);

            JsonNode parameters = JSON.readTree(get(base + "/execution-parameters").body());
            assertThat(parameters.get("MaxConcurrentTransforms").asInt()).isEqualTo(3);
            assertThat(parameters.get("BatchStrategy").asText()).isEqualTo("MULTI_RECORD");
            assertThat(parameters.get("MaxPayloadInMB").asInt()).isEqualTo(20);
            assertThat(postJpeg(base).statusCode()).isEqualTo(200);
            assertThat(Files.readString(temp.resolve("serve.out"))).contains("batch-transform mode");

            long start = System.nanoTime();
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited within 30 s of SIGTERM").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
            assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
            assertThat(Files.readString(temp.resolve("serve.err"))).contains("model server stopped");
        } finally {
            process.destroyForcibly();
        }
    }
}
