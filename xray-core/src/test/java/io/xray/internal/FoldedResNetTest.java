package io.xray.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Evaluation with BatchNorm folded into the convolutions, and channels-last inputs, give the
 * logits of the plain block-by-block forward pass, on parameters and statistics that are far from
 * their initial values; and neither leaves arrays behind batch after batch.
 */
class FoldedResNetTest {

    private static final int SIZE = 48;
    private static final int COUNT = 6;

    private static float[] images(long seed) {
        Random random = new Random(seed);
        float[] chw = new float[COUNT * 3 * SIZE * SIZE];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) random.nextGaussian() + 0.3f;
        }
        return chw;
    }

    /** Moves every parameter and running statistic away from its initial value, as training would. */
    private static void perturb(Network network, long seed) {
        network.setTrainingMode(true);
        try (NDManager batch = network.manager().newSubManager()) {
            // Training-mode forward passes update the BatchNorm running statistics.
            for (int i = 0; i < 3; i++) {
                network.logits(batch.create(FloatBuffer.wrap(images(seed + i)), new Shape(COUNT, 3, SIZE, SIZE)));
            }
        }
        Random random = new Random(seed);
        for (Map.Entry<String, Parameter> entry : network.parameters().entrySet()) {
            NDArray array = entry.getValue().getArray();
            float[] values = array.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] = entry.getValue().getType() == Parameter.Type.RUNNING_VAR
                        ? values[i] * (0.5f + random.nextFloat())
                        : values[i] * (0.5f + random.nextFloat()) + 0.1f * (float) random.nextGaussian();
            }
            array.set(FloatBuffer.wrap(values));
        }
    }

    private static float[] withProperty(String property, String value, Supplier<float[]> action) {
        String before = System.getProperty(property);
        System.setProperty(property, value);
        try {
            return action.get();
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("logit %d: %s vs %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-4f * Math.max(1f, scale));
        }
    }

    @Test
    void foldedEvaluation_onTrainedParameters_shouldGiveTheBlockForwardLogits() {
        try (Network network = Network.resNet18FromScratch(List.of(4, 8, 16, 32), Device.cpu(), 7)) {
            perturb(network, 11);
            network.setTrainingMode(false);
            float[] chw = images(99);
            float[] plain = withProperty(Network.FOLD_BATCH_NORM_PROPERTY, "false",
                    () -> withProperty(Network.CHANNELS_LAST_PROPERTY, "false", () -> network.inferLogits(chw, COUNT, SIZE)));
            float[] folded = network.inferLogits(chw, COUNT, SIZE);
            float[] foldedContiguous = withProperty(Network.CHANNELS_LAST_PROPERTY, "false",
                    () -> network.inferLogits(chw, COUNT, SIZE));
            assertThat(plain).doesNotContain(0f);
            assertClose(folded, plain);
            assertClose(foldedContiguous, plain);
        }
    }

    @Test
    void foldedSnapshot_afterMoreTraining_shouldFollowTheNewParameters() {
        try (Network network = Network.resNet18FromScratch(List.of(4, 8, 16, 32), Device.cpu(), 7)) {
            float[] chw = images(5);
            network.setTrainingMode(false);
            float[] before = network.inferLogits(chw, COUNT, SIZE);
            perturb(network, 23); // switches to training mode, which drops the snapshot
            float[] after = network.inferLogits(chw, COUNT, SIZE);
            float[] plainAfter = withProperty(Network.FOLD_BATCH_NORM_PROPERTY, "false",
                    () -> network.inferLogits(chw, COUNT, SIZE));
            assertClose(after, plainAfter);
            assertThat(after).isNotEqualTo(before);
        }
    }

    @Test
    void channelsLastInput_shouldKeepShapeAndValues_andTrainingForwardShouldAgree() {
        try (Network network = Network.resNet18FromScratch(List.of(4, 8, 16, 32), Device.cpu(), 3);
                NDManager batch = network.manager().newSubManager()) {
            NDArray images = batch.create(FloatBuffer.wrap(images(1)), new Shape(COUNT, 3, SIZE, SIZE));
            NDArray reordered = Network.channelsLast(images);
            assertThat(reordered.getShape()).isEqualTo(images.getShape());
            assertThat(reordered.toFloatArray()).isEqualTo(images.toFloatArray());
            network.setTrainableStages(Set.of());
            network.setTrainingMode(true);
            float[] channelsLast = network.logits(images).toFloatArray();
            float[] contiguous = withProperty(Network.CHANNELS_LAST_PROPERTY, "false",
                    () -> network.logits(images).toFloatArray());
            assertClose(channelsLast, contiguous);
        }
    }

    @Test
    void probabilitiesOfAList_shouldEqualThoseOfTheConcatenatedBatch_inEitherLayout() {
        try (Network network = Network.resNet18FromScratch(List.of(4, 8, 16, 32), Device.cpu(), 5)) {
            perturb(network, 3);
            float[] chw = images(8);
            int plane = 3 * SIZE * SIZE;
            List<float[]> list = new java.util.ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                list.add(java.util.Arrays.copyOfRange(chw, i * plane, (i + 1) * plane));
            }
            float[] logits = network.inferLogits(chw, COUNT, SIZE);
            // Batches of 4 then 2: the pooled input buffer is reused for a smaller batch.
            double[] probabilities = network.probabilities(list, SIZE, 4);
            double[] contiguous = new double[COUNT];
            float[] contiguousLogits = withProperty(Network.CHANNELS_LAST_PROPERTY, "false",
                    () -> network.inferLogits(chw, COUNT, SIZE));
            for (int i = 0; i < COUNT; i++) {
                contiguous[i] = Network.sigmoid(contiguousLogits[i]);
                assertThat(probabilities[i]).isCloseTo(Network.sigmoid(logits[i]), org.assertj.core.data.Offset.offset(1e-6));
                assertThat(contiguous[i]).isCloseTo(probabilities[i], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void directBuffers_shouldReuseAGivenBackBuffer_andGrowWhenTooSmall() {
        DirectBuffers buffers = new DirectBuffers();
        java.nio.ByteBuffer first = buffers.take(64);
        first.putFloat(0, 1f).position(8);
        buffers.give(first);
        java.nio.ByteBuffer again = buffers.take(32);
        assertThat(again).isSameAs(first);
        assertThat(again.position()).isZero();
        assertThat(again.order()).isEqualTo(java.nio.ByteOrder.nativeOrder());
        buffers.give(again);
        assertThat(buffers.take(128).capacity()).isGreaterThanOrEqualTo(128);
    }

    @Test
    void evaluationBatches_shouldNotAccumulateArraysInTheNetworksManager() {
        try (Network network = Network.resNet18FromScratch(List.of(4, 8, 16, 32), Device.cpu(), 3)) {
            network.setTrainingMode(false);
            float[] chw = images(2);
            network.inferLogits(chw, COUNT, SIZE); // makes the folded snapshot
            int arrays = network.manager().getManagedArrays().size();
            for (int i = 0; i < 20; i++) {
                network.inferLogits(chw, COUNT, SIZE);
            }
            assertThat(network.manager().getManagedArrays()).hasSize(arrays);
            network.setTrainingMode(true);
            network.setTrainingMode(false);
            network.inferLogits(chw, COUNT, SIZE); // a new snapshot replaces the old one
            assertThat(network.manager().getManagedArrays()).hasSize(arrays);
        }
    }
}
