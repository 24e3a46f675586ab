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
import org.junit.jupiter.api.Test;

/**
 * The TorchScript module that xray writes from the folded ResNet18 loads into the engine and
 * computes the folded network's logits: exactly (up to float rounding) with float32 storages, and
 * within bfloat16's rounding with bfloat16 convolutions; the bfloat16 conversion rounds to nearest even.
 */
class ScriptedResNetTest {

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

    /** Moves every parameter away from its initial value, so that the logits differ from image to image. */
    private static void perturb(Network network, long seed) {
        Random random = new Random(seed);
        for (Map.Entry<String, Parameter> entry : network.parameters().entrySet()) {
            NDArray array = entry.getValue().getArray();
            float[] values = array.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] = entry.getValue().getType() == Parameter.Type.RUNNING_VAR
                        ? values[i] * (0.5f + random.nextFloat())
                        : values[i] * (0.5f + random.nextFloat()) + 0.05f * (float) random.nextGaussian();
            }
            array.set(FloatBuffer.wrap(values));
        }
    }

    private static double largestDifference(float[] a, float[] b) {
        double largest = 0;
        for (int i = 0; i < a.length; i++) {
            largest = Math.max(largest, Math.abs(a[i] - b[i]));
        }
        return largest;
    }

    private static double spread(float[] values) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min;
    }

    @Test
    void bfloat16Inference_shouldGiveTheFloat32LogitsWithinBfloat16Rounding() {
        try (Network network = Network.resNet18FromScratch(List.of(8, 16, 32, 64), Device.cpu(), 5)) {
            perturb(network, 5);
            float[] chw = images(7);
            float[] fp32 = network.inferLogits(chw, COUNT, SIZE, false);
            float[] bf16 = network.inferLogits(chw, COUNT, SIZE, true);

            assertThat(spread(fp32)).as("the images must give different logits").isGreaterThan(1e-3);
            double scale = 0;
            for (float f : fp32) {
                scale = Math.max(scale, Math.abs(f));
            }
            // bfloat16 keeps 8 significant bits: relative rounding 2^-9 per operation, a few percent through 17 layers.
            assertThat(largestDifference(fp32, bf16)).isLessThan(0.05 * Math.max(1, scale)).isGreaterThan(0);
            // The same batch twice: the module is made once and reused.
            assertThat(network.inferLogits(chw, COUNT, SIZE, true)).containsExactly(bf16);
        }
    }

    @Test
    void float32Module_shouldGiveTheFoldedNetworksLogits() {
        try (Network network = Network.resNet18FromScratch(List.of(8, 16, 32, 64), Device.cpu(), 6)) {
            perturb(network, 6);
            float[] chw = images(8);
            float[] folded = network.inferLogits(chw, COUNT, SIZE, false);
            try (NDManager manager = network.manager().newSubManager();
                    ScriptedResNet scripted = ScriptedResNet.load(network.folded(), TorchScriptArchive.ElementType.FLOAT,
                            manager)) {
                NDArray images = Network.channelsLast(manager.create(FloatBuffer.wrap(chw), new Shape(COUNT, 3, SIZE, SIZE)));
                float[] script = scripted.logits(images).toFloatArray();
                assertThat(largestDifference(folded, script)).isLessThan(1e-4 * Math.max(1, spread(folded)));
            }
        }
    }

    @Test
    void toBfloat16_shouldRoundToNearestEven() {
        assertThat(TorchScriptArchive.toBfloat16(1.0f)).isEqualTo((short) 0x3f80);
        assertThat(TorchScriptArchive.toBfloat16(-2.25f)).isEqualTo((short) 0xc010);
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa, 1.
        assertThat(TorchScriptArchive.toBfloat16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80);
        // 1 + 3 * 2^-8: halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
        assertThat(TorchScriptArchive.toBfloat16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82);
        assertThat(TorchScriptArchive.toBfloat16(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
        assertThat(Float.isNaN(Float.intBitsToFloat(TorchScriptArchive.toBfloat16(Float.NaN) << 16))).isTrue();
    }
}
