package io.xray.internal;

/**
 * What one ReLU did on one training batch.
 *
 * @param layer the ReLU's name, such as {@code stem.relu} or {@code layer2.1.relu2}
 * @param channelActivity per channel, the share of the batch's outputs that are positive (0..1)
 * @param inputMean the mean of the ReLU's input
 * @param inputVariance the variance of the ReLU's input (the activation input)
 */
public record ReluStatistics(String layer, float[] channelActivity, double inputMean, double inputVariance) {}
