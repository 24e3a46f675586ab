package io.xray.testing;

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
 * Tiny learnable chest-X-ray-like images, 40 x 40 gray: dark lungs for NORMAL, lungs with a bright
 * patchy opacity for PNEUMONIA, noise on both; and folders of them as PNGs named after the Kaggle
 * patterns ({@code IM-0042-0001.png}, {@code person42_bacteria_3.png}).
 */
public final class SyntheticXrays {

    /** The width and height of every image. */
    public static final int SIZE = 40;

    private SyntheticXrays() {}

    /** @return a small preprocessing for these images: resize the shorter side to 36, crop 32 */
    public static Preprocessing preprocessing() {
        return Preprocessing.builder().resizeShorterSide(36).cropSize(32).build();
    }

    /**
     * Writes a Kaggle-layout data set, {@code train/} and {@code val/}, each with {@code NORMAL/}
     * and {@code PNEUMONIA/}; every image is its own patient, with a random patient number.
     *
     * @param root the folder to write into
     * @param trainPerClass training images per class
     * @param validationPerClass validation images per class
     * @param seed the seed of the images and of the patient numbers
     * @return {@code root}
     */
    public static Path write(Path root, int trainPerClass, int validationPerClass, long seed) {
        Random random = new Random(seed);
        writeSplit(root.resolve("train"), trainPerClass, random);
        writeSplit(root.resolve("val"), validationPerClass, random);
        return root;
    }

    private static void writeSplit(Path folder, int perClass, Random random) {
        for (String label : new String[] {"NORMAL", "PNEUMONIA"}) {
            for (int i = 0; i < perClass; i++) {
                int patient = random.nextInt(1_000_000);
                String name = label.equals("NORMAL")
                        ? String.format(Locale.ROOT, "IM-%04d-%04d.png", patient % 10_000, i)
                        : String.format(Locale.ROOT, "person%d_bacteria_%d.png", patient, i);
                writePng(folder.resolve(label).resolve(name), image(label.equals("PNEUMONIA"), random));
            }
        }
    }

    /**
     * Writes {@code perClass} PNGs into {@code folder/NORMAL} and {@code folder/PNEUMONIA} with names
     * that follow from the seed: {@code IM-<100 seed + i>-0001.png} and
     * {@code person<100 seed + i>_bacteria_<i>.png} (seed 42: {@code IM-4200-0001.png}, ...).
     *
     * @param folder the folder to write into
     * @param perClass images per class
     * @param seed the seed of the images and of their names
     * @return {@code folder}
     */
    public static Path writeImages(Path folder, int perClass, long seed) {
        Random random = new Random(seed);
        for (String label : new String[] {"NORMAL", "PNEUMONIA"}) {
            for (int i = 0; i < perClass; i++) {
                String name = label.equals("NORMAL")
                        ? String.format(Locale.ROOT, "IM-%04d-0001.png", 100 * (int) seed + i)
                        : String.format(Locale.ROOT, "person%d_bacteria_%d.png", 100 * seed + i, i);
                writePng(folder.resolve(label).resolve(name), image(label.equals("PNEUMONIA"), random));
            }
        }
        return folder;
    }

    /**
     * @param file where to write, its folders created when missing
     * @param image the image to write as PNG
     */
    public static void writePng(Path file, BufferedImage image) {
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param pneumonia whether to draw an opacity in the lungs
     * @param random the source of the opacity's place and of the noise
     * @return a {@value #SIZE} x {@value #SIZE} gray image
     */
    public static BufferedImage image(boolean pneumonia, Random random) {
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
