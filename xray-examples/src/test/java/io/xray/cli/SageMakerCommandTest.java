package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SageMakerCommandTest {

    static final String[] SETTINGS = {"--region", "eu-west-1", "--role", "arn:aws:iam::123456789012:role/xray",
        "--bucket", "xray-test-bucket", "--image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0",
        "--train", "s3://xray-data/chest_xray/"};

    @Test
    void nothingConfigured_shouldListEverySettingThatIsMissingAndSpendNothing() {
        CliRun run = CliRun.run("sagemaker", "train");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("xray: sagemaker: SageMaker training not started, nothing was spent; missing:")
                .contains("an execution role: --role or XRAY_SAGEMAKER_ROLE", "the xray image: --image or XRAY_SAGEMAKER_IMAGE",
                        "the training data: --train", "a bucket: --bucket");
    }

    @Test
    void deployAndBatchWithoutTheirInputs_shouldSayWhatIsMissing(@TempDir Path folder) {
        CliRun deploy = CliRun.run("sagemaker", "deploy", "--region", "eu-west-1", "--role",
                "arn:aws:iam::123456789012:role/xray", "--image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0");

        assertThat(deploy.status()).isEqualTo(2);
        assertThat(deploy.err()).startsWith("xray: sagemaker: SageMaker deployment not started, nothing was spent; missing:")
                .contains("the model: --model s3://").doesNotContain("--train", "--role or");

        CliRun batch = CliRun.run("sagemaker", "batch", "--local-output", folder.toString());

        assertThat(batch.status()).isEqualTo(2);
        assertThat(batch.err()).contains("SageMaker batch transform not started", "an execution role", "the xray image",
                "the model: --model", "the images: --input", "where results go: --output");
    }

    @Test
    void dryRun_shouldPrintTheRequestWithTheRecipeAsStringsWithoutCredentials() {
        CliRun run = CliRun.run(concat(SETTINGS, "sagemaker", "train", "--dry-run", "--preset", "quickstart",
                "--hp", "epochs=5", "--spot-max-wait-hours", "30"));

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("CreateTrainingJobRequest(").contains("epochs=5", "EnableManagedSpotTraining=true",
                "validation:best_f1", "s3://xray-data/chest_xray/", "MaxWaitTimeInSeconds=108000");
    }

    @Test
    void badHyperparameter_shouldNameIt() {
        CliRun run = CliRun.run(concat(SETTINGS, "sagemaker", "train", "--dry-run", "--hp", "epochs=many"));

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("xray: ").contains("epochs", "many");
    }

    @Test
    void tune_shouldRunEachTrialAsATrainingJobAndPrintTheBest(@TempDir Path folder) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> created = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
            Object reply;
            if (target.endsWith("CreateTrainingJob")) {
                created.add(request);
                reply = Map.of("TrainingJobArn", "arn:" + request.get("TrainingJobName").asText());
            } else if (target.endsWith("DescribeTrainingJob")) {
                String job = request.get("TrainingJobName").asText();
                double f1 = job.contains("-t001-") ? 0.81 : 0.86;
                reply = Map.of("TrainingJobName", job, "TrainingJobArn", "arn:" + job, "TrainingJobStatus", "Completed",
                        "SecondaryStatus", "Completed", "CreationTime", 1.7644e9,
                        "ModelArtifacts", Map.of("S3ModelArtifacts", "s3://xray-test-bucket/" + job + "/output/model.tar.gz"),
                        "FinalMetricDataList", List.of(Map.of("MetricName", "validation:f1", "Value", f1, "Timestamp", 1.7644e9),
                                Map.of("MetricName", "epoch", "Value", 4, "Timestamp", 1.7644e9)));
            } else if (target.endsWith("DescribeLogStreams")) {
                reply = Map.of("logStreams", List.of());
            } else {
                reply = Map.of("__type", "UnknownOperationException", "message", target);
            }
            byte[] body = json.writeValueAsBytes(reply);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(reply instanceof Map<?, ?> m && m.containsKey("__type") ? 400 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String key = System.setProperty("aws.accessKeyId", "AKIDCLI");
        String secret = System.setProperty("aws.secretAccessKey", "cli-secret");
        try {
            String address = "http://127.0.0.1:" + server.getAddress().getPort();
            CliRun run = CliRun.run(concat(SETTINGS, "sagemaker", "tune", "--param", "learning-rate=log:0.0001:0.1",
                    "--trials", "2", "--parallel-jobs", "1", "--strategy", "random", "--out", folder.toString(),
                    "--poll-seconds", "0.01", "--sagemaker-endpoint", address, "--logs-endpoint", address));

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(created).hasSize(2);
            assertThat(created.get(0).get("HyperParameters").get("learning-rate").isTextual()).isTrue();
            assertThat(run.out()).contains("trial 1/2", "trial 2/2", "COMPLETED")
                    .contains("best: trial 2 ").contains("validation:f1 0.86 at epoch 4").doesNotContain("cli-secret");
        } finally {
            restore("aws.accessKeyId", key);
            restore("aws.secretAccessKey", secret);
            server.stop(0);
        }
    }

    private static String[] concat(String[] settings, String... command) {
        String[] all = new String[command.length + settings.length];
        System.arraycopy(command, 0, all, 0, command.length);
        System.arraycopy(settings, 0, all, command.length, settings.length);
        return all;
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }
}
