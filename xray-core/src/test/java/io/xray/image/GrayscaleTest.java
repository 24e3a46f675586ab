package io.xray.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.xray.testing.TestImages;
import io.xray.testing.TestResources;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import org.junit.jupiter.api.Test;

class GrayscaleTest {

    private final ImageDecoder decoder = ImageDecoder.defaults();

    @Test
    void cmykJpeg_shouldDecodeToTheLuminanceOfItsColours() throws Exception {
        byte[] jpeg = TestResources.bytes("/io/xray/image/cmyk.jpg");
        GrayImage gray = Grayscale.of(decoder.decode(jpeg, "cmyk.jpg"));

        assertThat(gray.width()).isEqualTo(64);
        assertThat(gray.height()).isEqualTo(32);
        // Block centres, see make_image_fixtures.py; expected = BT.601 luma of the RGB Pillow gives.
        int[][] expected = {{255, 127, 0, 179}, {105, 226, 191, 76}};
        for (int row = 0; row < 2; row++) {
            for (int col = 0; col < 4; col++) {
                assertThat(gray.get(col * 16 + 8, row * 16 + 8))
                        .as("block (%d, %d)", row, col)
                        .isCloseTo(expected[row][col], within(4));
            }
        }
    }

    @Test
    void sixteenBitGrayPng_shouldRoundTo8BitsWithoutGamma() {
        int[] samples = {0, 1000, 32896, 0x8100, 65535};
        BufferedImage image = new BufferedImage(samples.length, 1, BufferedImage.TYPE_USHORT_GRAY);
        for (int x = 0; x < samples.length; x++) {
            image.getRaster().setSample(x, 0, 0, samples[x]);
        }
        BufferedImage decoded = decoder.decode(TestImages.png(image), "16bit.png");
        assertThat(decoded.getColorModel().getComponentSize(0)).isEqualTo(16);

        GrayImage gray = Grayscale.of(decoded);

        // round(v / 257): 0x8100 gives 128 (its high byte would give 129).
        assertThat(gray.pixels()).containsExactly(0, 4, 128, 128, (byte) 255);
    }

    @Test
    void eightBitGrayPng_shouldKeepTheStoredValues() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {17, 128, 250});

        GrayImage gray = Grayscale.of(decoder.decode(TestImages.png(image), "gray.png"));

        assertThat(gray.pixels()).containsExactly(17, (byte) 128, (byte) 250);
    }

    @Test
    void palettePng_shouldMapIndicesThroughThePaletteAndTransparency() {
        byte[] r = {(byte) 255, 0, 0, (byte) 255, (byte) 200};
        byte[] g = {0, (byte) 255, 0, (byte) 255, (byte) 200};
        byte[] b = {0, 0, (byte) 255, (byte) 255, (byte) 200};
        byte[] a = {(byte) 255, (byte) 255, (byte) 255, (byte) 255, 0};
        IndexColorModel palette = new IndexColorModel(8, 5, r, g, b, a);
        BufferedImage image = new BufferedImage(5, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        image.getRaster().setSamples(0, 0, 5, 1, 0, new int[] {0, 1, 2, 3, 4});
        BufferedImage decoded = decoder.decode(TestImages.png(image), "palette.png");
        assertThat(decoded.getColorModel()).isInstanceOf(IndexColorModel.class);

        GrayImage gray = Grayscale.of(decoded);

        // red, green, blue (BT.601), white, then a fully transparent entry composited onto black.
        assertThat(gray.pixels()).containsExactly(76, (byte) 150, 29, (byte) 255, 0);
    }

    @Test
    void rgbaPng_shouldBeCompositedOntoBlack() {
        BufferedImage image = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0xFFC8C8C8); // opaque grey 200
        image.setRGB(1, 0, 0x80C8C8C8); // half transparent grey 200
        image.setRGB(2, 0, 0x00C8C8C8); // transparent
        image.setRGB(3, 0, 0xFF0000FF); // opaque blue
        BufferedImage decoded = decoder.decode(TestImages.png(image), "rgba.png");
        assertThat(decoded.getColorModel().hasAlpha()).isTrue();

        GrayImage gray = Grayscale.of(decoded);

        assertThat(gray.pixels()).containsExactly((byte) 200, 100, 0, 29);
    }

    @Test
    void grayAlphaPng_shouldBeCompositedOntoBlack() {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY),
                true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(2, 1);
        raster.setPixels(0, 0, 2, 1, new int[] {120, 255, 120, 51});
        BufferedImage image = new BufferedImage(model, raster, false, null);

        GrayImage gray = Grayscale.of(decoder.decode(TestImages.png(image), "gray-alpha.png"));

        assertThat(gray.pixels()).containsExactly(120, 24);
    }

    @Test
    void rgbJpeg_shouldGiveTheLumaOfItsFlatColour() {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, 0x3C8CDC); // (60, 140, 220): BT.601 luma 125.2
            }
        }

        GrayImage gray = Grayscale.of(decoder.decode(TestImages.jpeg(image, 0.95f), "rgb.jpg"));

        assertThat(gray.get(8, 8)).isCloseTo(125, within(3));
    }

    @Test
    void premultipliedArgb_shouldEqualTheCompositedValue() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB_PRE);
        image.setRGB(0, 0, 0x80C8C8C8);

        assertThat(Grayscale.of(image).get(0, 0)).isCloseTo(100, within(1));
    }

    @Test
    void grayImage_shouldRejectAWrongPixelCount() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GrayImage(3, 3, new byte[8]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected width*height = 9");
    }
}
