package io.xray.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Converts any decoded {@link BufferedImage} to 8-bit luminance ({@link GrayImage}).
 *
 * <ul>
 *   <li><b>Grayscale</b> (1 to 16 bits): the stored sample, scaled to 0..255 with rounding —
 *       for 16 bits {@code round(v / 257)}, so {@code 0xFFFF → 255}, {@code 0x8080 → 128}.
 *       Samples are read raw: Java's gray colour space is linear, and going through
 *       {@code getRGB} would apply a gamma curve that the file never asked for.
 *   <li><b>Colour</b> (RGB, palette, CMYK already converted to RGB by the TwelveMonkeys reader):
 *       ITU-R BT.601 luma {@code (19595 R + 38470 G + 7471 B + 32768) >> 16}, the same integer
 *       formula as Pillow's {@code convert("L")}, so a gray RGB pixel {@code (v, v, v)} stays
 *       {@code v}. Components wider than 8 bits are first scaled to 8 bits with rounding.
 *       Colour spaces other than sRGB go through {@link BufferedImage#getRGB} (colour-managed).
 *   <li><b>Alpha</b>: the image is composited onto black, the background of a radiograph:
 *       {@code round(luma × alpha / alphaMax)}; an opaque pixel keeps its luma and a fully
 *       transparent one becomes 0. Premultiplied samples are already composited and kept as stored.
 * </ul>
 *
 * <p>Works row by row over primitive arrays, without per-pixel objects.
 */
public final class Grayscale {

    private Grayscale() {
    }

    /**
     * @param image any decoded image
     * @return its 8-bit luminance, same width and height
     */
    public static GrayImage of(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] out = new byte[Math.multiplyExact(width, height)];
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        ColorSpace space = model.getColorSpace();
        boolean integerSamples = isIntegerUpTo16Bits(model);
        if (model instanceof IndexColorModel palette) {
            fromPalette(raster, palette, width, height, out);
        } else if (integerSamples && model instanceof ComponentColorModel
                && space.getType() == ColorSpace.TYPE_GRAY && model.getNumColorComponents() == 1) {
            fromGray(raster, model, width, height, out);
        } else if (integerSamples && (model instanceof ComponentColorModel || model instanceof DirectColorModel)
                && space.isCS_sRGB() && model.getNumColorComponents() == 3) {
            fromRgb(raster, model, width, height, out);
        } else {
            fromArgb(image, width, height, out);
        }
        return new GrayImage(width, height, out);
    }

    private static boolean isIntegerUpTo16Bits(ColorModel model) {
        int type = model.getTransferType();
        if (type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE) {
            return false;
        }
        for (int bits : model.getComponentSize()) {
            if (bits < 1 || bits > 16) {
                return false;
            }
        }
        return true;
    }

    /** BT.601 luma of 8-bit R, G, B with rounding (Pillow's integer formula). */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16;
    }

    private static int scaleTo8Bits(int value, int max) {
        return max == 255 ? value : (int) (((long) value * 255 + max / 2) / max);
    }

    private static int composite(int luma, int alpha, int alphaMax) {
        return (int) (((long) luma * alpha + alphaMax / 2) / alphaMax);
    }

    private static void fromPalette(Raster raster, IndexColorModel palette, int width, int height, byte[] out) {
        int size = palette.getMapSize();
        int[] lut = new int[size];
        boolean alpha = palette.hasAlpha();
        for (int i = 0; i < size; i++) {
            int l = luma(palette.getRed(i), palette.getGreen(i), palette.getBlue(i));
            lut[i] = alpha ? composite(l, palette.getAlpha(i), 255) : l;
        }
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            raster.getSamples(0, y, width, 1, 0, row);
            int base = y * width;
            for (int x = 0; x < width; x++) {
                int index = row[x];
                out[base + x] = (byte) (index < size ? lut[index] : 0);
            }
        }
    }

    private static void fromGray(Raster raster, ColorModel model, int width, int height, byte[] out) {
        int grayMax = (1 << model.getComponentSize(0)) - 1;
        boolean alpha = model.hasAlpha() && !model.isAlphaPremultiplied();
        int alphaMax = model.hasAlpha() ? (1 << model.getComponentSize(1)) - 1 : 1;
        int[] gray = new int[width];
        int[] alphaRow = alpha ? new int[width] : null;
        for (int y = 0; y < height; y++) {
            raster.getSamples(0, y, width, 1, 0, gray);
            if (alpha) {
                raster.getSamples(0, y, width, 1, 1, alphaRow);
            }
            int base = y * width;
            for (int x = 0; x < width; x++) {
                int v = scaleTo8Bits(gray[x], grayMax);
                out[base + x] = (byte) (alpha ? composite(v, alphaRow[x], alphaMax) : v);
            }
        }
    }

    private static void fromRgb(Raster raster, ColorModel model, int width, int height, byte[] out) {
        int bands = raster.getNumBands();
        int rMax = (1 << model.getComponentSize(0)) - 1;
        int gMax = (1 << model.getComponentSize(1)) - 1;
        int bMax = (1 << model.getComponentSize(2)) - 1;
        boolean alpha = model.hasAlpha() && !model.isAlphaPremultiplied() && bands >= 4;
        int aMax = model.hasAlpha() ? (1 << model.getComponentSize(3)) - 1 : 1;
        int[] row = new int[width * bands];
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            int base = y * width;
            for (int x = 0, i = 0; x < width; x++, i += bands) {
                int l = luma(scaleTo8Bits(row[i], rMax), scaleTo8Bits(row[i + 1], gMax),
                        scaleTo8Bits(row[i + 2], bMax));
                out[base + x] = (byte) (alpha ? composite(l, row[i + 3], aMax) : l);
            }
        }
    }

    private static void fromArgb(BufferedImage image, int width, int height, byte[] out) {
        boolean alpha = image.getColorModel().hasAlpha();
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            int base = y * width;
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                int l = luma((argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF);
                out[base + x] = (byte) (alpha ? composite(l, argb >>> 24, 255) : l);
            }
        }
    }
}
