package io.xray.debug;

/**
 * Summary of one tensor (a parameter's gradient or weight) on a sampled step.
 *
 * @param name the parameter's name, such as {@code layer3.01Conv2d_weight}
 * @param meanAbs the mean of its absolute values (NaN or infinite when some value is)
 * @param hasNaN whether some value is NaN
 * @param hasInfinity whether some value is infinite
 */
public record TensorStatistics(String name, double meanAbs, boolean hasNaN, boolean hasInfinity) {}
