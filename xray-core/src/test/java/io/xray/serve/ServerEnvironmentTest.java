package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.InvalidConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SageMaker's serving environment variables, read into a {@link ServerEnvironment} and applied to a server. */
@Timeout(20)
class ServerEnvironmentTest {

    @Test
    void emptyEnvironment_shouldStateNothingAndLeaveTheBuilderAlone() {
        ServerEnvironment environment = ServerEnvironment.of(Map.of());

        assertThat(environment.port()).isEmpty();
        assertThat(environment.batch()).isFalse();
        assertThat(environment.maxBodyBytes()).isEmpty();
        assertThat(environment.requestTimeout()).isEqualTo(ModelServer.DEFAULT_REQUEST_TIMEOUT).hasSeconds(55);
        assertThat(environment.maxConcurrentTransforms()).isEmpty();
        assertThat(environment.batchStrategy()).isEmpty();
        ModelServer server = environment.applyTo(ModelServer.builder().model(new MeanPixelModel())).build();
        assertThat(server.isBatchMode()).isFalse();
    }

    @Test
    void realTimeEndpoint_shouldGiveThePortAndBodyLimit() {
        ServerEnvironment environment = ServerEnvironment.of(Map.of(
                "SAGEMAKER_BIND_TO_PORT", "9090", "SAGEMAKER_MAX_PAYLOAD_IN_MB", " 6 ", "UNRELATED", "x"));

        assertThat(environment.port()).hasValue(9090);
        assertThat(environment.maxBodyBytes()).hasValue(6L << 20);
        assertThat(environment.batch()).isFalse();
        assertThat(environment.requestTimeout()).isEqualTo(Duration.ofSeconds(55));
    }

    @Test
    void batchTransform_shouldTurnOnBatchModeWithTheLongerTimeoutAndReportItsParameters() throws Exception {
        ServerEnvironment environment = ServerEnvironment.of(Map.of(
                "SAGEMAKER_BIND_TO_PORT", "0",
                "SAGEMAKER_BATCH", "true",
                "SAGEMAKER_MAX_PAYLOAD_IN_MB", "20",
                "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS", "3",
                "SAGEMAKER_BATCH_STRATEGY", "multi_record"));

        assertThat(environment.batch()).isTrue();
        assertThat(environment.requestTimeout()).isEqualTo(ModelServer.BATCH_REQUEST_TIMEOUT).hasSeconds(590);
        assertThat(environment.maxConcurrentTransforms()).hasValue(3);
        assertThat(environment.batchStrategy()).hasValue("MULTI_RECORD");
        try (ModelServer server = environment.applyTo(ModelServer.builder().model(new MeanPixelModel()).host("127.0.0.1"))
                .build()
                .start()) {
            assertThat(server.isBatchMode()).isTrue();
            assertThat(server.port()).isPositive();
            JsonNode body = Http.json(Http.get(server.port(), "/execution-parameters"));
            assertThat(body.get("MaxConcurrentTransforms").asInt()).isEqualTo(3);
            assertThat(body.get("BatchStrategy").asText()).isEqualTo("MULTI_RECORD");
            assertThat(body.get("MaxPayloadInMB").asInt()).isEqualTo(20);
        }
    }

    @Test
    void zeroPayloadUnderBatch_shouldMeanNoStatedLimitAndGiveOneHundredMebibytes() {
        ServerEnvironment environment = ServerEnvironment.of(Map.of(
                "SAGEMAKER_BATCH", "1", "SAGEMAKER_MAX_PAYLOAD_IN_MB", "0"));

        assertThat(environment.maxBodyBytes()).hasValue((long) ServerEnvironment.UNSTATED_BATCH_PAYLOAD_MB << 20)
                .hasValue(100L << 20);
    }

    @Test
    void optionsSetAfterTheEnvironment_shouldWin() {
        ServerEnvironment environment = ServerEnvironment.of(Map.of("SAGEMAKER_BATCH", "true"));

        ModelServer.Builder builder = environment.applyTo(ModelServer.builder().model(new MeanPixelModel()))
                .requestTimeout(Duration.ofSeconds(30));

        assertThat(builder.build().isBatchMode()).isTrue();
        assertThat(ServerEnvironment.of(Map.of("OMP_WAIT_POLICY", "PASSIVE")).warnings()).isEmpty();
        assertThat(environment.warnings()).singleElement().asString().contains("OMP_WAIT_POLICY");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "SAGEMAKER_BIND_TO_PORT, eighty",
        "SAGEMAKER_BIND_TO_PORT, 70000",
        "SAGEMAKER_BIND_TO_PORT, -1",
        "SAGEMAKER_MAX_PAYLOAD_IN_MB, lots",
        "SAGEMAKER_MAX_PAYLOAD_IN_MB, 0",
        "SAGEMAKER_MAX_PAYLOAD_IN_MB, 2048",
        "SAGEMAKER_BATCH, maybe",
        "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS, -2",
        "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS, many",
        "SAGEMAKER_BATCH_STRATEGY, EVERYTHING",
    })
    void badValue_shouldBeRefusedNamingTheVariable(String variable, String value) {
        assertThatThrownBy(() -> ServerEnvironment.of(Map.of(variable, value)))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo(variable))
                .hasMessageContaining(value);
    }

    @Test
    void blankValues_shouldCountAsAbsent() {
        ServerEnvironment environment = ServerEnvironment.of(Map.of(
                "SAGEMAKER_BIND_TO_PORT", " ", "SAGEMAKER_BATCH", "", "SAGEMAKER_BATCH_STRATEGY", " "));

        assertThat(environment.port()).isEmpty();
        assertThat(environment.batch()).isFalse();
        assertThat(environment.batchStrategy()).isEmpty();
    }
}
