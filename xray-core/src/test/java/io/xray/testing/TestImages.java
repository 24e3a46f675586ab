package io.xray.testing;

import io.xray.image.GrayImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Small test images built in memory, and their encodings. */
public final class TestImages {

    private TestImages() {}

    /**
     * @param image an image
     * @return it encoded as PNG
     */
    public static byte[] png(BufferedImage image) {
        return encode(image, "png");
    }

    /**
     * @param image an image
     * @param format an ImageIO format name: {@code png}, {@code jpeg}, {@code bmp}...
     * @return it encoded
     * @throws IllegalStateException when ImageIO has no writer for the format and image type
     */
    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer for " + image);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a 40 x 32 gray JPEG of {@link #gray} with seed 1 */
    public static byte[] jpeg() {
        return encode(gray(40, 32, 1, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
    }

    /**
     * @param image an image
     * @param quality the JPEG quality, 0 to 1
     * @return a baseline JPEG written by the JDK's writer at that quality
     */
    public static byte[] jpeg(BufferedImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /**
     * @param width the width
     * @param height the height
     * @param seed the noise seed
     * @param type a gray image type, {@code TYPE_BYTE_GRAY} or {@code TYPE_USHORT_GRAY}
     * @return a diagonal gray gradient with a little noise, deterministic
     */
    public static BufferedImage gray(int width, int height, long seed, int type) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, type);
        int max = type == BufferedImage.TYPE_USHORT_GRAY ? 65535 : 255;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = (x + y) / (double) (width + height) * 0.8 + random.nextDouble() * 0.2;
                image.getRaster().setSample(x, y, 0, (int) (v * max));
            }
        }
        return image;
    }

    /**
     * @param width the width
     * @param height the height
     * @param seed the noise seed
     * @return a gray image of uniform noise, which compresses badly and so gives JPEGs with long scans
     */
    public static BufferedImage noise(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, random.nextInt(256));
            }
        }
        return image;
    }

    /**
     * @param width the width
     * @param height the height
     * @return a gray image with a smooth diagonal gradient and a bright disc, something to hash and resize
     */
    public static GrayImage scene(int width, int height) {
        byte[] pixels = new byte[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double dx = x - width * 0.35;
                double dy = y - height * 0.4;
                boolean disc = dx * dx + dy * dy < (width * 0.2) * (width * 0.2);
                int v = disc ? 230 : (int) (40 + 150.0 * (x + y) / (width + height));
                pixels[y * width + x] = (byte) v;
            }
        }
        return new GrayImage(width, height, pixels);
    }

    /**
     * A syntactically valid 8-bit grayscale PNG whose header declares the given size but whose
     * image data holds a single row: decoding it for real would need width * height bytes.
     *
     * @param width the declared width
     * @param height the declared height
     * @return the PNG
     */
    public static byte[] pngDeclaring(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height);
        ihdr.put((byte) 8); // bit depth
        ihdr.put((byte) 0); // colour type: grayscale
        ihdr.put((byte) 0); // compression
        ihdr.put((byte) 0); // filter
        ihdr.put((byte) 0); // interlace
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[1 + 16]); // one filter byte and a few samples
        deflater.finish();
        byte[] compressed = new byte[64];
        int length = deflater.deflate(compressed);
        deflater.end();
        byte[] idat = new byte[length];
        System.arraycopy(compressed, 0, idat, 0, length);
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
