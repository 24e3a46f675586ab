package io.xray.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeatMapTest {

    @Test
    void project_hotCellOfAGrid_shouldPeakWhereThatCellLiesInTheImage() {
        // A 4 x 4 grid over a 64 crop of a 128 x 80 image resized to 102 x 64 (crop left 19, top 0).
        float[] grid = new float[16];
        grid[1 * 4 + 2] = 3f; // row 1, column 2
        HeatMap map = HeatMap.project(grid, 4, 4, 128, 80, 102, 64, 19, 0, 64);
        assertThat(map.width()).isEqualTo(128);
        assertThat(map.height()).isEqualTo(80);
        // Cell (2, 1) covers crop x 32..48, y 16..32: resized x 51..67, image x 64..84, y 20..40.
        assertThat(map.peakX()).isBetween(64, 84);
        assertThat(map.peakY()).isBetween(20, 40);
        assertThat(map.value(map.peakX(), map.peakY())).isEqualTo(1f);
        // Left of the crop the model saw nothing.
        assertThat(map.value(5, 40)).isZero();
    }

    @Test
    void of_valueOutOfRange_shouldSayWhich() {
        assertThatThrownBy(() -> HeatMap.of(1, 1, new float[] {2f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2.0");
    }
}
