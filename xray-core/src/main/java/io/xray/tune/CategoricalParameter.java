package io.xray.tune;

import io.xray.InvalidConfigurationException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A hyperparameter that takes one of a few values with no order the search may rely on (an
 * optimiser's name, a batch size tried at 32, 64 and 128 only). The Bayesian strategy codes it
 * one-hot, one input per value, so it never assumes that 64 lies between 32 and 128.
 */
public final class CategoricalParameter extends Parameter {

    private final List<String> values;

    private CategoricalParameter(String name, List<String> values) {
        super(name);
        if (values == null || values.size() < 2) {
            throw new InvalidConfigurationException("parameter", name + ": needs at least two values, got " + values);
        }
        Set<String> seen = new HashSet<>();
        for (String value : values) {
            if (value == null || value.isEmpty() || !value.equals(value.strip())) {
                throw new InvalidConfigurationException("parameter", name + ": value '" + value
                        + "' must be non-empty, without surrounding white space");
            }
            if (!seen.add(value)) {
                throw new InvalidConfigurationException("parameter", name + ": value '" + value + "' is listed twice");
            }
        }
        this.values = List.copyOf(values);
    }

    /**
     * @param name the hyperparameter's name
     * @param values two or more distinct values
     * @return the parameter
     */
    public static CategoricalParameter of(String name, String... values) {
        return new CategoricalParameter(name, values == null ? null : List.of(values));
    }

    /**
     * @param name the hyperparameter's name
     * @param values two or more distinct values
     * @return the parameter
     */
    public static CategoricalParameter of(String name, List<String> values) {
        return new CategoricalParameter(name, values);
    }

    /** @return the values, in the order given */
    public List<String> values() {
        return values;
    }

    @Override
    List<String> categories() {
        return values;
    }

    @Override
    String valueAt(double u) {
        int index = (int) Math.floor(clampUnit(u) * values.size());
        return values.get(Math.min(values.size() - 1, index));
    }

    @Override
    double unitOf(String value) {
        return (values.indexOf(value) + 0.5) / values.size();
    }

    @Override
    int featureCount() {
        return values.size();
    }

    @Override
    void features(String value, double[] out, int offset) {
        int index = values.indexOf(value);
        for (int i = 0; i < values.size(); i++) {
            out[offset + i] = i == index ? 1.0 : 0.0;
        }
    }

    @Override
    boolean accepts(String value) {
        return values.contains(value);
    }

    @Override
    public String toString() {
        return name() + "=cat:" + String.join(",", values);
    }
}
