package io.xray.batch;

import ai.djl.Device;
import io.xray.data.Dataset;
import io.xray.image.Preprocessing;
import io.xray.train.Backbone;
import io.xray.train.ResNetFineTuner;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Tiny learnable X-ray-like PNGs (40 px: dark lungs, plus a bright blob for pneumonia) and one tiny
 * model trained on them for one epoch, shared by the tests of this JVM.
 */
final class TinyModel {

    static final int SIZE = 40;
    private static Path directory;

    private TinyModel() {}

    /** @return the tiny model's directory, training it on first use */
    static synchronized Path directory() {
        if (directory == null) {
            try {
                Path work = Files.createTempDirectory("xray-batch-model");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(work)));
                Path data = work.resolve("data");
                writeImages(data.resolve("train"), 12, 1);
                writeImages(data.resolve("val"), 6, 2);
                directory = ResNetFineTuner.builder()
                        .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
                        .preprocessing(Preprocessing.builder().resizeShorterSide(36).cropSize(32).build())
                        .batchSize(8)
                        .epochs(1)
                        .learningRate(3e-3)
                        .earlyStoppingPatience(0)
                        .seed(7)
                        .device(Device.cpu())
                        .decodeThreads(1)
                        .outputDirectory(work.resolve("run"))
                        .build()
                        .fit(Dataset.fromDirectory(data))
                        .artifactDirectory();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return directory;
    }

    /** Writes {@code perClass} PNGs into {@code folder/NORMAL} and {@code folder/PNEUMONIA}. */
    static Path writeImages(Path folder, int perClass, long seed) {
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

    static void writePng(Path file, BufferedImage image) {
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
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

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
