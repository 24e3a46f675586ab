package io.xray.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import java.util.Set;

/**
 * Runs training-mode forward and backward passes, on 224-pixel images, of a from-scratch ResNet18
 * with an 8-channel first stage, whose strided 1x1 shortcut oneDNN's weight gradient could not
 * survive before {@link SubsamplingConv2d}; run in a child JVM by {@link SubsamplingConv2dTest}.
 */
public final class NarrowTrainingMain {

    static final String DONE = "narrow training passes done";

    private NarrowTrainingMain() {}

    public static void main(String[] args) {
        try (Network network = Network.resNet18FromScratch(List.of(8, 16, 16, 16), Device.cpu(), 1)) {
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
