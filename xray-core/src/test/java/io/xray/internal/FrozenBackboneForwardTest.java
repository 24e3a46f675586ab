package io.xray.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A frozen from-scratch backbone (head-only training without the feature cache) runs layer by
 * layer, each layer's activations released once the next layer has its input, instead of every
 * activation of the backbone being kept until the batch's manager closes (4.2 GB for 128 images
 * at 224 px through a full-width ResNet18): the same logits and ReLU measurements as the
 * backbone's own forward pass.
 */
class FrozenBackboneForwardTest {

    private static final int SIZE = 48;
    private static final int COUNT = 4;

    private static NDArray images(NDManager manager, long seed) {
        Random random = new Random(seed);
        float[] chw = new float[COUNT * 3 * SIZE * SIZE];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) random.nextGaussian();
        }
        return manager.create(FloatBuffer.wrap(chw), new Shape(COUNT, 3, SIZE, SIZE));
    }

    private static Network network() {
        return Network.resNet18FromScratch(List.of(8, 16, 32, 64), Device.cpu(), 5);
    }

    @Test
    void trainingStepForward_shouldKeepNoActivationOfAFrozenBackbone() {
        try (Network network = network()) {
            network.setTrainableStages(Set.of("head"));
            network.setTrainingMode(true);
            try (NDManager batch = network.manager().newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray images = images(batch, 1);
                NDArray logits = network.logits(images);
                assertThat(logits.getShape()).isEqualTo(new Shape(COUNT));
                // What the batch's manager still holds: the images (and their channels-last copy and
                // views), the features and the head's arrays, but none of the backbone's
                // 4-dimensional activations; the whole forward pass kept every one of them.
                List<String> activations = batch.getManagedArrays().stream()
                        .filter(a -> a.getShape().dimension() == 4 && a.size() != images.size())
                        .map(a -> a.getShape().toString())
                        .toList();
                assertThat(activations).isEmpty();
                // No parameter of the frozen backbone asks for a gradient, nor do the images, so
                // PyTorch records none of the backbone's operations for the backward pass.
                network.parameters().forEach((name, parameter) -> assertThat(
                        JniUtils.requiresGrad((PtNDArray) parameter.getArray())).as(name)
                        .isEqualTo(Network.stageOf(name).equals("head")));
            }
        }
    }

    @Test
    void frozenBackbone_shouldGiveTheLogitsAndReluStatisticsOfTheWholeForwardPass() {
        try (Network network = network()) {
            float[] expected;
            List<ReluStatistics> expectedRelus;
            // The reference: the backbone's own forward pass in evaluation mode, as it runs when it
            // is not frozen and the thread records gradients (every activation kept).
            network.setTrainableStages(Set.copyOf(Network.STAGES));
            network.setTrainingMode(false);
            try (NDManager batch = network.manager().newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                network.measureReluOnNextForward();
                expected = network.logits(images(batch, 2)).toFloatArray();
                expectedRelus = network.takeReluStatistics();
                assertThat(batch.getManagedArrays().stream().filter(a -> a.getShape().dimension() == 4).count())
                        .as("the reference keeps every activation").isGreaterThan(20);
            }
            network.setTrainableStages(Set.of("head"));
            network.setTrainingMode(true);
            try (NDManager batch = network.manager().newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                network.measureReluOnNextForward();
                float[] actual = network.logits(images(batch, 2)).toFloatArray();
                List<ReluStatistics> relus = network.takeReluStatistics();
                assertThat(actual).containsExactly(expected);
                assertThat(relus).hasSize(17).hasSameSizeAs(expectedRelus);
                for (int i = 0; i < relus.size(); i++) {
                    assertThat(relus.get(i).layer()).isEqualTo(expectedRelus.get(i).layer());
                    assertThat(relus.get(i).channelActivity()).containsExactly(expectedRelus.get(i).channelActivity());
                    assertThat(relus.get(i).inputVariance()).isEqualTo(expectedRelus.get(i).inputVariance());
                }
            }
            // The feature cache's features are the same backbone pass.
            try (NDManager batch = network.manager().newSubManager()) {
                float[] features = network.features(images(batch, 2).toFloatArray(), COUNT, SIZE);
                assertThat(features).hasSize(COUNT * network.featureSize());
            }
        }
    }
}
