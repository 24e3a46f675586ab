package io.xray.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EqualizationTest {

    private static final Preprocessing EQUALIZING = Preprocessing.builder().resizeShorterSide(8).cropSize(8)
            .equalization(Equalization.HISTOGRAM).build();

    private static GrayImage randomImage(long seed, int low, int high) {
        Random random = new Random(seed);
        byte[] pixels = new byte[64];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (low + random.nextInt(high - low + 1));
        }
        return new GrayImage(8, 8, pixels);
    }

    @Test
    void histogram_ofFourEquallyCommonValues_shouldSpreadThemOverTheWholeRange() {
        byte[] pixels = new byte[16];
        for (int i = 0; i < 16; i++) {
            pixels[i] = (byte) (100 + 10 * (i % 4));
        }
        int[] lookup = Equalization.HISTOGRAM.lookup(pixels);

        // OpenCV's equalizeHist: round(255 * (cdf - cdf_min) / (n - cdf_min)) = 0, 85, 170, 255.
        assertThat(new int[] {lookup[100], lookup[110], lookup[120], lookup[130]}).containsExactly(0, 85, 170, 255);
    }

    @Test
    void histogram_ofAConstantImage_shouldKeepItsValue() {
        byte[] pixels = new byte[16];
        java.util.Arrays.fill(pixels, (byte) 77);

        assertThat(Equalization.HISTOGRAM.lookup(pixels)[77]).isEqualTo(77);
    }

    @Test
    void normalize_withHistogramEqualization_shouldNotChangeUnderAnIncreasingChangeOfExposure() {
        GrayImage image = randomImage(5, 40, 100);
        byte[] brighter = image.pixels().clone();
        for (int i = 0; i < brighter.length; i++) {
            int v = brighter[i] & 0xFF;
            brighter[i] = (byte) Math.min(255, 30 + 2 * v); // contrast x2 and brightness +30, still increasing
        }

        float[] original = EQUALIZING.normalize(image);
        float[] exposed = EQUALIZING.normalize(new GrayImage(8, 8, brighter));

        assertThat(exposed).containsExactly(original);
        // ...whereas without equalisation the change shows.
        Preprocessing plain = EQUALIZING.toBuilder().equalization(Equalization.NONE).build();
        assertThat(plain.normalize(new GrayImage(8, 8, brighter))).isNotEqualTo(plain.normalize(image));
    }

    @Test
    void normalize_withHistogramEqualization_shouldUseTheWholeRange() {
        float[] chw = EQUALIZING.normalize(randomImage(9, 90, 110));
        float lowest = (0f - EQUALIZING.mean()[0]) / EQUALIZING.std()[0];
        float highest = (1f - EQUALIZING.mean()[0]) / EQUALIZING.std()[0];
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < 64; i++) {
            min = Math.min(min, chw[i]);
            max = Math.max(max, chw[i]);
        }
        assertThat(min).isEqualTo(lowest);
        assertThat(max).isEqualTo(highest);
    }

    @Test
    void json_shouldKeepTheEqualizationAndLeaveItOutWhenNone() {
        assertThat(Preprocessing.fromJson(EQUALIZING.toJson())).isEqualTo(EQUALIZING);
        assertThat(EQUALIZING.toJson()).contains("\"equalization\":\"histogram\"");
        assertThat(Preprocessing.defaults().toJson()).doesNotContain("equalization");
        assertThat(Preprocessing.fromJson(Preprocessing.defaults().toJson()).equalization()).isEqualTo(Equalization.NONE);
        assertThat(EQUALIZING).isNotEqualTo(EQUALIZING.toBuilder().equalization(Equalization.NONE).build());
    }

    @Test
    void parse_ofAnUnknownName_shouldFailNamingTheField() {
        assertThat(Equalization.parse("HISTOGRAM")).isEqualTo(Equalization.HISTOGRAM);
        assertThatThrownBy(() -> Equalization.parse("clahe"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("equalization")
                .hasMessageContaining("'clahe'");
        assertThatThrownBy(() -> Preprocessing.fromJson(EQUALIZING.toJson().replace("histogram", "banana")))
                .hasMessageContaining("banana");
    }
}
