package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.InvalidConfigurationException;
import io.xray.train.TrainingRecipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The estimator and the training job against a loopback stub speaking SageMaker's JSON 1.1. */
class TrainingJobTest {

    static final String JOB = "xray-test-2026-11-29-12-00-00-000";
    static final String IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0";

    final AwsStub stub = new AwsStub();
    final SageMakerSession session = stub.session(4);

    @AfterEach
    void close() {
        session.close();
        stub.close();
    }

    SageMakerEstimator.Builder estimator() {
        return SageMakerEstimator.builder(session)
                .imageUri(IMAGE)
                .instanceType("ml.g5.xlarge")
                .volumeSizeGb(50)
                .maxRuntime(Duration.ofHours(2))
                .recipe(TrainingRecipe.quickstart().withHyperparameters(Map.of("epochs", "7", "learning-rate", "0.003")))
                .channel("train", "s3://xray-data/chest_xray/")
                .channel("validation", "s3://xray-data/val/");
    }

    static Map<String, Object> describe(String status, String secondary, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("TrainingJobName", JOB);
        body.put("TrainingJobArn", "arn:aws:sagemaker:eu-west-1:123456789012:training-job/" + JOB);
        body.put("TrainingJobStatus", status);
        body.put("SecondaryStatus", secondary);
        body.put("CreationTime", 1.7644e9);
        body.put("AlgorithmSpecification", Map.of("TrainingImage", IMAGE, "TrainingInputMode", "File"));
        body.put("ResourceConfig", Map.of("InstanceType", "ml.g5.xlarge", "InstanceCount", 1, "VolumeSizeInGB", 50));
        body.put("StoppingCondition", Map.of("MaxRuntimeInSeconds", 7200));
        body.put("SecondaryStatusTransitions", List.of(Map.of("Status", secondary, "StartTime", 1.7644e9,
                "StatusMessage", secondary + " (stub)")));
        body.putAll(extra);
        return body;
    }

    @Test
    void fit_shouldSendTheRecipeAsStringsWithMetricDefinitionsSpotAndCheckpoints() {
        stub.on("CreateTrainingJob", AwsStub.Reply.json(Map.of("TrainingJobArn",
                "arn:aws:sagemaker:eu-west-1:123456789012:training-job/" + JOB)));
        SageMakerEstimator estimator = estimator().managedSpot(Duration.ofHours(5)).build();

        TrainingJob job = estimator.fit(JOB);

        assertThat(job.arn()).endsWith("training-job/" + JOB);
        AwsStub.Request request = stub.requests("CreateTrainingJob").get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.header("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(request.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDSTUB/")
                .doesNotContain("stub-secret");
        JsonNode body = request.json();
        assertThat(body.get("TrainingJobName").asText()).isEqualTo(JOB);
        assertThat(body.get("RoleArn").asText()).isEqualTo("arn:aws:iam::123456789012:role/xray-sagemaker");
        Map<String, String> sent = new LinkedHashMap<>();
        body.get("HyperParameters").fields().forEachRemaining(e -> {
            assertThat(e.getValue().isTextual()).as(e.getKey() + " is sent as a string").isTrue();
            sent.put(e.getKey(), e.getValue().asText());
        });
        assertThat(sent).isEqualTo(estimator.recipe().toHyperparameters()).containsEntry("epochs", "7")
                .containsEntry("learning-rate", "0.003");
        assertThat(TrainingRecipe.fromHyperparameters(sent)).isEqualTo(estimator.recipe());
        JsonNode algorithm = body.get("AlgorithmSpecification");
        assertThat(algorithm.get("TrainingImage").asText()).isEqualTo(IMAGE);
        assertThat(algorithm.get("TrainingInputMode").asText()).isEqualTo("File");
        Map<String, String> metrics = new LinkedHashMap<>();
        algorithm.get("MetricDefinitions").forEach(m -> metrics.put(m.get("Name").asText(), m.get("Regex").asText()));
        assertThat(metrics).isEqualTo(TrainingMetrics.regexes()).containsKey(TrainingMetrics.BEST_VALIDATION_F1);
        assertThat(body.get("ResourceConfig").toString())
                .isEqualTo("{\"InstanceType\":\"ml.g5.xlarge\",\"InstanceCount\":1,\"VolumeSizeInGB\":50}");
        assertThat(body.get("StoppingCondition").get("MaxRuntimeInSeconds").asInt()).isEqualTo(7200);
        assertThat(body.get("StoppingCondition").get("MaxWaitTimeInSeconds").asInt()).isEqualTo(18000);
        assertThat(body.get("EnableManagedSpotTraining").asBoolean()).isTrue();
        assertThat(body.get("CheckpointConfig").get("S3Uri").asText())
                .isEqualTo("s3://xray-test-bucket/xray/checkpoints/" + JOB);
        assertThat(body.get("CheckpointConfig").get("LocalPath").asText()).isEqualTo("/opt/ml/checkpoints");
        assertThat(body.get("OutputDataConfig").get("S3OutputPath").asText()).isEqualTo("s3://xray-test-bucket/xray/training");
        List<String> channels = new ArrayList<>();
        body.get("InputDataConfig").forEach(c -> channels.add(c.get("ChannelName").asText() + "="
                + c.get("DataSource").get("S3DataSource").get("S3Uri").asText()));
        assertThat(channels).containsExactly("train=s3://xray-data/chest_xray/", "validation=s3://xray-data/val/");
    }

