package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.data.Dataset;
import io.xray.image.Preprocessing;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trainings that share a {@link SharedImageCache} decode each split once between them and train
 * exactly as trainings that decode their own images; another resize size decodes again.
 */
class SharedImageCacheTest {

    @TempDir
    static Path temp;

    static Dataset dataset;

    @BeforeAll
    static void setUp() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 10, 4, 5));
    }

    private static ResNetFineTuner.Builder run(String name, double learningRate) {
        return ResNetFineTunerFitTest.tiny(temp.resolve(name)).epochs(2).learningRate(learningRate).progressEveryBatches(0);
    }

    private static List<String> losses(FitResult result) {
        return result.history().stream().map(e -> e.trainLoss() + " " + e.validationLoss() + " " + e.validation().f1())
                .toList();
    }

    @Test
    void trainingsSharingTheCache_shouldDecodeOnce_andTrainAsAlone() {
        SharedImageCache shared = new SharedImageCache();
        run("first", 3e-3).sharedImages(shared).build().fit(dataset);
        assertThat(shared.decodings()).as("the training and the validation images").isEqualTo(2);
        FitResult second = run("second", 1e-2).sharedImages(shared).build().fit(dataset);
        assertThat(shared.decodings()).as("the second training reuses them").isEqualTo(2);
        FitResult alone = run("alone", 1e-2).build().fit(dataset);
        assertThat(losses(second)).isEqualTo(losses(alone));
        assertThat(second.threshold().threshold()).isEqualTo(alone.threshold().threshold());

        Preprocessing other = Preprocessing.builder()
                .resizeShorterSide(SyntheticXrays.preprocessing().resizeShorterSide() + 8)
                .cropSize(SyntheticXrays.preprocessing().cropSize())
                .build();
        run("resized", 3e-3).preprocessing(other).sharedImages(shared).build().fit(dataset);
        assertThat(shared.decodings()).as("another resize size decodes the images again").isEqualTo(4);
        shared.clear();
        assertThat(shared.images()).isZero();
    }
}
