package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.InvalidConfigurationException;
import io.xray.model.Classifier;
import io.xray.predict.EndpointPrediction;
import io.xray.predict.EndpointPredictor;
import io.xray.serve.ModelServer;
import io.xray.serve.ServerEnvironment;
import io.xray.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The train and serve entrypoints on a temporary /opt/ml tree, with a real tiny training run. */
class SageMakerContainerTest {

    @TempDir
    static Path trained;
    static OptMlTree.Console console = new OptMlTree.Console();
    static int trainStatus;

    @BeforeAll
    static void train() {
        OptMlTree.write(trained, OptMlTree.tinyHyperparameters(2));
        trainStatus = SageMakerContainer.run(new String[] {"train", "--opt-ml", trained.toString()}, Map.of(),
                console.stream, false);
    }

    @Test
    void train_shouldPrintEveryEpochAndWriteModelAndCheckpoints() {
        assertThat(trainStatus).as(console.text()).isZero();
        List<String> epochs = console.lines().stream().filter(l -> l.startsWith("Val_epoch ")).toList();
        assertThat(epochs).hasSize(2);
        assertThat(epochs.get(0)).startsWith("Val_epoch 1: Val_loss=").contains("Best_val_f1=");
        assertThat(epochs.get(1)).startsWith("Val_epoch 2: ");
        assertThat(trained.resolve("model/model.json")).isRegularFile();
        assertThat(trained.resolve("checkpoints/checkpoint.json")).isRegularFile();
        assertThat(trained.resolve("output/failure")).doesNotExist();
    }

    @Test
    void trainedModel_shouldRecordTheRecipeFromHyperparametersJson() throws Exception {
        JsonNode model = OptMlTree.JSON.readTree(trained.resolve("model/model.json").toFile());
        assertThat(model.toString()).contains("scratch:4,8,16,32");
        assertThat(model.findValue("hyperparameters").get("epochs").asText()).isEqualTo("2");
    }