    @Test
    void fit_withoutSpot_shouldSendNoSpotSettings() {
        stub.on("CreateTrainingJob", AwsStub.Reply.json(Map.of("TrainingJobArn", "arn:x")));

        estimator().build().fit(JOB);

        JsonNode body = stub.requests("CreateTrainingJob").get(0).json();
        assertThat(body.has("EnableManagedSpotTraining")).isFalse();
        assertThat(body.has("CheckpointConfig")).isFalse();
        assertThat(body.has("ProfilerConfig")).isFalse();
        assertThat(body.get("StoppingCondition").has("MaxWaitTimeInSeconds")).isFalse();
    }

    @Test
    void systemMetrics_shouldSendAProfilerConfig() {
        stub.on("CreateTrainingJob", AwsStub.Reply.json(Map.of("TrainingJobArn", "arn:x")));

        estimator().systemMetrics(Duration.ofMillis(500)).build().fit(JOB);

        JsonNode profiler = stub.requests("CreateTrainingJob").get(0).json().get("ProfilerConfig");
        assertThat(profiler.get("ProfilingIntervalInMilliseconds").asLong()).isEqualTo(500);
        assertThat(profiler.get("S3OutputPath").asText()).isEqualTo("s3://xray-test-bucket/xray/training");
        assertField(() -> estimator().systemMetrics(Duration.ofSeconds(2)).build(), "systemMetrics", "not PT2S");
    }

    @Test
    void waitForCompletion_throughThrottling_shouldRetryAndReturnTheModelAndFinalMetrics() {
        stub.on("DescribeTrainingJob",
                AwsStub.Reply.error(400, "ThrottlingException", "Rate exceeded"),
                AwsStub.Reply.error(400, "ThrottlingException", "Rate exceeded"),
                AwsStub.Reply.json(describe("InProgress", "Training", Map.of())),
                AwsStub.Reply.error(400, "ThrottlingException", "Rate exceeded"),
                AwsStub.Reply.json(describe("InProgress", "Training", Map.of())),
                AwsStub.Reply.json(describe("Completed", "Completed", Map.of(
                        "ModelArtifacts", Map.of("S3ModelArtifacts", "s3://xray-test-bucket/xray/training/" + JOB
                                + "/output/model.tar.gz"),
                        "FinalMetricDataList", List.of(
                                Map.of("MetricName", TrainingMetrics.BEST_VALIDATION_F1, "Value", 0.9412, "Timestamp", 1.7644e9),
                                Map.of("MetricName", TrainingMetrics.VALIDATION_LOSS, "Value", 0.21, "Timestamp", 1.7644e9)),
                        "TrainingTimeInSeconds", 600, "BillableTimeInSeconds", 240))));
        List<TrainingJobProgress> progress = new ArrayList<>();

        TrainingJobResult result = TrainingJob.attach(session, JOB)
                .waitForCompletion(Duration.ofMillis(5), Duration.ofSeconds(20), progress::add);

        assertThat(result.modelArtifacts()).endsWith(JOB + "/output/model.tar.gz");
        assertThat(result.metric(TrainingMetrics.BEST_VALIDATION_F1)).hasValue(0.9412);
        assertThat(result.billableSeconds()).isEqualTo(240);
        assertThat(progress).extracting(TrainingJobProgress::status).containsExactly("InProgress", "Completed");
        assertThat(progress.get(0).message()).isEqualTo("Training (stub)");
        assertThat(stub.requests("DescribeTrainingJob")).hasSize(6);
        assertThat(stub.requests("DescribeTrainingJob").get(0).json().get("TrainingJobName").asText()).isEqualTo(JOB);
    }

