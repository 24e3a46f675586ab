package io.xray.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.testing.TestImages;
import org.junit.jupiter.api.Test;

class DifferenceHashTest {

    @Test
    void resizedAndReencodedCopies_shouldHashWithinAFewBits() {
        GrayImage original = TestImages.scene(320, 256);
        GrayImage smaller = Resampler.resize(original, 160, 128);
        GrayImage jpegCopy = Grayscale.of(ImageDecoder.defaults().decode(
                TestImages.jpeg(original.toBufferedImage(), 0.6f), "copy.jpg"));

        long hash = DifferenceHash.of(original);

        assertThat(DifferenceHash.distance(hash, DifferenceHash.of(smaller))).isLessThanOrEqualTo(2);
        assertThat(DifferenceHash.distance(hash, DifferenceHash.of(jpegCopy))).isLessThanOrEqualTo(4);
    }

    @Test
    void differentImages_shouldBeFarApart() {
        GrayImage scene = TestImages.scene(320, 256);
        GrayImage noise = Grayscale.of(TestImages.noise(320, 256, 9));
        byte[] flipped = new byte[320 * 256];
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 320; x++) {
                flipped[y * 320 + x] = scene.pixels()[y * 320 + 319 - x];
            }
        }

        long hash = DifferenceHash.of(scene);

        assertThat(DifferenceHash.distance(hash, DifferenceHash.of(noise))).isGreaterThan(16);
        assertThat(DifferenceHash.distance(hash, DifferenceHash.of(new GrayImage(320, 256, flipped))))
                .isGreaterThan(16);
    }

    @Test
    void distance_shouldCountDifferingBits() {
        assertThat(DifferenceHash.distance(0L, -1L)).isEqualTo(64);
        assertThat(DifferenceHash.distance(0b1011L, 0b0001L)).isEqualTo(2);
        assertThat(DifferenceHash.distance(42L, 42L)).isZero();
    }

    @Test
    void hash_shouldSetTheBitsWhereTheRightNeighbourIsBrighter() {
        byte[] rising = new byte[90 * 80];
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 90; x++) {
                rising[y * 90 + x] = (byte) (x * 2);
            }
        }

        assertThat(DifferenceHash.of(new GrayImage(90, 80, rising))).isEqualTo(-1L);
        assertThat(DifferenceHash.of(GrayImage.filled(90, 80, 7))).isZero();
    }
}
