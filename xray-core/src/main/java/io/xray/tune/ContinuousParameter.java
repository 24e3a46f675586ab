package io.xray.tune;

import io.xray.InvalidConfigurationException;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * A real-valued hyperparameter between two bounds, searched on a linear or a logarithmic scale
 * (the logarithmic one for rates and decays that span decades: 1e-4..0.1 spends as many trials
 * between 1e-4 and 1e-3 as between 1e-2 and 0.1). Suggested values are rounded to six significant
 * digits, so that they read well in a log and as a command's argument.
 */
public final class ContinuousParameter extends Parameter {

    private static final MathContext DIGITS = new MathContext(6);

    private final double min;
    private final double max;
    private final boolean log;

    private ContinuousParameter(String name, double min, double max, boolean log) {
        super(name);
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new InvalidConfigurationException("parameter", name + ": bounds " + min + ".." + max
                    + " must be finite with min < max");
        }
        if (log && !(min > 0)) {
            throw new InvalidConfigurationException("parameter", name + ": a log scale needs min > 0, got " + min);
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
    public static ContinuousParameter linear(String name, double min, double max) {
        return new ContinuousParameter(name, min, max, false);
    }

    /**
     * @param name the hyperparameter's name
     * @param min the smallest value, more than 0
     * @param max the largest value, more than {@code min}
     * @return a parameter searched uniformly in the logarithm between the bounds
     */
    public static ContinuousParameter log(String name, double min, double max) {
        return new ContinuousParameter(name, min, max, true);
    }

    /** @return the smallest value */
    public double min() {
        return min;
    }

    /** @return the largest value */
    public double max() {
        return max;
    }

    /** @return whether the scale is logarithmic */
    public boolean isLog() {
        return log;
    }

    @Override
    String valueAt(double u) {
        double v = new Scale(min, max, log).valueAt(clampUnit(u));
        return format(Math.max(min, Math.min(max, round(v))));
    }

    @Override
    double unitOf(String value) {
        return clampUnit(new Scale(min, max, log).positionOf(Double.parseDouble(value)));
    }

    @Override
    int featureCount() {
        return 1;
    }

    @Override
    void features(String value, double[] out, int offset) {
        out[offset] = unitOf(value);
    }

    @Override
    boolean accepts(String value) {
        try {
            double v = Double.parseDouble(value);
            return v >= min && v <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static double round(double v) {
        return new BigDecimal(v).round(DIGITS).doubleValue();
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (v == 0 || (a >= 1e-4 && a < 1e7)) {
            return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
        }
        return Double.toString(v);
    }

    @Override
    public String toString() {
        return name() + "=" + (log ? "log:" : "lin:") + format(min) + ":" + format(max);
    }
}
