package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.testing.TinyModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class DemoPageTest {

    @Test
    void demoPageOff_shouldAnswer404OnBothRoutes() throws Exception {
        try (ModelServer server = ModelServer.builder().model(new MeanPixelModel()).host("127.0.0.1").port(0).build().start()) {
            assertThat(server.awaitReady(Duration.ofSeconds(30))).isTrue();
            assertThat(Http.get(server.port(), "/").statusCode()).isEqualTo(404);
            assertThat(Http.get(server.port(), "/model").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void demoPageOn_shouldServeThePageAndTheModelsDescription() throws Exception {
        try (ModelServer server = ModelServer.builder()
                .modelLoader(() -> ClassifierModel.load(TinyModels.directory()))
                .host("127.0.0.1").port(0).demoPage(true).build().start()) {
            assertThat(server.awaitReady(Duration.ofSeconds(60))).isTrue();
            var page = Http.get(server.port(), "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            String html = new String(page.body(), StandardCharsets.UTF_8);
            assertThat(html).contains("<input id=\"file\" type=\"file\"", "/invocations", "image/png")
                    .doesNotContain("http://", "https://");
            JsonNode model = Http.json(Http.get(server.port(), "/model"));
            assertThat(model.get("model_id").asText()).startsWith("model-");
            assertThat(model.path("artifact").path("validationMetrics").has("f1")).isTrue();
            assertThat(model.path("artifact").path("provenance").path("endTime").asText()).isNotEmpty();
        }
    }
}
