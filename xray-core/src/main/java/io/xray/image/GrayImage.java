package io.xray.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;

/**
 * An 8-bit grayscale image: {@code width × height} luminance values in row-major order, each an
 * unsigned byte (read with {@code pixels[y * width + x] & 0xFF}).
 *
 * <p>For speed the array is not copied: the record takes ownership of the array passed in and
 * hands the same array out. Treat it as read-only; every xray operation returns a new image
 * instead of changing its input. {@link #equals} and {@link #hashCode} compare pixel contents.
 *
 * @param width width in pixels, at least 1
 * @param height height in pixels, at least 1
 * @param pixels row-major luminance, exactly {@code width * height} bytes
 */
public record GrayImage(int width, int height, byte[] pixels) {

    /**
     * @throws IllegalArgumentException when a size is not positive or the array length is not
     *     {@code width * height}
     */
    public GrayImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("width and height must be at least 1, were " + width + "x" + height);
        }
        if (pixels == null) {
            throw new IllegalArgumentException("pixels must not be null");
        }
        if ((long) width * height != pixels.length) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected width*height = "
                    + ((long) width * height));
        }
    }

    /**
     * @param width width in pixels
     * @param height height in pixels
     * @param value the luminance of every pixel, 0 to 255
     * @return a uniform image
     */
    public static GrayImage filled(int width, int height, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("value must be in 0..255, was " + value);
        }
        byte[] pixels = new byte[Math.multiplyExact(width, height)];
        Arrays.fill(pixels, (byte) value);
        return new GrayImage(width, height, pixels);
    }

    /**
     * @param x column, 0 to width-1
     * @param y row, 0 to height-1
     * @return the luminance at (x, y), 0 to 255
     */
    public int get(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("(" + x + ", " + y + ") outside " + width + "x" + height);
        }
        return pixels[y * width + x] & 0xFF;
    }

    /** @return a new {@link BufferedImage#TYPE_BYTE_GRAY} image holding a copy of the pixels */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        System.arraycopy(pixels, 0, target, 0, pixels.length);
        return image;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GrayImage that
                && width == that.width && height == that.height && Arrays.equals(pixels, that.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "GrayImage[" + width + "x" + height + "]";
    }
}
