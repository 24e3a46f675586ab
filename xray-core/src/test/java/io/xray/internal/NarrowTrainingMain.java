package io.xray.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Runs training-mode forward and backward passes, on 224-pixel images, of the two kinds of network
 * whose strided 1x1 convolutions see fewer than 16 channels: a from-scratch ResNet18 with an
 * 8-channel first stage ({@link SubsamplingConv2d}) and the tiny TorchScript ResNet18 fixture
 * (4/8/16/32 channels, {@link Network#channelsLastInput()}). oneDNN's strided 1x1 weight gradient
 * killed the process on both before; run in a child JVM by {@link SubsamplingConv2dTest}.
 */
public final class NarrowTrainingMain {

    static final String DONE = "narrow training passes done";

    private NarrowTrainingMain() {}

    public static void main(String[] args) throws Exception {
        try (Network network = Network.resNet18FromScratch(List.of(8, 16, 16, 16), Device.cpu(), 1)) {
            train(network);
        }
        System.out.println("from-scratch 8,16,16,16 done");
        Path fixture = Path.of(NarrowTrainingMain.class.getResource("/io/xray/train/resnet18-tiny-features.pt").toURI());
        try (Network network = Network.torchScript(fixture, Device.cpu(), 1)) {
            train(network);
        }
        System.out.println(DONE);
    }

    private static void train(Network network) {
        JniUtils.setGradMode(true); // once the engine has loaded, with the network
        network.setTrainableStages(Set.copyOf(Network.STAGES));
        network.setTrainingMode(true);
        for (int batch : new int[] {4, 9}) {
            for (int pass = 0; pass < 2; pass++) {
                try (NDManager manager = network.manager().newSubManager()) {
                    NDArray images = manager.randomNormal(new Shape(batch, 3, 224, 224));
                    NDArray loss = network.logits(images).sum();
                    JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
                }
            }
        }
    }
}
