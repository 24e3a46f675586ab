package io.xray.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Dynamic batching of predictions ({@link MicroBatcher}, on thread {@code xray-model}): a request is
 * the preprocessed images of one call, its size their number, and a batch is one
 * {@link InferenceModel#predictProbabilities} call over all their images. A request larger than
 * {@code maxBatchSize} runs alone, in chunks of {@code maxBatchSize}.
 */
final class PredictionBatcher extends MicroBatcher<float[][], double[]> {

    /**
     * @param batchSizeListener told the number of images of every model call
     */
    PredictionBatcher(InferenceModel model, int maxBatchSize, Duration maxWait, int queueCapacity,
                      IntConsumer batchSizeListener) {
        super("xray-model", "prediction", maxBatchSize, maxWait, queueCapacity, images -> images.length,
                requests -> predict(model, maxBatchSize, batchSizeListener, requests));
    }

    /** @return the probabilities of each request's images, from model calls of at most {@code maxBatchSize} images */
    private static List<double[]> predict(InferenceModel model, int maxBatchSize, IntConsumer batchSizeListener,
                                          List<float[][]> requests) {
        float[][] images = requests.stream().flatMap(Arrays::stream).toArray(float[][]::new);
        double[] probabilities = new double[images.length];
        for (int from = 0; from < images.length; from += maxBatchSize) {
            float[][] chunk = Arrays.copyOfRange(images, from, Math.min(images.length, from + maxBatchSize));
            System.arraycopy(forward(model, batchSizeListener, chunk), 0, probabilities, from, chunk.length);
        }
        List<double[]> results = new ArrayList<>(requests.size());
        int offset = 0;
        for (float[][] request : requests) {
            results.add(Arrays.copyOfRange(probabilities, offset, offset + request.length));
            offset += request.length;
        }
        return results;
    }

    private static double[] forward(InferenceModel model, IntConsumer batchSizeListener, float[][] images) {
        batchSizeListener.accept(images.length);
        double[] probabilities = model.predictProbabilities(images);
        if (probabilities == null || probabilities.length != images.length) {
            throw new IllegalStateException("model returned " + (probabilities == null ? "null" : probabilities.length
                    + " probabilities") + " for " + images.length + " images");
        }
        return probabilities;
    }
}
