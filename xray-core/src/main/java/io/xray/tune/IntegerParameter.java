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
        // uniform (in the log, on a log scale) over [min, max + 1), floored: every value has the share of its width
        double v = Math.floor(cells().valueAt(clampUnit(u)));
        return Long.toString(Math.max(min, Math.min(max, (long) v)));
    }

    @Override
    double unitOf(String value) {
        return clampUnit(cells().positionOf(Long.parseLong(value) + 0.5));
    }

    /** @return the scale over [min, max + 1), in which value v owns [v, v + 1) */
    private Scale cells() {
        return new Scale(min, max + 1.0, log);
    }

    @Override
    int featureCount() {
        return 1;
    }

    @Override
    void features(String value, double[] out, int offset) {
        out[offset] = new Scale(min, max, log).positionOf(Long.parseLong(value));
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
