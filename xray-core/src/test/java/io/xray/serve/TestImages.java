package io.xray.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Small images built in memory, and fixtures. */
final class TestImages {

    private TestImages() {
    }

    /** A gray gradient with noise, deterministic. */
    static BufferedImage gray(int width, int height, long seed, int type) {
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

    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] jpeg() {
        return encode(gray(40, 32, 1, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
    }

    static byte[] resource(String name) {
        try (InputStream in = TestImages.class.getResourceAsStream("/io/xray/serve/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid grayscale PNG whose header declares the given size but whose data is one short row. */
    static byte[] pngDeclaring(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[17]);
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
