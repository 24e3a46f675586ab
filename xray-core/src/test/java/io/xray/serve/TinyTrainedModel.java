package io.xray.serve;

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
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A real model made by the real trainer, as small as it gets: a from-scratch ResNet18 with stage
 * widths 4-8-16-32 at 32 px, one epoch on 12 synthetic X-ray-like training images.
 */
final class TinyTrainedModel {

    static final int SIZE = 40;
    static final Preprocessing PREPROCESSING = Preprocessing.builder().resizeShorterSide(36).cropSize(32).build();

    private TinyTrainedModel() {
    }

    /**
     * Trains the model.
     *
     * @param root an empty working directory (a JUnit {@code @TempDir})
     * @return the model directory
     */
    static Path train(Path root) {
        try {
            Dataset dataset = Dataset.fromDirectory(writeData(root.resolve("data"), 6, 3, 11));
            return ResNetFineTuner.builder()
                    .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
                    .preprocessing(PREPROCESSING)
                    .noAugmentation()
                    .batchSize(6)
                    .epochs(1)
                    .earlyStoppingPatience(0)
                    .seed(3)
                    .device(Device.cpu())
                    .decodeThreads(1)
                    .outputDirectory(root.resolve("run"))
                    .build()
                    .fit(dataset)
                    .artifactDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a Kaggle-layout folder of synthetic images, each its own patient. */
    static Path writeData(Path root, int trainPerClass, int validationPerClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (String split : new String[] {"train", "val"}) {
            int perClass = split.equals("train") ? trainPerClass : validationPerClass;
            for (String label : new String[] {"NORMAL", "PNEUMONIA"}) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(label));
                for (int i = 0; i < perClass; i++) {
                    int patient = random.nextInt(1_000_000);
                    String name = label.equals("NORMAL")
                            ? String.format(Locale.ROOT, "IM-%04d-%04d.png", patient % 10_000, i)
                            : String.format(Locale.ROOT, "person%d_bacteria_%d.png", patient, i);
                    ImageIO.write(xray(label.equals("PNEUMONIA"), random), "png", dir.resolve(name).toFile());
                }
            }
        }
        return root;
    }

    /** Dark lungs, with a bright patch when {@code pneumonia}, and noise. */
    static BufferedImage xray(boolean pneumonia, Random random) {
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
