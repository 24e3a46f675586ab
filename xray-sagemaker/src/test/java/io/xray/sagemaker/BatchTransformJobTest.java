package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.batch.BatchResult;
import io.xray.batch.BatchTransformer;
import io.xray.codec.PredictionsJson;
import io.xray.metrics.BinaryMetrics;
import io.xray.model.Classifier;
import io.xray.model.Prediction;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;

/**
 * A batch transform job: the control plane is a JSON 1.1 stub, S3 is S3Proxy, and the results the
 * job "wrote" are the real tiny model's answers, so the collected result can be compared with the
 * local BatchTransformer's on the same images.
 */
class BatchTransformJobTest {

    static final String NAME = "xray-batch-2026-11-29-12-00-00-000";

    @TempDir
    Path temp;
    AwsStub stub;
    LocalS3 s3;
    SageMakerSession session;
    Path images;

    @BeforeEach
    void start() throws Exception {
        stub = new AwsStub();
        s3 = new LocalS3();
        session = SageMakerSession.builder()
                .region(Region.US_EAST_1) // S3Proxy's in-memory store takes no location constraint
                .roleArn("arn:aws:iam::123456789012:role/xray-sagemaker")
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY)))
                .sageMakerEndpoint(stub.uri())
                .s3Endpoint(s3.uri())
                .throttlingBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .build();
        session.s3().createBucket(r -> r.bucket("xray-batch"));
        images = SyntheticXrays.writeImages(temp.resolve("images"), 3, 21);
        try (Classifier classifier = Classifier.load(TinyModels.directory());
                Stream<Path> files = Files.walk(images)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = images.relativize(file).toString().replace('\\', '/');
                session.s3().putObject(r -> r.bucket("xray-batch").key("in/" + relative), RequestBody.fromFile(file));
                // what SageMaker writes for each input: the container's answer, as <input>.out
                Prediction p = classifier.predict(file);
                session.s3().putObject(r -> r.bucket("xray-batch").key("out/" + relative + ".out"),
                        RequestBody.fromBytes(PredictionsJson.write(List.of(p), classifier.modelId())));
            }
        }
        stub.on("CreateModel", AwsStub.Reply.json(Map.of("ModelArn", "arn:m")))
                .on("CreateTransformJob", AwsStub.Reply.json(Map.of("TransformJobArn", "arn:t")))
                .on("DeleteModel", AwsStub.Reply.json(Map.of()));
    }

    @AfterEach
    void stop() throws Exception {
        session.close();
        s3.close();
        stub.close();
    }

    BatchTransformJob job() {
        return BatchTransformJob.builder(session)
                .imageUri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0")
                .modelDataUrl("s3://xray-batch/model/model.tar.gz")
                .input("s3://xray-batch/in/")
                .output("s3://xray-batch/out")
                .contentType("image/png")
                .waiting(Duration.ofMillis(5), Duration.ofSeconds(10))
                .clock(Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC))
                .build();
    }

    static AwsStub.Reply transform(String status, String reason) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("TransformJobName", NAME, "TransformJobArn", "arn:t",
                "TransformJobStatus", status, "ModelName", NAME, "CreationTime", 1.7644e9));
        if (reason != null) {
            body.put("FailureReason", reason);
        }
        return AwsStub.Reply.json(body);
    }

    @Test
    void run_shouldCollectTheResultsAsTheLocalBatchTransformerDoes() {
        stub.on("DescribeTransformJob", transform("InProgress", null), AwsStub.Reply.error(400, "ThrottlingException", "Rate"),
                transform("Completed", null));

        BatchResult remote = job().run(temp.resolve("remote"));
        BatchResult local = BatchTransformer.builder().modelDirectory(TinyModels.directory()).input(images)
                .output(temp.resolve("local")).build().run();

        assertThat(remote.inputs()).isEqualTo(6).isEqualTo(local.inputs());
        assertThat(remote.processed()).isEqualTo(6);
        assertThat(remote.failed()).isZero();
        assertThat(remote.modelId()).isEqualTo(local.modelId());
        BinaryMetrics r = remote.metrics().orElseThrow();
        BinaryMetrics l = local.metrics().orElseThrow();
        assertThat(r.f1()).isCloseTo(l.f1(), within(1e-9));
        assertThat(r.accuracy()).isCloseTo(l.accuracy(), within(1e-9));
        assertThat(r.rocAuc()).isCloseTo(l.rocAuc(), within(1e-9));
        assertThat(temp.resolve("remote/NORMAL")).isDirectory();
        assertThat(temp.resolve("remote/summary.jsonl")).isRegularFile();
        assertThat(temp.resolve("remote/metrics.json")).isRegularFile();

        JsonNode request = stub.requests("CreateTransformJob").get(0).json();
        assertThat(request.get("TransformJobName").asText()).isEqualTo(NAME);
        assertThat(request.get("ModelName").asText()).isEqualTo(NAME);
        assertThat(request.get("BatchStrategy").asText()).isEqualTo("SingleRecord");
        assertThat(request.get("MaxPayloadInMB").asInt()).isEqualTo(6);
        assertThat(request.get("TransformInput").get("ContentType").asText()).isEqualTo("image/png");
        assertThat(request.get("TransformInput").get("DataSource").get("S3DataSource").get("S3Uri").asText())
                .isEqualTo("s3://xray-batch/in/");
        assertThat(request.get("TransformOutput").get("Accept").asText()).isEqualTo("application/json");
        assertThat(stub.requests("CreateModel").get(0).json().get("PrimaryContainer").get("ModelDataUrl").asText())
                .isEqualTo("s3://xray-batch/model/model.tar.gz");
        assertThat(stub.requests("DeleteModel")).hasSize(1);
    }

    @Test
    void missingResult_shouldCountAsFailedNamingTheInput() {
        stub.on("DescribeTransformJob", transform("Completed", null));
        String first = session.s3().listObjectsV2(r -> r.bucket("xray-batch").prefix("out/")).contents().get(0).key();
        session.s3().deleteObject(r -> r.bucket("xray-batch").key(first));

        BatchResult result = job().run(temp.resolve("remote"));

        String input = first.substring("out/".length(), first.length() - ".out".length());
        assertThat(result.failed()).isEqualTo(1);
        assertThat(result.failures().get(0).input()).isEqualTo(input);
        assertThat(result.processed()).isEqualTo(5);
    }

    @Test
    void failedJob_shouldSurfaceTheReasonAndStillDeleteTheModel() {
        stub.on("DescribeTransformJob", transform("InProgress", null),
                transform("Failed", "ClientError: See job logs for more information"));

        assertThatThrownBy(() -> job().run(temp.resolve("remote")))
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("transform job " + NAME + " ended Failed: ClientError");
        assertThat(stub.requests("DeleteModel")).hasSize(1);
    }
}
