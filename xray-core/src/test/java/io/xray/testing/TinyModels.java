package io.xray.testing;

import ai.djl.Device;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.train.ResNetFineTuner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real model made by the real trainer, as small as it gets, trained once per JVM and shared by
 * the tests that only use a model: a from-scratch ResNet18 with stage widths 4-8-16-32 at 32 px
 * ({@link SyntheticXrays#preprocessing()}), one epoch without augmentation on 6 + 6 synthetic
 * X-rays, validated on 3 + 3 ({@link SyntheticXrays#write} with seed 11), training seed 3. Tests
 * must not change its directory.
 */
public final class TinyModels {

    private static Path directory;

    private TinyModels() {}

    /**
     * @return the shared model's directory, trained on first use into a temporary folder that is
     *     deleted when the JVM exits
     */
    public static synchronized Path directory() {
        if (directory == null) {
            try {
                Path work = Files.createTempDirectory("xray-tiny-model");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(work)));
                directory = train(work);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return directory;
    }

    private static Path train(Path work) {
        return train(work, Backbone.resNet18FromScratch(4, 8, 16, 32));
    }

    /**
     * Trains a model as the shared one is trained, with another backbone.
     *
     * @param work an empty folder: the synthetic data go to {@code data/}, the run to {@code run/}
     * @param backbone the backbone
     * @return the model directory
     */
    public static Path train(Path work, Backbone backbone) {
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(work.resolve("data"), 6, 3, 11));
        return ResNetFineTuner.builder()
                .backbone(backbone)
                .preprocessing(SyntheticXrays.preprocessing())
                .noAugmentation()
                .batchSize(6)
                .epochs(1)
                .earlyStoppingPatience(0)
                .seed(3)
                .device(Device.cpu())
                .decodeThreads(1)
                .outputDirectory(work.resolve("run"))
                .build()
                .fit(dataset)
                .artifactDirectory();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort, at exit
        }
    }
}
