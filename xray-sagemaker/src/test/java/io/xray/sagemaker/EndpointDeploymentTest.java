package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.InvalidConfigurationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deploying and deleting an endpoint against a loopback stub speaking SageMaker's JSON 1.1. */
class EndpointDeploymentTest {

    static final String NAME = "xray-2026-11-29-12-00-00-000";
    static final String IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0";
    static final String MODEL = "s3://xray-test-bucket/xray/training/job/output/model.tar.gz";

    final AwsStub stub = new AwsStub();
    final SageMakerSession session = stub.session(4);

    @AfterEach
    void close() {
        session.close();
        stub.close();
    }

    EndpointDeployment.Builder deployment() {
        return EndpointDeployment.builder(session)
                .imageUri(IMAGE)
                .modelDataUrl(MODEL)
                .instanceType("ml.c5.xlarge")
                .instanceCount(2)
                .timeToLive(Duration.ofHours(6))
                .waiting(Duration.ofMillis(5), Duration.ofSeconds(10))
                .clock(Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC));
    }

    static AwsStub.Reply endpoint(String status, String failureReason) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("EndpointName", NAME, "EndpointArn",
                "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/" + NAME, "EndpointConfigName", NAME,
                "EndpointStatus", status, "CreationTime", 1.7644e9, "LastModifiedTime", 1.7644e9));
        if (failureReason != null) {
            body.put("FailureReason", failureReason);
        }
        return AwsStub.Reply.json(body);
    }

    void acceptCreationAndDeletion() {
        stub.on("CreateModel", AwsStub.Reply.json(Map.of("ModelArn", "arn:aws:sagemaker:eu-west-1:123456789012:model/" + NAME)))
                .on("CreateEndpointConfig", AwsStub.Reply.json(Map.of("EndpointConfigArn", "arn:x")))
                .on("CreateEndpoint", AwsStub.Reply.json(Map.of("EndpointArn", "arn:y")))
                .on("DeleteEndpoint", AwsStub.Reply.json(Map.of()))
                .on("DeleteEndpointConfig", AwsStub.Reply.json(Map.of()))
                .on("DeleteModel", AwsStub.Reply.json(Map.of()));
    }

    @Test
    void deploy_shouldCreateModelConfigAndEndpointWaitForInServiceAndDeleteAllOnClose() {
        acceptCreationAndDeletion();
        stub.on("DescribeEndpoint", endpoint("Creating", null), AwsStub.Reply.error(400, "ThrottlingException", "Rate exceeded"),
                endpoint("Creating", null), endpoint("InService", null));

        try (Endpoint endpoint = deployment().build().deploy()) {
            assertThat(endpoint.name()).isEqualTo(NAME);
            assertThat(stub.requests("DeleteEndpoint")).isEmpty();
        }

        JsonNode model = stub.requests("CreateModel").get(0).json();
        assertThat(model.get("ModelName").asText()).isEqualTo(NAME);
        assertThat(model.get("ExecutionRoleArn").asText()).isEqualTo("arn:aws:iam::123456789012:role/xray-sagemaker");
        assertThat(model.get("PrimaryContainer").get("Image").asText()).isEqualTo(IMAGE);
        assertThat(model.get("PrimaryContainer").get("ModelDataUrl").asText()).isEqualTo(MODEL);
        JsonNode variant = stub.requests("CreateEndpointConfig").get(0).json().get("ProductionVariants").get(0);
        assertThat(variant.get("VariantName").asText()).isEqualTo("AllTraffic");
        assertThat(variant.get("ModelName").asText()).isEqualTo(NAME);
        assertThat(variant.get("InstanceType").asText()).isEqualTo("ml.c5.xlarge");
        assertThat(variant.get("InitialInstanceCount").asInt()).isEqualTo(2);
        JsonNode created = stub.requests("CreateEndpoint").get(0).json();
        assertThat(created.get("EndpointConfigName").asText()).isEqualTo(NAME);
        assertThat(created.get("Tags").toString()).contains("{\"Key\":\"xray:created-by\",\"Value\":\"xray\"}")
                .contains("{\"Key\":\"xray:expires\",\"Value\":\"2026-11-29T18:00:00Z\"}");
        assertThat(stub.requests("DescribeEndpoint")).hasSize(4);
        assertThat(stub.requests.stream().map(AwsStub.Request::target).filter(t -> t.startsWith("Delete")).toList())
                .containsExactly("DeleteEndpoint", "DeleteEndpointConfig", "DeleteModel");
        assertThat(stub.requests("DeleteModel").get(0).json().get("ModelName").asText()).isEqualTo(NAME);
    }

    @Test
    void failedEndpoint_shouldSurfaceTheReasonAndDeleteWhatWasCreated() {
        acceptCreationAndDeletion();
        stub.on("DescribeEndpoint", endpoint("Creating", null),
                endpoint("Failed", "The primary container for production variant AllTraffic did not pass the ping health check."));

        assertThatThrownBy(() -> deployment().build().deploy())
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("endpoint " + NAME + " is Failed: The primary container")
                .hasMessageContaining("did not pass the ping health check");
        assertThat(stub.requests("DeleteEndpoint")).hasSize(1);
        assertThat(stub.requests("DeleteEndpointConfig")).hasSize(1);
        assertThat(stub.requests("DeleteModel")).hasSize(1);
    }

    @Test
    void refusedEndpointConfig_shouldDeleteOnlyTheModel() {
        stub.on("CreateModel", AwsStub.Reply.json(Map.of("ModelArn", "arn:m")))
                .on("CreateEndpointConfig", AwsStub.Reply.error(400, "ResourceLimitExceeded",
                        "The account-level service limit 'ml.c5.xlarge for endpoint usage' is 0 Instances"))
                .on("DeleteModel", AwsStub.Reply.json(Map.of()));

        assertThatThrownBy(() -> deployment().build().deploy())
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("CreateEndpointConfig (" + NAME + ") failed: ResourceLimitExceeded")
                .hasMessageContaining("quota");
        assertThat(stub.requests.stream().map(AwsStub.Request::target).toList())
                .containsExactly("CreateModel", "CreateEndpointConfig", "DeleteModel");
    }

    @Test
    void closingAnEndpointAlreadyGone_shouldNotFail() {
        stub.on("DeleteEndpoint", AwsStub.Reply.error(400, "ValidationException", "Could not find endpoint \"" + NAME + "\"."))
                .on("DeleteEndpointConfig", AwsStub.Reply.error(400, "ValidationException", "Could not find endpoint configuration"))
                .on("DeleteModel", AwsStub.Reply.error(400, "ValidationException", "Could not find model"));
        Endpoint endpoint = new Endpoint(session, NAME, NAME, NAME);

        endpoint.close();
        endpoint.close();

        assertThat(stub.requests).hasSize(3);
    }

    @Test
    void build_shouldNameTheBadField() {
        TrainingJobTest.assertField(() -> deployment().modelDataUrl("s3://b-1/model.zip").build(), "modelDataUrl", "model.tar.gz");
        TrainingJobTest.assertField(() -> deployment().imageUri("").build(), "imageUri", "must be set");
        TrainingJobTest.assertField(() -> deployment().instanceCount(0).build(), "instanceCount", "at least 1");
        TrainingJobTest.assertField(() -> deployment().instanceType("large").build(), "instanceType", "large");
        assertThatThrownBy(() -> deployment().timeToLive(Duration.ZERO).build()).isInstanceOf(InvalidConfigurationException.class);
    }
}
