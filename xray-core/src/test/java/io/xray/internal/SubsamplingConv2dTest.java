package io.xray.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * oneDNN's weight gradient of a strided 1x1 convolution on a channels-last input narrower than 16
 * channels writes past its workspace and kills the process ({@link SubsamplingConv2d}): the
 * from-scratch network must route those convolutions around it, with the same results.
 */
class SubsamplingConv2dTest {

    @Test
    void pointwise_subsamplesOnlyNarrowStridedConvolutions() {
        assertThat(SubsamplingConv2d.pointwise(8, 16, 2)).isInstanceOf(SubsamplingConv2d.class);
        assertThat(SubsamplingConv2d.pointwise(1, 2, 2)).isInstanceOf(SubsamplingConv2d.class);
        assertThat(SubsamplingConv2d.pointwise(15, 30, 2)).isInstanceOf(SubsamplingConv2d.class);
        // The default widths (32 and up) and every width from 16 keep oneDNN's own strided kernel.
        assertThat(SubsamplingConv2d.pointwise(16, 32, 2)).isExactlyInstanceOf(Conv2d.class);
        assertThat(SubsamplingConv2d.pointwise(17, 34, 2)).isExactlyInstanceOf(Conv2d.class);
        assertThat(SubsamplingConv2d.pointwise(8, 16, 1)).isExactlyInstanceOf(Conv2d.class);
    }

    @Test
    void narrowNetwork_routesEveryNarrowStridedShortcutAroundOneDnn() {
        assertThat(shortcutKinds(List.of(8, 16, 32, 64)))
                .containsExactly("SubsamplingConv2d", "Conv2d", "Conv2d");
        assertThat(shortcutKinds(List.of(4, 8, 16, 32)))
                .containsExactly("SubsamplingConv2d", "SubsamplingConv2d", "Conv2d");
        assertThat(shortcutKinds(List.of(16, 8, 4, 2)))
                .containsExactly("Conv2d", "SubsamplingConv2d", "SubsamplingConv2d");
        assertThat(shortcutKinds(List.of(32, 64, 128, 256))).containsExactly("Conv2d", "Conv2d", "Conv2d");
    }

    @Test
    void torchScriptBackboneWithNarrowPointwiseConvolutions_getsContiguousImagesWhileItTrains() throws Exception {
        // The fixture is a ResNet18 4/8/16/32 channels wide: its layer2 and layer3 shortcuts are narrow.
        Path fixture = Path.of(getClass().getResource("/io/xray/train/resnet18-tiny-features.pt").toURI());
        try (Network script = Network.torchScript(fixture, ai.djl.Device.cpu(), 1);
                Network scratch = Network.resNet18FromScratch(List.of(4, 8, 16, 32), ai.djl.Device.cpu(), 1)) {
            assertThat(Network.narrowPointwiseWeights(script.parameters()))
                    .containsExactlyInAnyOrder("layer2.0.downsample.0.weight", "layer3.0.downsample.0.weight");
            assertThat(script.channelsLastInput()).as("while the backbone trains").isFalse();
            script.setTrainableStages(java.util.Set.of("head"));
            assertThat(script.channelsLastInput()).as("frozen: forward passes are safe").isTrue();
            // A from-scratch network's narrow shortcuts subsample instead: it keeps channels-last.
            assertThat(scratch.channelsLastInput()).isTrue();
        }
    }

    /** @return the class of each shortcut convolution (layer2.0, layer3.0, layer4.0) */
    private static List<String> shortcutKinds(List<Integer> widths) {
        List<String> kinds = new ArrayList<>();
        try (Network network = Network.resNet18FromScratch(widths, ai.djl.Device.cpu(), 1)) {
            Block backbone = network.backbone();
            for (int stage = 2; stage <= 4; stage++) {
                Block first = backbone.getChildren().get(stage).getValue().getChildren().get(0).getValue();
                Block shortcut = ((ParallelBlock) first).getChildren().get(1).getValue();
                kinds.add(shortcut.getChildren().get(0).getValue().getClass().getSimpleName());
            }
        }
        return kinds;
    }

