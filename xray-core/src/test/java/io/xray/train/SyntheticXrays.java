package io.xray.train;

import io.xray.image.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes tiny learnable chest-X-ray-like PNGs in the Kaggle layout: dark lungs for NORMAL, lungs
 * with bright patchy opacities for PNEUMONIA, noise on both. Names follow the Kaggle patterns so
 * that each image is its own patient.
 */
final class SyntheticXrays {

    static final int SIZE = 40;

    private SyntheticXrays() {}

    /** A small preprocessing for these images: resize to 36, crop 32. */
    static Preprocessing preprocessing() {
        return Preprocessing.builder().resizeShorterSide(36).cropSize(32).build();
    }

    static Path write(Path root, int trainPerClass, int validationPerClass, long seed) {
        Random random = new Random(seed);
        writeSplit(root, "train", trainPerClass, random);
        writeSplit(root, "val", validationPerClass, random);
        return root;
    }

    private static void writeSplit(Path root, String split, int perClass, Random random) {
        try {
            for (String label : new String[] {"NORMAL", "PNEUMONIA"}) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(label));
                for (int i = 0; i < perClass; i++) {
                    int patient = random.nextInt(1_000_000);
                    String name = label.equals("NORMAL")
                            ? String.format(Locale.ROOT, "IM-%04d-%04d.png", patient % 10_000, i)
                            : String.format(Locale.ROOT, "person%d_bacteria_%d.png", patient, i);
                    ImageIO.write(image(label.equals("PNEUMONIA"), random), "png", dir.resolve(name).toFile());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage image(boolean pneumonia, Random random) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        double blobX = 10 + random.nextInt(20);
        double blobY = 12 + random.nextInt(16);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                boolean lung = Math.abs(x - SIZE / 2.0) > 4 && Math.abs(x - SIZE / 2.0) < 17 && y > 6 && y < 34;
                double v = lung ? 50 : 170;
                if (pneumonia && lung) {
                    double d = Math.hypot(x - blobX, y - blobY);
                    v += 110 * Math.exp(-d * d / 60.0) + 40;
                }
                v += random.nextGaussian() * 18;
                image.getRaster().setSample(x, y, 0, (int) Math.max(0, Math.min(255, v)));
            }
        }
        return image;
    }
}
