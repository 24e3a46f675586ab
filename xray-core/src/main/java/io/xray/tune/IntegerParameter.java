package io.xray.tune;

import io.xray.InvalidConfigurationException;

/**
 * A whole-number hyperparameter between two bounds, both included, on a linear or logarithmic
 * scale (epochs, a patience, a layer width).
 */
public final class IntegerParameter extends Parameter {

    private final long min;
    private final long max;
    private final boolean log;

    private IntegerParameter(String name, long min, long max, boolean log) {
        super(name);
        if (min >= max) {
            throw new InvalidConfigurationException("parameter", name + ": bounds " + min + ".." + max
                    + " must have min < max");
        }
        if (log && min < 1) {
            throw new InvalidConfigurationException("parameter", name + ": a log scale needs min >= 1, got " + min);
        }
        this.min = min;
        this.max = max;
        this.log = log;
    }

    /**
     * @param name the hyperparameter's name
     * @param min the smallest value
     * @param max the largest value, more than {@code min}
     * @return a parameter searched uniformly between the bounds
     */
    public static IntegerParameter linear(String name, long min, long max) {
        return new IntegerParameter(name, min, max, false);
    }

    /**
     * @param name the hyperparameter's name
     * @param min the smallest value, at least 1
     * @param max the largest value, more than {@code min}
     * @return a parameter searched uniformly in the logarithm between the bounds
     */
    public static IntegerParameter log(String name, long min, long max) {
        return new IntegerParameter(name, min, max, true);
    }

    /** @return the smallest value */
    public long min() {
        return min;
    }

    /** @return the largest value */
    public long max() {
        return max;
    }

    /** @return whether the scale is logarithmic */
    public boolean isLog() {
        return log;
    }

    @Override
    String valueAt(double u) {
        double t = clampUnit(u);
        double v;
        if (log) {
            // uniform in log over [min, max + 1), floored: every value has the share of its log-width
            double a = Math.log(min);
            double b = Math.log(max + 1.0);
            v = Math.floor(Math.exp(a + t * (b - a)));
        } else {
            v = Math.floor(min + t * (max - min + 1.0));
        }
        return Long.toString(Math.max(min, Math.min(max, (long) v)));
    }

    @Override
    double unitOf(String value) {
        long v = Long.parseLong(value);
        if (log) {
            double a = Math.log(min);
            double b = Math.log(max + 1.0);
            return clampUnit((Math.log(v + 0.5) - a) / (b - a));
        }
        return clampUnit((v + 0.5 - min) / (max - min + 1.0));
    }

    @Override
    int featureCount() {
        return 1;
    }

    @Override
    void features(String value, double[] out, int offset) {
        long v = Long.parseLong(value);
        out[offset] = log ? (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min))
                : (double) (v - min) / (max - min);
    }

    @Override
    boolean accepts(String value) {
        try {
            long v = Long.parseLong(value);
            return v >= min && v <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return name() + "=" + (log ? "intlog:" : "int:") + min + ":" + max;
    }
}