    @Test
    void waitForCompletion_ofAStoppedJob_shouldFailNotSucceed() {
        stub.on("DescribeTrainingJob",
                AwsStub.Reply.json(describe("InProgress", "Training", Map.of())),
                AwsStub.Reply.json(describe("Stopping", "Stopping", Map.of())),
                AwsStub.Reply.json(describe("Stopped", "Stopped", Map.of(
                        "ModelArtifacts", Map.of("S3ModelArtifacts", "s3://xray-test-bucket/partial.tar.gz")))));

        assertThatThrownBy(() -> TrainingJob.attach(session, JOB).waitForCompletion(Duration.ofMillis(5), null, p -> { }))
                .isInstanceOfSatisfying(TrainingJobFailedException.class, e -> {
                    assertThat(e.status()).isEqualTo("Stopped");
                    assertThat(e.jobName()).isEqualTo(JOB);
                })
                .hasMessageContaining("ended Stopped")
                .hasMessageContaining("no model");
    }

    @Test
    void waitForCompletion_ofAFailedJob_shouldSurfaceTheFailureReason() {
        stub.on("DescribeTrainingJob", AwsStub.Reply.json(describe("Failed", "Failed", Map.of(
                "FailureReason", "AlgorithmError: learning-rate: 'fast' is not valid: expected a number"))));

        assertThatThrownBy(() -> TrainingJob.attach(session, JOB).waitForCompletion(Duration.ofMillis(5), null, p -> { }))
                .isInstanceOfSatisfying(TrainingJobFailedException.class, e -> assertThat(e.failureReason())
                        .hasValue("AlgorithmError: learning-rate: 'fast' is not valid: expected a number"))
                .hasMessageContaining("ended Failed: AlgorithmError: learning-rate");
    }

    @Test
    void describe_ofAMissingJob_shouldSayWhatSageMakerAnswered() {
        stub.on("DescribeTrainingJob", AwsStub.Reply.error(400, "ValidationException", "Requested resource not found."));

        assertThatThrownBy(() -> TrainingJob.attach(session, JOB).describe())
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("DescribeTrainingJob (" + JOB + ") failed: ValidationException: Requested resource not found.");
        assertThat(stub.requests("DescribeTrainingJob")).hasSize(1); // not retried
    }

    @Test
    void fit_withoutPermission_shouldNameThePermission() {
        stub.on("CreateTrainingJob", AwsStub.Reply.error(400, "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sagemaker:CreateTrainingJob"));

        assertThatThrownBy(() -> estimator().build().fit(JOB))
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("AccessDeniedException")
                .hasMessageContaining("lacks the IAM permission sagemaker:CreateTrainingJob");
    }

    @Test
    void throttlingBeyondTheAttempts_shouldFailAfterMaxAttempts() {
        stub.on("DescribeTrainingJob", AwsStub.Reply.error(400, "ThrottlingException", "Rate exceeded"));

        assertThatThrownBy(() -> TrainingJob.attach(session, JOB).describe())
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("ThrottlingException")
                .hasMessageContaining("still throttled");
        assertThat(stub.requests("DescribeTrainingJob")).hasSize(4);
    }

    @Test
    void build_shouldNameTheBadField() {
        assertField(() -> estimator().managedSpot(Duration.ofHours(1)).build(), "managedSpot", "at least maxRuntime");
        assertField(() -> estimator().imageUri(null).build(), "imageUri", "must be set");
        assertField(() -> estimator().instanceType("m5.xlarge").build(), "instanceType", "m5.xlarge");
        assertField(() -> estimator().instanceCount(2).build(), "instanceCount", "one instance");
        assertField(() -> estimator().volumeSizeGb(0).build(), "volumeSizeGb", "1 to 16384");
        assertField(() -> estimator().maxRuntime(Duration.ofDays(29)).build(), "maxRuntime", "28 days");
        assertField(() -> estimator().channel("train", "https://x/y").build(), "channel train", "not an S3 URI");
        assertField(() -> SageMakerEstimator.builder(session).imageUri(IMAGE).build(), "channel", "'train' channel");
        assertField(() -> estimator().build().createRequest("a".repeat(64)), "jobName", "at most 63");
        assertField(() -> estimator().build().createRequest("bad_name"), "jobName", "pattern");
        try (SageMakerSession noRole = SageMakerSession.builder().region(software.amazon.awssdk.regions.Region.EU_WEST_1)
                .defaultBucket("b-1-2").build()) {
            assertField(() -> SageMakerEstimator.builder(noRole).imageUri(IMAGE).channel("train", "s3://b-1-2/x").build(),
                    "roleArn", "execution role");
        }
    }

    static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field, String part) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidConfigurationException.class,
                e -> assertThat(e.field()).isEqualTo(field)).hasMessageContaining(part);
    }
}
