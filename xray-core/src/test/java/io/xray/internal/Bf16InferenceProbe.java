package io.xray.internal;

import ai.djl.Device;
import io.xray.backbone.Backbone;
import java.util.Arrays;
import java.util.Random;

/**
 * Probe (issue 16): the from-scratch ResNet18's evaluation logits in float32 (DJL operations,
 * BatchNorm folded) and in bfloat16 (the TorchScript module xray writes), their largest
 * difference, and their speed in alternating rounds.
 * usage: java -cp ... io.xray.internal.Bf16InferenceProbe SIZE BATCH STEPS ROUNDS
 */
public final class Bf16InferenceProbe {
    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 224;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Random random = new Random(1);
        float[] chw = new float[batch * 3 * size * size];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) random.nextGaussian();
        }
        try (Network network = Network.resNet18FromScratch(Backbone.RESNET18_WIDTHS, Device.cpu(), 1)) {
            float[] fp32 = network.inferLogits(chw, batch, size, false);
            float[] bf16 = network.inferLogits(chw, batch, size, true);
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < batch; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(fp32[i] - bf16[i]));
                maxAbs = Math.max(maxAbs, Math.abs(fp32[i]));
            }
            System.out.println("fp32 logits " + Arrays.toString(Arrays.copyOf(fp32, 4)));
            System.out.println("bf16 logits " + Arrays.toString(Arrays.copyOf(bf16, 4)));
            System.out.printf("largest |fp32 - bf16| = %.3g (largest |fp32| %.3g)%n", maxDiff, maxAbs);
            for (int r = 1; r <= rounds; r++) {
                double[] speeds = new double[2];
                for (int k = 0; k < 2; k++) {
                    boolean reduced = k == 1;
                    network.inferLogits(chw, batch, size, reduced); // warm-up
                    double[] ms = new double[steps];
                    for (int s = 0; s < steps; s++) {
                        long t0 = System.nanoTime();
                        network.inferLogits(chw, batch, size, reduced);
                        ms[s] = (System.nanoTime() - t0) / 1e6;
                    }
                    Arrays.sort(ms);
                    speeds[k] = batch / (ms[steps / 2] / 1000);
                }
                System.out.printf("round %d: fp32 %.1f img/s   bf16 %.1f img/s   ratio %.2f%n", r, speeds[0], speeds[1],
                        speeds[1] / speeds[0]);
            }
        }
    }
}
