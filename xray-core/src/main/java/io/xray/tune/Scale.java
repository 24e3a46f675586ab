package io.xray.tune;

/**
 * A linear or logarithmic map between the interval [{@code low}, {@code high}] and [0, 1], shared by
 * the numeric parameters.
 *
 * @param low the value at 0, more than 0 on a log scale
 * @param high the value at 1
 * @param log whether the map is linear in the logarithm
 */
record Scale(double low, double high, boolean log) {

    /**
     * @param t a position in [0, 1]
     * @return the value there
     */
    double valueAt(double t) {
        return log ? Math.exp(Math.log(low) + t * (Math.log(high) - Math.log(low))) : low + t * (high - low);
    }

    /**
     * @param value a value
     * @return its position, 0 at {@code low} and 1 at {@code high} (not clamped)
     */
    double positionOf(double value) {
        return log ? (Math.log(value) - Math.log(low)) / (Math.log(high) - Math.log(low)) : (value - low) / (high - low);
    }
}
