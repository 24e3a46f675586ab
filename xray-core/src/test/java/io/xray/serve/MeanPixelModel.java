package io.xray.serve;

import io.xray.image.Preprocessing;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real, deterministic {@link InferenceModel} for tests: the probability of an image is the
 * logistic function of the mean of its preprocessed tensor. Optionally each call waits on a gate
 * or sleeps, to make the model slow; every batch size it sees is recorded.
 */
final class MeanPixelModel implements InferenceModel {

    static final int CROP = 16;
    static final Preprocessing PREPROCESSING = Preprocessing.builder().resizeShorterSide(20).cropSize(CROP).build();

    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate;
    private final long sleepMillis;
    volatile boolean closed;

    MeanPixelModel() {
        this(null, 0);
    }

    MeanPixelModel(CountDownLatch gate, long sleepMillis) {
        this.gate = gate;
        this.sleepMillis = sleepMillis;
    }

    static double probability(float[] chw) {
        double sum = 0;
        for (float v : chw) {
            sum += v;
        }
        return 1.0 / (1.0 + Math.exp(-sum / chw.length));
    }

    @Override
    public String modelId() {
        return "mean-pixel-test";
    }

    @Override
    public Preprocessing preprocessing() {
        return PREPROCESSING;
    }

    @Override
    public double threshold() {
        return 0.5;
    }

    @Override
    public double[] predictProbabilities(float[][] chwBatch) {
        batchSizes.add(chwBatch.length);
        try {
            if (gate != null) {
                gate.await(30, TimeUnit.SECONDS);
            }
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double[] out = new double[chwBatch.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = probability(chwBatch[i]);
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }
}
