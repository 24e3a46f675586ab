package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.xray.backbone.Backbone;
import io.xray.backbone.BackboneKind;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.internal.Network;
import io.xray.model.Classifier;
import io.xray.model.ModelArtifact;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning the committed TorchScript ResNet18 fixture (4/8/16/32 channels, fc = Identity). */
class TorchScriptBackboneTest {

    @TempDir
    static Path temp;

    static Path fixture;
    static Dataset dataset;

    @BeforeAll
    static void setUp() throws Exception {
        fixture = Path.of(TorchScriptBackboneTest.class.getResource("resnet18-tiny-features.pt").toURI());
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 16, 8, 11));
    }

    static float[] randomImages(long seed, int count, float shift) {
        Random random = new Random(seed);
        float[] chw = new float[count * 3 * 32 * 32];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) random.nextGaussian() * 2 + shift;
        }
        return chw;
    }

    @Test
    void fixture_loadedAsBackbone_shouldExposeTorchvisionNamesAndItsFeatureSize() {
        try (Network network = Network.torchScript(fixture, Device.cpu(), 1)) {
            assertThat(network.architecture().backbone()).isEqualTo(BackboneKind.TORCHSCRIPT);
            assertThat(network.architecture().featureSize()).isEqualTo(32);
            assertThat(network.parameters()).containsKeys("conv1.weight", "layer4.1.bn2.weight", "head.weight");
            network.setTrainableStages(TrainableLayers.lastStages(1).stages());
            assertThat(network.trainableParameters().keySet())
                    .isNotEmpty()
                    .allMatch(name -> name.startsWith("layer4.") || name.startsWith("head."));
        }
    }

    @Test
    void batchNormRunningStatistics_shouldChangeInTrainingModeAndNotInEvaluationMode() {
        float[] probe = randomImages(1, 4, 0f);
        float[] other = randomImages(2, 8, 3f);
        try (Network network = Network.torchScript(fixture, Device.cpu(), 1)) {
            network.setTrainingMode(false);
            float[] before = network.inferLogits(probe, 4, 32);
            network.inferLogits(other, 8, 32);
            assertThat(network.inferLogits(probe, 4, 32)).as("evaluation leaves the statistics").containsExactly(before);

            network.setTrainingMode(true);
            try (NDManager batch = network.manager().newSubManager()) {
                network.logits(batch.create(other, new Shape(8, 3, 32, 32)));
            }
            network.setTrainingMode(false);
            float[] after = network.inferLogits(probe, 4, 32);
            assertThat(after).as("training mode updates the statistics").isNotEqualTo(before);
        }
    }

    @Test
    void djlAlone_onALoadedTorchScriptModule_shouldNotSwitchToTrainingMode() throws Exception {
        // The pitfall Network.setTrainingMode exists for: forward(training = true) right after
        // loading runs the module in evaluation mode, so BatchNorm statistics stay frozen.
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(fixture)
                .optEngine("PyTorch")
                .optOption("trainParam", "true")
                .build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel(); NDManager manager = NDManager.newBaseManager()) {
            NDArray probe = manager.create(randomImages(1, 4, 0f), new Shape(4, 3, 32, 32));
            NDArray other = manager.create(randomImages(2, 8, 3f), new Shape(8, 3, 32, 32));
            ParameterStore store = new ParameterStore(manager, false);
            NDArray inTraining = model.getBlock().forward(store, new NDList(probe), true).get(0);
            model.getBlock().forward(store, new NDList(other), true);
            NDArray again = model.getBlock().forward(store, new NDList(probe), true).get(0);
            assertThat(again.toFloatArray()).containsExactly(inTraining.toFloatArray());
        }
    }

    @Test
    void headOnlyFineTuning_shouldLeaveEveryBackboneParameterUnchanged() {
        FitResult result = tuner(temp.resolve("head-only")).trainableLayers(TrainableLayers.headOnly()).epochs(2).build()
                .fit(dataset);
        Map<String, float[]> original = values(fixture, null);
        Map<String, float[]> trained = values(null, result.artifactDirectory());
        assertThat(trained.keySet()).isEqualTo(original.keySet());
        original.forEach((name, value) -> {
            if (name.startsWith("head.")) {
                assertThat(trained.get(name)).as(name).isNotEqualTo(value);
            } else {
                assertThat(trained.get(name)).as(name).containsExactly(value);
            }
        });
    }

    @Test
    void fullFineTuning_shouldTrainTheBackboneAndServeThroughClassifier() {
        FitResult result = tuner(temp.resolve("all")).trainableLayers(TrainableLayers.all()).epochs(5).build()
                .fit(dataset);
        assertThat(result.history().get(4).trainLoss()).isLessThan(result.history().get(0).trainLoss());
        Map<String, float[]> original = values(fixture, null);
        Map<String, float[]> trained = values(null, result.artifactDirectory());
        assertThat(trained.get("layer4.1.conv2.weight")).isNotEqualTo(original.get("layer4.1.conv2.weight"));
        assertThat(ModelArtifact.read(result.artifactDirectory()).architecture().weightFiles())
                .containsOnlyKeys(Network.BACKBONE_WEIGHTS, Network.HEAD_WEIGHTS);

        List<ImageRecord> records = dataset.records(Split.VAL);
        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            double[] evaluated = classifier.score(records);
            // One image at a time and a batch at a time round differently by a few float32 ulps of the
            // logit (1.4e-6 here since this narrow fixture trains on contiguous images, see Network).
            for (int i = 0; i < records.size(); i++) {
                assertThat(classifier.predict(records.get(i).path()).probability()).isCloseTo(evaluated[i], within(1e-5));
            }
            assertThat(classifier.evaluate(records).rocAuc()).isCloseTo(result.validationMetrics().rocAuc(), within(1e-9));
        }
    }

    private static ResNetFineTuner.Builder tuner(Path output) {
        return ResNetFineTunerFitTest.tiny(output).backbone(Backbone.torchScript(fixture)).progressEveryBatches(0);
    }

    /** Gradient-trained parameter values of the fixture (file) or of a saved model (directory). */
    private static Map<String, float[]> values(Path file, Path modelDirectory) {
        Map<String, float[]> values = new LinkedHashMap<>();
        try (Network network = file != null
                ? Network.torchScript(file, Device.cpu(), 1)
                : Network.load(ModelArtifact.read(modelDirectory).architecture(), modelDirectory, Device.cpu())) {
            for (Map.Entry<String, Parameter> entry : network.parameters().entrySet()) {
                values.put(entry.getKey(), entry.getValue().getArray().toFloatArray());
            }
        }
        return values;
    }
}
