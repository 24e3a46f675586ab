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
     * A gray image of 8x8 blocks of random levels, so that two seeds give images whose difference
     * hashes are far apart, while one seed at two sizes gives nearly the same hash.
     */
    static BufferedImage blocks(long seed, int size) {
        Random random = new Random(seed);
        int[] levels = new int[64];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = random.nextInt(256);
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int level = levels[(y * 8 / size) * 8 + (x * 8 / size)];
                image.getRaster().setSample(x, y, 0, level);
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
        return write(root, split, label, name, blocks(seed, 32));
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
