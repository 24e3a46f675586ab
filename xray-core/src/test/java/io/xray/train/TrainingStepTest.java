package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.xray.internal.Network;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainingStepTest {

    static float[][] syntheticBatch(Random random, int count, int size) {
        float[] chw = new float[count * 3 * size * size];
        float[] labels = new float[count];
        int plane = size * size;
        for (int i = 0; i < count; i++) {
            labels[i] = i % 2;
            float shift = labels[i] == 1 ? 0.8f : -0.8f;
            for (int p = 0; p < plane; p++) {
                float v = (float) random.nextGaussian() + shift;
                for (int c = 0; c < 3; c++) {
                    chw[i * 3 * plane + c * plane + p] = v;
                }
            }
        }
        return new float[][] {chw, labels};
    }

    @Test
    void torchScriptNetwork_onSeparableBatches_shouldReduceLoss() throws Exception {
        java.nio.file.Path fixture = java.nio.file.Path.of(getClass().getResource("resnet18-tiny-features.pt").toURI());
        try (Network network = Network.torchScript(fixture, Device.cpu(), 1)) {
            run(network);
        }
    }

    @Test
    void scratchNetwork_onSeparableBatches_shouldReduceLoss() {
        try (Network network = Network.resNet18FromScratch(List.of(4, 8, 16, 32), Device.cpu(), 1)) {
            run(network);
        }
    }

    private static void run(Network network) {
        {
            network.setTrainableStages(Set.copyOf(Network.STAGES));
            StatefulOptimizer optimizer = StatefulOptimizer.create(OptimizerKind.ADAMW, network.manager(), 1e-4f, 0.9f);
            TrainingStep step = new TrainingStep(network, optimizer, 1f);
            Random random = new Random(3);
            float first = 0;
            float last = 0;
            for (int s = 1; s <= 30; s++) {
                float[][] batch = syntheticBatch(random, 16, 32);
                float loss = step.run(batch[0], batch[1], 16, 32, s, 3e-3f);
                if (s <= 3) {
                    first += loss / 3;
                }
                if (s > 27) {
                    last += loss / 3;
                }
            }
            assertThat(last).as("mean loss of the last 3 steps vs the first 3").isLessThan(first * 0.5f);
        }
    }
}
