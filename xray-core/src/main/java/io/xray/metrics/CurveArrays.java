package io.xray.metrics;

import java.util.Objects;

/** Checks shared by the curve records: three parallel arrays, non-null and of one length. */
final class CurveArrays {
    private CurveArrays() {}

    static double[] copy(String name, double[] values) {
        return Objects.requireNonNull(values, name + " must not be null").clone();
    }

    static void requireSameLength(String[] names, double[]... arrays) {
        for (int i = 1; i < arrays.length; i++) {
            if (arrays[i].length != arrays[0].length) {
                throw new IllegalArgumentException(names[0] + " and " + names[i]
                        + " must have the same length, got " + arrays[0].length + " and " + arrays[i].length);
            }
        }
    }
}
