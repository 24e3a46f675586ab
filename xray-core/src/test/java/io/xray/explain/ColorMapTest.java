package io.xray.explain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ColorMapTest {

    private static double[] rgb(int color) {
        return new double[] {((color >> 16) & 0xFF) / 255.0, ((color >> 8) & 0xFF) / 255.0, (color & 0xFF) / 255.0};
    }

    @Test
    void viridis_shouldMatchMatplotlibsEndsAndMiddle() {
        // matplotlib's viridis: 0 -> #440154, 0.5 -> #21918c, 1 -> #fde725
        assertClose(ColorMap.viridis().rgb(0), 0x440154);
        assertClose(ColorMap.viridis().rgb(0.5), 0x21918c);
        assertClose(ColorMap.viridis().rgb(1), 0xfde725);
    }

    @Test
    void viridis_shouldGrowInLightness() {
        double previous = -1;
        for (int i = 0; i <= 20; i++) {
            double[] c = rgb(ColorMap.viridis().rgb(i / 20.0));
            double luma = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
            assertThat(luma).isGreaterThan(previous);
            previous = luma;
        }
    }

    private static void assertClose(int actual, int expected) {
        double[] a = rgb(actual);
        double[] e = rgb(expected);
        for (int i = 0; i < 3; i++) {
            assertThat(Math.abs(a[i] - e[i])).as("channel %d of %06x vs %06x", i, actual, expected).isLessThan(0.03);
        }
    }
}
