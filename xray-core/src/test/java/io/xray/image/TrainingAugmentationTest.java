package io.xray.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import io.xray.testing.TestImages;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainingAugmentationTest {

    private final Preprocessing preprocessing = Preprocessing.builder().resizeShorterSide(64).cropSize(56).build();
    private final TrainingAugmentation augmentation = TrainingAugmentation.builder(preprocessing).build();
    private final GrayImage resized = preprocessing.resize(TestImages.scene(90, 70));

    @Test
    void sameSeed_shouldGiveIdenticalTensors() {
        float[] first = augmentation.toChw(resized, new Random(42));
        float[] second = augmentation.toChw(resized, new Random(42));

        assertThat(first).hasSize(3 * 56 * 56).containsExactly(second);
    }

    @Test
    void anotherSeed_shouldGiveADifferentImage() {
        GrayImage first = augmentation.augment(resized, new Random(1));
        GrayImage second = augmentation.augment(resized, new Random(2));

        assertThat(first).isNotEqualTo(second);
        assertThat(first.width()).isEqualTo(56);
        assertThat(first.height()).isEqualTo(56);
    }

    @Test
    void successiveDraws_shouldDiffer() {
        Random random = new Random(3);

        assertThat(augmentation.augment(resized, random)).isNotEqualTo(augmentation.augment(resized, random));
    }

    @Test
    void neutralSettings_shouldReturnTheImageUnchanged() {
        TrainingAugmentation neutral = augmentation.toBuilder()
                .randomResizedCrop(1, 1).aspectRatio(1, 1).maxRotationDegrees(0).brightness(0).contrast(0).build();
        GrayImage square = preprocessing.centreCrop(resized);

        assertThat(neutral.augment(square, new Random(5))).isEqualTo(square);
    }

    @Test
    void horizontalFlip_shouldBeOffByDefaultAndMirrorWhenOn() {
        assertThat(augmentation.horizontalFlip()).isFalse();
        TrainingAugmentation flipping = augmentation.toBuilder()
                .randomResizedCrop(1, 1).aspectRatio(1, 1).maxRotationDegrees(0).brightness(0).contrast(0)
                .horizontalFlip(true).build();
        GrayImage square = preprocessing.centreCrop(resized);
        GrayImage mirrored = mirror(square);
        Random random = new Random(6);

        int mirroredCount = 0;
        for (int i = 0; i < 20; i++) {
            GrayImage out = flipping.augment(square, random);
            assertThat(out).isIn(square, mirrored);
            mirroredCount += out.equals(mirrored) ? 1 : 0;
        }
        assertThat(mirroredCount).isBetween(3, 17);
    }

    @Test
    void brightness_shouldScaleTheMeanWithinItsRange() {
        TrainingAugmentation brightOnly = augmentation.toBuilder()
                .randomResizedCrop(1, 1).aspectRatio(1, 1).maxRotationDegrees(0).contrast(0).brightness(0.3).build();
        GrayImage grey = GrayImage.filled(56, 56, 100);
        Random random = new Random(7);

        int min = 255;
        int max = 0;
        for (int i = 0; i < 30; i++) {
            int v = brightOnly.augment(grey, random).get(10, 10);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isBetween(70, 95);
        assertThat(max).isBetween(105, 130);
    }

    @Test
    void gamma_shouldBendMidTonesBothWaysWithinItsRange_andKeepBlackAndWhite() {
        TrainingAugmentation gammaOnly = augmentation.toBuilder()
                .randomResizedCrop(1, 1).aspectRatio(1, 1).maxRotationDegrees(0).brightness(0).contrast(0).gamma(0.5)
                .build();
        byte[] pixels = new byte[56 * 56];
        pixels[1] = (byte) 255;
        for (int i = 2; i < pixels.length; i++) {
            pixels[i] = (byte) 128;
        }
        GrayImage image = new GrayImage(56, 56, pixels);
        Random random = new Random(11);

        int min = 255;
        int max = 0;
        for (int i = 0; i < 40; i++) {
            GrayImage out = gammaOnly.augment(image, random);
            assertThat(out.get(0, 0)).isZero();
            assertThat(out.get(1, 0)).isEqualTo(255);
            min = Math.min(min, out.get(10, 10));
            max = Math.max(max, out.get(10, 10));
        }
        // 255 (128/255)^1.5 = 90 and 255 (128/255)^(1/1.5) = 161 bound the draws.
        assertThat(min).isBetween(90, 110);
        assertThat(max).isBetween(140, 161);
    }

    @Test
    void gamma_shouldBeDrawnLast_soTheSameSeedKeepsItsGeometryAndOnlyTheToneCurveChanges() {
        TrainingAugmentation withGamma = augmentation.toBuilder().gamma(0.3).build();
        Random plainRandom = new Random(5);
        Random gammaRandom = new Random(5);

        GrayImage plain = augmentation.augment(resized, plainRandom);
        GrayImage bent = withGamma.augment(resized, gammaRandom);

        // Same crop, rotation, brightness and contrast: the gamma image is a monotone function of the plain one.
        byte[] p = plain.pixels();
        byte[] g = bent.pixels();
        int[] lowest = new int[256];
        int[] highest = new int[256];
        Arrays.fill(lowest, 256);
        Arrays.fill(highest, -1);
        for (int i = 0; i < p.length; i++) {
            int v = p[i] & 0xFF;
            lowest[v] = Math.min(lowest[v], g[i] & 0xFF);
            highest[v] = Math.max(highest[v], g[i] & 0xFF);
        }
        int previousHighest = -1;
        for (int v = 0; v < 256; v++) {
            if (highest[v] >= 0) {
                assertThat(lowest[v]).as("plain value %d maps to one gamma value", v).isEqualTo(highest[v]);
                assertThat(lowest[v]).as("order kept at %d", v).isGreaterThanOrEqualTo(previousHighest);
                previousHighest = highest[v];
            }
        }
        assertThat(g).isNotEqualTo(p);
        // Exactly one extra draw, and none when gamma is off.
        plainRandom.nextDouble();
        assertThat(gammaRandom.nextLong()).isEqualTo(plainRandom.nextLong());
        assertThat(withGamma).isNotEqualTo(augmentation);
    }

    @Test
    void toChwOfAnImage_shouldBeThePreprocessingsNormalisationOfTheAugmentedResize() {
        var image = TestImages.scene(90, 70).toBufferedImage();

        float[] direct = augmentation.toChw(image, new Random(8));
        float[] composed = preprocessing.normalize(
                augmentation.augment(preprocessing.resize(Grayscale.of(image)), new Random(8)));

        assertThat(direct).containsExactly(composed);
    }

    @Test
    void builder_shouldRejectInvalidSettingsNamingTheField() {
        assertThatThrownBy(() -> augmentation.toBuilder().randomResizedCrop(0.9, 0.5).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("randomResizedCrop");
        assertThatThrownBy(() -> augmentation.toBuilder().aspectRatio(0, 1).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("aspectRatio");
        assertThatThrownBy(() -> augmentation.toBuilder().maxRotationDegrees(-1).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("maxRotationDegrees");
        assertThatThrownBy(() -> augmentation.toBuilder().brightness(1).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("brightness");
        assertThatThrownBy(() -> augmentation.toBuilder().contrast(Double.NaN).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("contrast");
        assertThatThrownBy(() -> augmentation.toBuilder().gamma(1).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("gamma");
        assertThatThrownBy(() -> TrainingAugmentation.builder(null).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("preprocessing");
    }

    private static GrayImage mirror(GrayImage image) {
        int w = image.width();
        byte[] out = new byte[image.pixels().length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = image.pixels()[y * w + (w - 1 - x)];
            }
        }
        return new GrayImage(w, image.height(), out);
    }
}
