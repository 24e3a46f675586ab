package io.xray.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.xray.InvalidConfigurationException;
import io.xray.InvalidImageException;
import io.xray.testing.TestImages;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir
    Path dir;

    private final ImageDecoder decoder = ImageDecoder.defaults();

    @Test
    void pngDeclaringTenGigapixels_shouldBeRefusedFromItsHeaderWithoutDecoding() throws Exception {
        Path file = dir.resolve("huge.png");
        Files.write(file, TestImages.pngDeclaring(100_000, 100_000));
        assertThat(Files.size(file)).isLessThan(200);

        // Decoding the pixels would need 10 GB (and fail differently); refusing from the header is instant.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(() -> decoder.decode(file))
                        .isInstanceOf(InvalidImageException.class)
                        .hasMessageContaining(file.toString())
                        .hasMessageContaining("100000x100000")
                        .hasMessageContaining("limit of 50000000")
                        .satisfies(e -> assertThat(((InvalidImageException) e).source()).isEqualTo(file.toString())));
    }

    @Test
    void pixelLimit_shouldBeConfigurable() {
        byte[] png = TestImages.png(new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY));
        ImageDecoder strict = ImageDecoder.builder().maxPixels(1199).build();

        assertThat(strict.maxPixels()).isEqualTo(1199);
        assertThatThrownBy(() -> strict.decode(png, "upload"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("upload: ")
                .hasMessageContaining("40x30");
        assertThat(ImageDecoder.builder().maxPixels(1200).build().decode(png, "upload").getWidth()).isEqualTo(40);
    }

    @Test
    void byteLimit_shouldBeConfigurable() {
        byte[] png = TestImages.png(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY));
        ImageDecoder strict = ImageDecoder.builder().maxBytes(png.length - 1).build();

        assertThatThrownBy(() -> strict.decode(png, "upload"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void nonPositiveLimits_shouldBeRejectedNamingTheField() {
        assertThatThrownBy(() -> ImageDecoder.builder().maxPixels(0).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("maxPixels");
        assertThatThrownBy(() -> ImageDecoder.builder().maxBytes(-1).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("maxBytes");
    }

    @Test
    void truncatedJpeg_shouldBeRefusedNamingTheFile() throws Exception {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(64, 64, 1), 0.9f);
        assertThat(decoder.decode(jpeg, "whole").getWidth()).isEqualTo(64);
        Path file = dir.resolve("cut.jpeg");
        Files.write(file, Arrays.copyOf(jpeg, jpeg.length * 2 / 3));

        assertThatThrownBy(() -> decoder.decode(file))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void jpegCutMidScanWithEndMarkerAppended_shouldBeRefusedFromTheDecoderWarning() {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(64, 64, 2), 0.9f);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2 + 2);
        cut[cut.length - 2] = (byte) 0xFF;
        cut[cut.length - 1] = (byte) 0xD9;
        assertThat(ImageDecoder.hasEndOfImageAfterLastScan(cut)).isTrue();

        assertThatThrownBy(() -> decoder.decode(cut, "spliced.jpg"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("spliced.jpg: ")
                .hasMessageContaining("corrupt or truncated jpeg");
    }

    @Test
    void jpegWithPaddingAfterEndMarker_shouldDecode() {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(16, 16, 3), 0.9f);
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 100);

        assertThat(decoder.decode(padded, "padded").getHeight()).isEqualTo(16);
    }

    @Test
    void randomBytes_shouldBeRefusedAsUnrecognised() throws Exception {
        byte[] bytes = new byte[4096];
        new Random(7).nextBytes(bytes);
        Path file = dir.resolve("noise.jpeg");
        Files.write(file, bytes);

        assertThatThrownBy(() -> decoder.decode(file))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("unrecognised image format");
    }

    @Test
    void zeroByteFile_shouldBeRefusedAsEmpty() throws Exception {
        Path file = dir.resolve("empty.png");
        Files.write(file, new byte[0]);

        assertThatThrownBy(() -> decoder.decode(file))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> decoder.decode(new byte[0], "body"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("body: empty input (0 bytes)");
    }

    @Test
    void missingFile_shouldBeRefusedNamingIt() {
        Path file = dir.resolve("absent.png");

        assertThatThrownBy(() -> decoder.decode(file))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void truncatedPng_shouldBeRefused() {
        byte[] png = TestImages.png(TestImages.noise(64, 64, 4));
        byte[] cut = Arrays.copyOf(png, png.length / 2);

        assertThatThrownBy(() -> decoder.decode(cut, "cut.png"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("cut.png: ");
    }

    @Test
    void jpeg_shouldBeReadByTheTwelveMonkeysReader() {
        assertThat(ImageDecoder.readerClassFor(TestImages.jpeg(TestImages.noise(8, 8, 5), 0.9f)))
                .startsWith("com.twelvemonkeys.");
    }
}
