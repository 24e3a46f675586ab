package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.image.TrainingAugmentation;
import io.xray.internal.Network;
import io.xray.model.Classifier;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frozen-backbone feature cache: head-only training without augmentation on features computed
 * once gives the run that computes them in every step, and a model that predicts alike.
 */
class FeatureCacheTest {

    @TempDir
    static Path temp;

    static Dataset dataset;
    static Path fixture;

    @BeforeAll
    static void setUp() throws Exception {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 14, 6, 21));
        fixture = Path.of(TorchScriptBackboneTest.class.getResource("resnet18-tiny-features.pt").toURI());
    }

    static ResNetFineTuner.Builder headOnly(Path output, Backbone backbone) {
        return ResNetFineTunerFitTest.tiny(output)
                .backbone(backbone)
                .trainableLayers(TrainableLayers.headOnly())
                .noAugmentation()
                .learningRate(0.02)
                .epochs(3)
                .progressEveryBatches(0);
    }

    @Test
    void scratchBackboneHeadOnly_cachedAndUncached_shouldGiveTheSameEpochsAndModel() {
        assertSameRuns(Backbone.resNet18FromScratch(4, 8, 16, 32), "scratch");
    }

    @Test
    void torchScriptBackboneHeadOnly_cachedAndUncached_shouldGiveTheSameEpochsAndModel() {
        assertSameRuns(Backbone.torchScript(fixture), "torchscript");
    }

    private static void assertSameRuns(Backbone backbone, String name) {
        long before = FeatureCache.IMAGES_COMPUTED.get();
        FitResult cached = headOnly(temp.resolve(name + "-cached"), backbone).build().fit(dataset);
        long computed = FeatureCache.IMAGES_COMPUTED.get() - before;
        FitResult uncached = headOnly(temp.resolve(name + "-uncached"), backbone).featureCache(false).build().fit(dataset);

        int images = dataset.records(Split.TRAIN).size() + dataset.records(Split.VAL).size();
        assertThat(computed).as("each training and validation image's features, computed once for 3 epochs")
                .isEqualTo(images);
        assertThat(FeatureCache.IMAGES_COMPUTED.get() - before).as("the uncached run computes none").isEqualTo(computed);
        assertThat(cached.history()).hasSameSizeAs(uncached.history());
        for (int i = 0; i < cached.history().size(); i++) {
            EpochResult c = cached.history().get(i);
            EpochResult u = uncached.history().get(i);
            assertThat(c.trainLoss()).as("train loss, epoch %d", i + 1).isCloseTo(u.trainLoss(), within(1e-4));
            assertThat(c.validationLoss()).as("validation loss, epoch %d", i + 1).isCloseTo(u.validationLoss(), within(1e-4));
            assertThat(c.validation().rocAuc()).isCloseTo(u.validation().rocAuc(), within(1e-6));
            assertThat(c.validation().f1()).isCloseTo(u.validation().f1(), within(1e-6));
        }
        assertThat(cached.history().get(2).trainLoss()).as("the head learns")
                .isNotCloseTo(cached.history().get(0).trainLoss(), within(1e-6));
        assertThat(cached.bestEpoch()).isEqualTo(uncached.bestEpoch());
        assertThat(cached.threshold().threshold()).isCloseTo(uncached.threshold().threshold(), within(1e-4));
        assertThat(cached.validationMetrics().f1()).isCloseTo(uncached.validationMetrics().f1(), within(1e-6));

        List<ImageRecord> probe = dataset.records(Split.VAL);
        try (Classifier a = Classifier.load(cached.artifactDirectory());
                Classifier b = Classifier.load(uncached.artifactDirectory())) {
            for (ImageRecord record : probe) {
                assertThat(a.predict(record.path()).probability()).as(record.path().toString())
                        .isCloseTo(b.predict(record.path()).probability(), within(1e-5));
            }
        }
    }

    @Test
    void trainLogits_shouldBeTheNetworksLogitsOfThoseTrainingImages() {
        // what the debugger's comparable training loss reads with the cache, instead of a network pass
        ResNetFineTuner config = headOnly(temp.resolve("train-logits"), Backbone.resNet18FromScratch(4, 8, 16, 32))
                .seed(31).build();
        List<ImageRecord> train = dataset.records(Split.TRAIN);
        List<ImageRecord> validation = dataset.records(Split.VAL);
        ImageCache trainCache = ImageCache.build("train", train, config.decoder(), config.preprocessing(), 1);
        ImageCache validationCache = ImageCache.build("validation", validation, config.decoder(), config.preprocessing(), 1);
        try (Network network = Network.create(config.backbone(), ai.djl.Device.cpu(), 31)) {
            network.setTrainableStages(java.util.Set.of("head"));
            FeatureCache cache = FeatureCache.build(network, trainCache, validation, validationCache, config);
            int[] indices = {trainCache.size() - 1, 0, 3};
            List<float[]> images = new java.util.ArrayList<>();
            for (int index : indices) {
                images.add(config.preprocessing().normalize(config.preprocessing().centreCrop(trainCache.image(index))));
            }
            float[] expected = network.logits(images, config.preprocessing().cropSize(), 8);
            float[] actual = cache.trainLogits(indices);
            assertThat(actual).hasSize(3);
            for (int i = 0; i < indices.length; i++) {
                assertThat(actual[i]).as("training image %d", indices[i]).isCloseTo(expected[i], within(1e-4f));
            }
            assertThat(actual[0]).isNotCloseTo(actual[1], within(1e-6f));
        }
    }

    @Test
    void secondRunOnTheSameBackboneAndImages_shouldReuseTheFeaturesAndStillTrainItsOwnHead() {
        Backbone backbone = Backbone.resNet18FromScratch(4, 8, 16, 32);
        long before = FeatureCache.IMAGES_COMPUTED.get();
        FitResult first = headOnly(temp.resolve("memo-1"), backbone).seed(8).build().fit(dataset);
        long afterFirst = FeatureCache.IMAGES_COMPUTED.get();
        FitResult second = headOnly(temp.resolve("memo-2"), backbone).seed(8).learningRate(0.05).batchSize(6).build()
                .fit(dataset);
        FitResult otherSeed = headOnly(temp.resolve("memo-3"), backbone).seed(9).epochs(1).build().fit(dataset);

        int images = dataset.records(Split.TRAIN).size() + dataset.records(Split.VAL).size();
        assertThat(afterFirst - before).isEqualTo(images);
        assertThat(FeatureCache.IMAGES_COMPUTED.get() - afterFirst)
                .as("the second run reuses them; another seed is another from-scratch backbone").isEqualTo(images);
        assertThat(second.history().get(0).trainLoss()).isNotCloseTo(first.history().get(0).trainLoss(), within(1e-6));
        assertThat(otherSeed.history()).hasSize(1);
    }

    @Test
    void augmentationOrTrainableBackbone_shouldNotUseTheCache() {
        long before = FeatureCache.IMAGES_COMPUTED.get();
        headOnly(temp.resolve("augmented"), Backbone.resNet18FromScratch(4, 8, 16, 32))
                .augmentation(TrainingAugmentation.builder(SyntheticXrays.preprocessing()).build())
                .epochs(1).build().fit(dataset);
        headOnly(temp.resolve("last-stage"), Backbone.resNet18FromScratch(4, 8, 16, 32))
                .trainableLayers(TrainableLayers.lastStages(1))
                .epochs(1).build().fit(dataset);
        assertThat(FeatureCache.IMAGES_COMPUTED.get()).isEqualTo(before);
    }
}