    @Test
    void serve_shouldPingAndAnswerInvocationsWithTheClassifiersProbability() throws Exception {
        byte[] jpeg = TestImages.jpeg();
        double expected;
        try (Classifier classifier = Classifier.load(trained.resolve("model"))) {
            expected = classifier.predict(jpeg).probability();
        }
        try (ModelServer server = SageMakerContainer.serve(trained, Map.of(ServerEnvironment.BIND_TO_PORT, "0"))) {
            assertThat(server.awaitReady(Duration.ofSeconds(30))).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> ping = http.send(HttpRequest.newBuilder(URI.create(base + "/ping")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> invocation = http.send(HttpRequest.newBuilder(URI.create(base + "/invocations"))
                    .header("Content-Type", "image/jpeg")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(ping.statusCode()).isEqualTo(200);
            assertThat(invocation.statusCode()).as(invocation.body()).isEqualTo(200);
            double probability = OptMlTree.JSON.readTree(invocation.body()).get("predictions").get(0).get("probability").asDouble();
            assertThat(probability).isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void runtimeClient_shouldReachTheServeEntrypointAndGetTheClassifiersProbability() throws Exception {
        byte[] jpeg = TestImages.jpeg();
        double expected;
        try (Classifier classifier = Classifier.load(trained.resolve("model"))) {
            expected = classifier.predict(jpeg).probability();
        }
        try (ModelServer server = SageMakerContainer.serve(trained, Map.of(ServerEnvironment.BIND_TO_PORT, "0"));
                SageMakerSession session = SageMakerSession.builder()
                        .region(Region.EU_WEST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
                        .runtimeEndpoint(URI.create("http://127.0.0.1:" + server.port()))
                        .build();
                EndpointPredictor<byte[], List<EndpointPrediction>> predictor = EndpointPredictor.builder()
                        .transport(SageMakerRuntimeTransport.of(session.runtime(), "xray-local"))
                        .build()) {
            assertThat(server.awaitReady(Duration.ofSeconds(30))).isTrue();

            EndpointPrediction prediction = predictor.predict(jpeg).get(0);

            assertThat(prediction.probability()).isCloseTo(expected, within(1e-6));
            assertThat(prediction.label()).isEqualTo(expected >= prediction.threshold() ? "PNEUMONIA" : "NORMAL");
        }
    }

    @Test
    void runtimeClient_withAnUnsupportedType_shouldSayWhatTheServerAnswered() {
        try (ModelServer server = SageMakerContainer.serve(trained, Map.of(ServerEnvironment.BIND_TO_PORT, "0"));
                SageMakerSession session = SageMakerSession.builder()
                        .region(Region.EU_WEST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
                        .runtimeEndpoint(URI.create("http://127.0.0.1:" + server.port()))
                        .build()) {
            SageMakerRuntimeTransport transport = SageMakerRuntimeTransport.of(session.runtime(), "xray-local");

            assertThatThrownBy(() -> transport.invoke("x".getBytes(StandardCharsets.UTF_8), "text/html", "application/json"))
                    .isInstanceOf(SageMakerEndpointException.class)
                    .hasMessageContaining("415")
                    .hasMessageContaining("text/html");
        }
    }

    @Test
    void serve_withoutAModelFolder_shouldNameIt(@TempDir Path empty) {
        assertThatThrownBy(() -> SageMakerContainer.serve(empty, Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("model: ")
                .hasMessageContaining("model.tar.gz");
    }

    @Test
    void badHyperparameter_shouldWriteAFailureFileNamingItAndExitNonZero(@TempDir Path root) throws Exception {
        Map<String, String> hyperparameters = new LinkedHashMap<>(OptMlTree.tinyHyperparameters(2));
        hyperparameters.put("learning-rate", "\"fast\"");
        OptMlTree.write(root, hyperparameters);
        OptMlTree.Console out = new OptMlTree.Console();

        int status = SageMakerContainer.run(new String[] {"train", "--opt-ml", root.toString()}, Map.of(), out.stream, false);

        assertThat(status).isEqualTo(1);
        String failure = Files.readString(root.resolve("output/failure"));
        String reason = failure.substring(0, Math.min(failure.length(), SageMakerContainer.FAILURE_REASON_LIMIT));
        assertThat(reason.lines().findFirst().orElseThrow()).startsWith("learning-rate: ").contains("'fast'");
        assertThat(out.text()).contains("Training failed: learning-rate");
        try (Stream<Path> model = Files.list(root.resolve("model"))) {
            assertThat(model).isEmpty();
        }
    }

    @Test
    void unknownHyperparameter_shouldBeNamedInTheFailureFile(@TempDir Path root) throws Exception {
        Map<String, String> hyperparameters = new LinkedHashMap<>(OptMlTree.tinyHyperparameters(2));
        hyperparameters.put("lr", "0.1");
        OptMlTree.write(root, hyperparameters);

        int status = SageMakerContainer.run(new String[] {"train", "--opt-ml", root.toString()}, Map.of(),
                new OptMlTree.Console().stream, false);

        assertThat(status).isEqualTo(1);
        assertThat(Files.readString(root.resolve("output/failure"))).startsWith("lr: ");
    }

    @Test
    void missingTrainChannel_shouldNameTheChannel(@TempDir Path root) throws Exception {
        OptMlTree.write(root, OptMlTree.tinyHyperparameters(1));
        try (Stream<Path> files = Files.walk(root.resolve("input/data"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }

        int status = SageMakerContainer.run(new String[] {"train", "--opt-ml", root.toString()}, Map.of(),
                new OptMlTree.Console().stream, false);

        assertThat(status).isEqualTo(1);
        assertThat(Files.readString(root.resolve("output/failure"))).startsWith("channel train: ");
    }

    @Test
    void failureReason_shouldPutALongCauseFirstAndCutItAtTheLimit(@TempDir Path root) throws Exception {
        SageMakerContainer.writeFailure(root, new IllegalStateException("x".repeat(5000)));

        String failure = Files.readString(root.resolve("output/failure"));
        assertThat(failure).startsWith("java.lang.IllegalStateException: xxx");
        assertThat(failure.indexOf('\n')).isEqualTo(SageMakerContainer.FAILURE_REASON_LIMIT);
        assertThat(failure.substring(0, SageMakerContainer.FAILURE_REASON_LIMIT)).endsWith("...");
        assertThat(failure).contains("at io.xray.sagemaker");
    }

    @Test
    void badCommandLine_shouldExitWithUsage() {
        OptMlTree.Console out = new OptMlTree.Console();

        assertThat(SageMakerContainer.run(new String[] {"fit"}, Map.of(), out.stream, false)).isEqualTo(2);
        assertThat(out.text()).contains("usage: (train | serve)");
    }
}
