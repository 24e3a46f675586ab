package io.xray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class BinaryMetricsJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void definedMetrics_shouldRoundTripThroughJsonEqual() throws Exception {
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.1, 0.4, 0.4, 0.8}, new int[] {0, 0, 1, 1}, 0.5);

        String json = mapper.writeValueAsString(m);
        BinaryMetrics back = mapper.readValue(json, BinaryMetrics.class);

        assertThat(back).isEqualTo(m);
        JsonNode tree = mapper.readTree(json);
        assertThat(tree.get("rocAuc").asDouble()).isEqualTo(0.875);
        assertThat(tree.get("confusion").get("truePositives").asLong()).isEqualTo(1);
        assertThat(tree.get("naiveF1").isNumber()).isTrue();
    }

    @Test
    void undefinedAucs_shouldBeWrittenAsNullAndReadBackAsNaN() throws Exception {
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.2, 0.6}, new int[] {0, 0}, 0.5);

        String json = mapper.writeValueAsString(m);
        JsonNode tree = mapper.readTree(json);
        BinaryMetrics back = mapper.readValue(json, BinaryMetrics.class);

        assertThat(tree.get("rocAuc").isNull()).isTrue();
        assertThat(tree.get("prAuc").isNull()).isTrue();
        assertThat(json).doesNotContain("NaN");
        assertThat(back.rocAuc()).isNaN();
        assertThat(back).isEqualTo(m);
    }

    @Test
    void absentAuc_shouldBeReadAsNaN() throws Exception {
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.2, 0.6}, new int[] {0, 1}, 0.5);
        ObjectNode tree = mapper.valueToTree(m);
        tree.remove("prAuc");

        BinaryMetrics back = mapper.treeToValue(tree, BinaryMetrics.class);

        assertThat(back.prAuc()).isNaN();
        assertThat(back.rocAuc()).isEqualTo(1.0);
    }

    @Test
    void tamperedRatio_shouldFailToDeserialize() throws Exception {
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.1, 0.4, 0.4, 0.8}, new int[] {0, 0, 1, 1}, 0.5);
        ObjectNode tree = mapper.valueToTree(m);
        tree.put("recall", 0.99);

        assertThatThrownBy(() -> mapper.treeToValue(tree, BinaryMetrics.class))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .hasStackTraceContaining("recall is 0.99");
    }

    @Test
    void confusionMatrix_shouldRoundTripAsItsFourCounts() throws Exception {
        ConfusionMatrix cm = new ConfusionMatrix(4, 1, 3, 2);

        String json = mapper.writeValueAsString(cm);

        assertThat(mapper.readTree(json).size()).isEqualTo(4);
        assertThat(mapper.readValue(json, ConfusionMatrix.class)).isEqualTo(cm);
    }
}
