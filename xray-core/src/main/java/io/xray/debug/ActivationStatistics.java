package io.xray.debug;

/**
 * What one ReLU layer did on a sampled training batch.
 *
 * @param layer the layer's name, such as {@code stem.relu}
 * @param channelActivity per channel, the share of its outputs that were positive (0..1)
 * @param inputVariance the variance of the layer's input (the activation input)
 */
public record ActivationStatistics(String layer, float[] channelActivity, double inputVariance) {}
