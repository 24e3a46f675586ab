package io.xray.serve;

import io.xray.model.Explanation;
import java.awt.image.BufferedImage;
import java.time.Duration;

/**
 * Dynamic batching of explanations ({@link MicroBatcher}, on thread {@code xray-explain}): a request
 * is one decoded image, and a batch is one {@link InferenceModel#explainAll} call (one forward and
 * one backward pass). Its own queue and thread, so explanations, which cost a backward pass each,
 * never hold predictions up behind them.
 */
final class ExplanationBatcher extends MicroBatcher<BufferedImage, Explanation> {

    ExplanationBatcher(InferenceModel model, int maxBatchSize, Duration maxWait, int queueCapacity) {
        super("xray-explain", "explanation", maxBatchSize, maxWait, queueCapacity, image -> 1, model::explainAll);
    }
}
