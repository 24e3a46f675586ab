package io.xray.tune;

import io.xray.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameters a tuning run varies, in a fixed order: one or more {@link Parameter}s with
 * distinct names. Everything else comes from the trial runner's base (a recipe, a command).
 */
public final class SearchSpace {

    private final List<Parameter> parameters;

    private SearchSpace(List<Parameter> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            throw new InvalidConfigurationException("parameters", "the search space needs at least one parameter");
        }
        Set<String> names = new HashSet<>();
        for (Parameter parameter : parameters) {
            if (parameter == null) {
                throw new InvalidConfigurationException("parameters", "must not hold null");
            }
            if (!names.add(parameter.name())) {
                throw new InvalidConfigurationException("parameters", "'" + parameter.name() + "' is given twice");
            }
        }
        this.parameters = List.copyOf(parameters);
    }

    /**
     * @param parameters one or more parameters with distinct names
     * @return the space
     * @throws InvalidConfigurationException when empty or a name repeats
     */
    public static SearchSpace of(List<Parameter> parameters) {
        return new SearchSpace(parameters);
    }

    /**
     * @param parameters one or more parameters with distinct names
     * @return the space
     */
    public static SearchSpace of(Parameter... parameters) {
        return new SearchSpace(List.of(parameters));
    }

    /** @return the parameters, in order */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** @return the parameters' names, in order */
    public List<String> names() {
        return parameters.stream().map(Parameter::name).toList();
    }

    /**
     * @param u one point of [0, 1] per parameter
     * @return the values at those quantiles, keyed by name, in the space's order
     */
    Map<String, String> valuesAt(double[] u) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            values.put(parameters.get(i).name(), parameters.get(i).valueAt(u[i]));
        }
        return values;
    }

    /**
     * @param values a value for every parameter
     * @return their places on [0, 1], one per parameter
     */
    double[] unitOf(Map<String, String> values) {
        double[] u = new double[parameters.size()];
        for (int i = 0; i < u.length; i++) {
            u[i] = parameters.get(i).unitOf(values.get(parameters.get(i).name()));
        }
        return u;
    }

    /** @return the length of {@link #features}: one per numeric parameter, one per category */
    int featureCount() {
        int count = 0;
        for (Parameter parameter : parameters) {
            count += parameter.featureCount();
        }
        return count;
    }

    /**
     * @param values a value for every parameter
     * @return the model inputs, each in [0, 1]
     */
    double[] features(Map<String, String> values) {
        double[] out = new double[featureCount()];
        int offset = 0;
        for (Parameter parameter : parameters) {
            parameter.features(values.get(parameter.name()), out, offset);
            offset += parameter.featureCount();
        }
        return out;
    }

    /**
     * @param values values read back from a run folder
     * @return the names of parameters whose value is missing or out of the space, empty when all fit
     */
    List<String> misfits(Map<String, String> values) {
        List<String> misfits = new ArrayList<>();
        for (Parameter parameter : parameters) {
            String value = values.get(parameter.name());
            if (value == null || !parameter.accepts(value)) {
                misfits.add(parameter.name() + "=" + value);
            }
        }
        return misfits;
    }

    /** @return the parameters' text forms, in order */
    List<String> specs() {
        return parameters.stream().map(Parameter::toString).toList();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SearchSpace s && s.parameters.equals(parameters);
    }

    @Override
    public int hashCode() {
        return parameters.hashCode();
    }

    @Override
    public String toString() {
        return String.join(" ", specs());
    }
}
