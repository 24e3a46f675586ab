package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.xray.InvalidConfigurationException;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.internal.Network;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingBenchmarkTest {

    @TempDir
    Path dir;

    private ResNetFineTuner config(int batch) {
        return ResNetFineTuner.builder()
                .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
                .preprocessing(SyntheticXrays.preprocessing())
                .batchSize(batch)
                .outputDirectory(dir)
                .build();
    }

    @Test
    void trainingStepSeconds_shouldTimeEachStepAfterWarmUp() {
        double[] seconds = TrainingBenchmark.trainingStepSeconds(config(4), Device.cpu(), 1, 3);
        assertThat(seconds).hasSize(3);
        assertThat(java.util.Arrays.stream(seconds).min().orElseThrow()).isPositive();
    }

    @Test
    void trainingSteps_shouldNotAccumulateArraysInTheNetworksManager() {
        try (Network network = Network.resNet18FromScratch(List.of(4, 8, 16, 32), Device.cpu(), 1)) {
            network.setTrainableStages(Set.copyOf(Network.STAGES));
            StatefulOptimizer optimizer = StatefulOptimizer.create(OptimizerKind.ADAMW, network.manager(), 1e-4f, 0.9f);
            TrainingStep step = new TrainingStep(network, optimizer, 0.5f);
            float[][] batch = TrainingStepTest.syntheticBatch(new Random(1), 4, 32);
            step.run(batch[0], batch[1], 4, 32, 1, 1e-3f); // creates the optimiser's state
            int arrays = network.manager().getManagedArrays().size();
            for (int s = 2; s <= 15; s++) {
                step.run(batch[0], batch[1], 4, 32, s, 1e-3f);
            }
            assertThat(network.manager().getManagedArrays()).hasSize(arrays);
        }
    }

    @Test
    void pipeline_onTheShippedSamples_shouldDeliverWholeAugmentedBatches() {
        Dataset samples = Dataset.fromDirectory(Path.of("..", "sample-data", "chest_xray"));
        ResNetFineTuner config = config(8);
        TrainingBenchmark.PipelineTiming timing = TrainingBenchmark.pipeline(config, samples.records(), 60);
        assertThat(timing.cachedImages()).isEqualTo(samples.size());
        assertThat(timing.cacheSeconds()).isPositive();
        assertThat(timing.batchSize()).isEqualTo(8);
        // More batches than one pass over the images holds: the pipeline goes on to a second epoch.
        assertThat(timing.batchSeconds()).hasSize(60);
        assertThat(java.util.Arrays.stream(timing.batchSeconds()).min().orElseThrow()).isPositive();
    }

    @Test
    void pipeline_withFewerImagesThanOneBatch_shouldNameTheProblem() {
        Dataset samples = Dataset.fromDirectory(Path.of("..", "sample-data", "chest_xray"));
        assertThatThrownBy(() -> TrainingBenchmark.pipeline(config(8), samples.records().subList(0, 5), 2))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("fewer than one batch");
    }
}
