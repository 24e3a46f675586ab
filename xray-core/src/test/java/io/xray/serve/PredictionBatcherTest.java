package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Predictions: requests' images joined into model calls of at most maxBatchSize, and split back. */
@Timeout(30)
class PredictionBatcherTest {

    /** @return one image per value, every pixel that value */
    private static float[][] images(float... values) {
        float[][] images = new float[values.length][];
        for (int i = 0; i < values.length; i++) {
            images[i] = new float[8];
            Arrays.fill(images[i], values[i]);
        }
        return images;
    }

    private static double[] expected(float... values) {
        return Arrays.stream(images(values)).mapToDouble(MeanPixelModel::probability).toArray();
    }

    @Test
    void requests_shouldShareModelCallsOfAtMostMaxBatchSizeAndGetTheirOwnProbabilities() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        MeanPixelModel model = new MeanPixelModel(gate, 0);
        List<Integer> listened = new CopyOnWriteArrayList<>();
        try (PredictionBatcher batcher = new PredictionBatcher(model, 4, Duration.ofMillis(100), 16, listened::add)) {
            CompletableFuture<double[]> first = batcher.submit(images(0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (model.batchSizes.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            CompletableFuture<double[]> pair = batcher.submit(images(1, 2));
            CompletableFuture<double[]> single = batcher.submit(images(3));
            CompletableFuture<double[]> large = batcher.submit(images(-3, -2, -1, 4, 5, 6));
            gate.countDown();

            assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly(expected(0));
            assertThat(pair.get(10, TimeUnit.SECONDS)).containsExactly(expected(1, 2));
            assertThat(single.get(10, TimeUnit.SECONDS)).containsExactly(expected(3));
            assertThat(large.get(10, TimeUnit.SECONDS)).containsExactly(expected(-3, -2, -1, 4, 5, 6));
            assertThat(model.batchSizes).as("the large request alone, in chunks").containsExactly(1, 3, 4, 2);
            assertThat(listened).containsExactly(1, 3, 4, 2);
            assertThat(batcher.largestBatch()).isEqualTo(4);
        }
    }
}