    @Test
    void subsampledConvolution_matchesTheStridedOne_forwardAndBackward() {
        // The reference is oneDNN's strided kernel on a contiguous (N, C, H, W) input, which takes its
        // blocked path, safe at any width; 7x7 also checks that an odd size keeps the last row and column.
        int in = 8;
        int out = 16;
        Shape inputShape = new Shape(5, in, 7, 7);
        boolean gradMode = JniUtils.isGradMode();
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            JniUtils.setGradMode(true);
            Block subsampled = SubsamplingConv2d.pointwise(in, out, 2);
            Block strided = Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(out)
                    .optStride(new Shape(2, 2)).optBias(false).build();
            subsampled.setInitializer(new NormalInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
            subsampled.initialize(manager, DataType.FLOAT32, inputShape);
            strided.initialize(manager, DataType.FLOAT32, inputShape);
            NDArray weight = subsampled.getParameters().get("weight").getArray();
            strided.getParameters().get("weight").getArray().set(weight.toFloatArray());

            NDArray x = manager.randomNormal(inputShape);
            // As the network sees it: channels-last, (N, H, W, C) transposed to (N, C, H, W).
            NDArray channelsLast = x.transpose(0, 2, 3, 1).duplicate().transpose(0, 3, 1, 2);
            Result a = run(subsampled, channelsLast, manager);
            Result b = run(strided, x, manager);

            assertThat(subsampled.getOutputShapes(new Shape[] {inputShape})[0]).isEqualTo(new Shape(5, out, 4, 4));
            assertThat(a.output.getShape()).isEqualTo(new Shape(5, out, 4, 4));
            assertClose(a.output, b.output);
            assertClose(a.weightGradient, b.weightGradient);
            assertClose(a.inputGradient, b.inputGradient);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private record Result(NDArray output, NDArray weightGradient, NDArray inputGradient) {}

    private static Result run(Block block, NDArray input, NDManager manager) {
        NDArray leaf = input.stopGradient();
        leaf.setRequiresGradient(true);
        NDArray weight = block.getParameters().get("weight").getArray();
        weight.setRequiresGradient(true);
        NDArray output = block.forward(new ParameterStore(manager, false), new NDList(leaf), true).singletonOrThrow();
        NDArray seed = manager.arange((float) output.size()).reshape(output.getShape()).div(output.size());
        JniUtils.backward((PtNDArray) output, (PtNDArray) seed, false, false);
        NDArray weightGradient = weight.getGradient().duplicate();
        weight.setRequiresGradient(false);
        return new Result(output.stopGradient(), weightGradient, leaf.getGradient().duplicate());
    }

    private static void assertClose(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertThat(a[i]).as("element %d", i).isCloseTo(e[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(e[i]))));
        }
    }

    /**
     * The crash itself, in a JVM of its own so that a regression fails this test instead of killing
     * the test run: training passes on 224-pixel images of a from-scratch network whose first stage
     * is 8 channels wide and of the tiny TorchScript fixture (their first shortcut then sees 56x56,
     * where the unpatched kernel overflowed at nearly every batch size and thread count tried).
     */
    @Test
    void narrowNetworksTraining_onLargeImages_doNotKillTheProcess(@TempDir Path temp) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-XX:ErrorFile=" + temp.resolve("hs_err_%p.log"), "-XX:-CreateCoredumpOnCrash",
                "-Dai.djl.offline=true", NarrowTrainingMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("child.log").toFile())
                .start();
        boolean finished = child.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly();
        }
        String log = Files.readString(temp.resolve("child.log"));
        assertThat(finished).as("child finished in time; its output:\n%s", log).isTrue();
        assertThat(child.exitValue()).as("exit status; the child's output:\n%s", tail(log)).isZero();
        assertThat(log).contains(NarrowTrainingMain.DONE);
    }

    private static String tail(String log) throws IOException {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }
}
