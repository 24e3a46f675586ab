package io.xray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ReliabilityTableTest {

    // bin 0 [0, 1/15): 0.05 (NORMAL); bin 1 [1/15, 2/15): 0.10 (PNEUMONIA), 0.12 (NORMAL);
    // bin 7 [7/15, 8/15): 0.5 (NORMAL); bin 14 [14/15, 1]: 0.95 and 1.0 (both PNEUMONIA)
    private static final double[] PROBABILITIES = {0.05, 0.10, 0.12, 0.95, 1.0, 0.5};
    private static final int[] LABELS = {0, 1, 0, 1, 1, 0};

    @Test
    void ece_onAHandComputedExample_shouldBeTheCountWeightedMeanGap() {
        ReliabilityTable table = ReliabilityTable.of(PROBABILITIES, LABELS);

        // gaps: |0.05 - 0| = 0.05, |0.11 - 0.5| = 0.39, |0.5 - 0| = 0.5, |0.975 - 1| = 0.025
        // ECE = (1 * 0.05 + 2 * 0.39 + 1 * 0.5 + 2 * 0.025) / 6 = 1.38 / 6 = 0.23
        assertThat(table.expectedCalibrationError()).isCloseTo(0.23, within(1e-12));
        assertThat(table.count()).isEqualTo(6);
    }

    @Test
    void bins_shouldBeFifteenEqualWidthRangesHoldingTheirImages() {
        ReliabilityTable table = ReliabilityTable.of(PROBABILITIES, LABELS);

        assertThat(table.bins()).hasSize(15);
        for (int b = 0; b < 15; b++) {
            assertThat(table.bins().get(b).lower()).isCloseTo(b / 15.0, within(1e-15));
            assertThat(table.bins().get(b).upper()).isCloseTo((b + 1) / 15.0, within(1e-15));
        }
        assertThat(table.bins()).extracting(ReliabilityTable.Bin::count)
                .containsExactly(1L, 2L, 0L, 0L, 0L, 0L, 0L, 1L, 0L, 0L, 0L, 0L, 0L, 0L, 2L);
        ReliabilityTable.Bin second = table.bins().get(1);
        assertThat(second.meanProbability()).isCloseTo(0.11, within(1e-12));
        assertThat(second.positiveShare()).isEqualTo(0.5);
        ReliabilityTable.Bin last = table.bins().get(14);
        assertThat(last.meanProbability()).as("1.0 belongs to the last bin").isCloseTo(0.975, within(1e-12));
        assertThat(last.positiveShare()).isEqualTo(1.0);
        ReliabilityTable.Bin empty = table.bins().get(3);
        assertThat(empty.meanProbability()).isNaN();
        assertThat(empty.positiveShare()).isNaN();
        assertThat(empty.gap()).isZero();
    }

    @Test
    void perfectlyCalibratedBins_shouldHaveZeroError() {
        double[] p = {0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75};
        int[] y = {1, 0, 0, 0, 1, 1, 1, 0};

        assertThat(ReliabilityTable.of(p, y).expectedCalibrationError()).isZero();
        assertThat(ReliabilityTable.of(p, y, 2).bins()).extracting(ReliabilityTable.Bin::count).containsExactly(4L, 4L);
    }

    @Test
    void json_shouldWriteEmptyBinsAsNullsAndReadBackEqual() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ReliabilityTable table = ReliabilityTable.of(PROBABILITIES, LABELS);

        String text = json.writeValueAsString(table);
        JsonNode tree = json.readTree(text);

        assertThat(tree.path("bins").get(3).path("meanProbability").isNull()).isTrue();
        assertThat(tree.path("expectedCalibrationError").asDouble()).isCloseTo(0.23, within(1e-12));
        assertThat(json.readValue(text, ReliabilityTable.class)).isEqualTo(table);
    }

    @Test
    void probabilityOutsideZeroOne_shouldBeRefusedNamingItsIndex() {
        assertThatThrownBy(() -> ReliabilityTable.of(new double[] {0.5, 1.5}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probabilities[1]");
        assertThatThrownBy(() -> ReliabilityTable.of(new double[] {0.5}, new int[] {0}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binCount");
    }
}
