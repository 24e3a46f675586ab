package io.xray.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Writes tiny synthetic images into a folder in the Kaggle layout. */
final class TestData {
    private TestData() {}

    /**
     * A smooth gray image: random levels on a 9x9 grid of control points, interpolated bilinearly,
     * so that two seeds give images whose difference hashes are far apart, while one seed at two
     * sizes gives nearly the same hash and thumbnail (as a resized copy of an X-ray would).
     */
    static BufferedImage smoothNoise(long seed, int size) {
        Random random = new Random(seed);
        int[][] levels = new int[9][9];
        for (int[] row : levels) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextInt(256);
            }
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            double gy = (y + 0.5) * 8.0 / size;
            int y0 = Math.min(7, (int) gy);
            double fy = gy - y0;
            for (int x = 0; x < size; x++) {
                double gx = (x + 0.5) * 8.0 / size;
                int x0 = Math.min(7, (int) gx);
                double fx = gx - x0;
                double top = levels[y0][x0] * (1 - fx) + levels[y0][x0 + 1] * fx;
                double bottom = levels[y0 + 1][x0] * (1 - fx) + levels[y0 + 1][x0 + 1] * fx;
                image.getRaster().setSample(x, y, 0, (int) Math.round(top * (1 - fy) + bottom * fy));
            }
        }
        return image;
    }

    /** Writes {@code ROOT/split/label/name} as PNG or JPEG depending on the name's extension. */
    static Path write(Path root, String split, String label, String name, BufferedImage image) {
        Path file = root.resolve(split).resolve(label).resolve(name);
        try {
            Files.createDirectories(file.getParent());
            String lower = name.toLowerCase();
            String format = lower.endsWith(".png") ? "png" : "jpeg";
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Writes an image of the given seed and size. */
    static Path write(Path root, String split, String label, String name, long seed) {
        return write(root, split, label, name, smoothNoise(seed, 32));
    }

    /** Writes raw bytes. */
    static Path writeBytes(Path root, String split, String label, String name, byte[] bytes) {
        Path file = root.resolve(split).resolve(label).resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Copies a file byte for byte to another place in the layout. */
    static Path copy(Path source, Path root, String split, String label, String name) {
        try {
            return writeBytes(root, split, label, name, Files.readAllBytes(source));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A record with a made-up path and hash, for tests that read no file. */
    static ImageRecord record(String name, Split split, Label label, String patientId) {
        return new ImageRecord(Path.of("/data", split.directoryName(), label.name(), name).toAbsolutePath(), split,
                label, patientId, FileVerifier.sha256((split + "/" + label + "/" + name).getBytes()));
    }
}
