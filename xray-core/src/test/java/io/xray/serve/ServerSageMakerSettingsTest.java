package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.InvalidConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Batch-transform mode, execution parameters and the process memory gauge. */
@Timeout(20)
class ServerSageMakerSettingsTest {

    @Test
    void requestTimeoutOverSixtySeconds_shouldBeRefusedInRealTimeModeAndAllowedInBatchMode() {
        ModelServer.Builder builder = ModelServer.builder().model(new MeanPixelModel()).requestTimeout(Duration.ofSeconds(300));

        assertThatThrownBy(builder::build)
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("requestTimeout");
        assertThat(builder.batchMode(true).build().isBatchMode()).isTrue();
        assertThatThrownBy(builder.requestTimeout(Duration.ofSeconds(600))::build)
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("requestTimeout");
    }

    @Test
    void batchStrategy_shouldBeSingleOrMultiRecord() {
        ModelServer.Builder builder = ModelServer.builder().model(new MeanPixelModel());

        assertThat(builder.batchStrategy("multi_record").build()).isNotNull();
        assertThatThrownBy(builder.batchStrategy("EVERYTHING")::build)
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("batchStrategy");
        assertThatThrownBy(builder.batchStrategy("SINGLE_RECORD").maxConcurrentTransforms(-1)::build)
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("maxConcurrentTransforms");
    }

    @Test
    void executionParameters_shouldReflectTheConfiguredBatchTransformSettings() {
        try (ModelServer server = ModelServer.builder()
                .model(new MeanPixelModel())
                .host("127.0.0.1")
                .port(0)
                .batchMode(true)
                .requestTimeout(Duration.ofSeconds(590))
                .maxBodyBytes(20L * 1024 * 1024)
                .maxConcurrentTransforms(3)
                .batchStrategy("MULTI_RECORD")
                .build()
                .start()) {
            JsonNode body = Http.json(Http.get(server.port(), "/execution-parameters"));

            assertThat(body.get("MaxConcurrentTransforms").asInt()).isEqualTo(3);
            assertThat(body.get("BatchStrategy").asText()).isEqualTo("MULTI_RECORD");
            assertThat(body.get("MaxPayloadInMB").asInt()).isEqualTo(20);
            assertThat(Http.get(server.port(), "/ping").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void residentMemory_shouldBeReadFromProcWhereThereIsOne() {
        double rss = ServerMetrics.residentMemoryBytes();

        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
            assertThat(rss).isGreaterThan(10e6).isLessThan(1e12);
        } else {
            assertThat(rss).isNaN();
        }
    }
}
