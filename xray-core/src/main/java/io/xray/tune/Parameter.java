package io.xray.tune;

import io.xray.InvalidConfigurationException;
import java.util.Arrays;
import java.util.List;

/**
 * One dimension of a search space: a hyperparameter's name and the values it may take. Values are
 * strings, as a {@link io.xray.train.TrainingRecipe}'s hyperparameters, a SageMaker training job's
 * {@code hyperparameters.json} and a command line carry them.
 *
 * <p>Every parameter has a text form that {@link #parse(String)} reads back:
 * {@code NAME=lin:MIN:MAX}, {@code NAME=log:MIN:MAX} ({@link ContinuousParameter}),
 * {@code NAME=int:MIN:MAX}, {@code NAME=intlog:MIN:MAX} ({@link IntegerParameter}) and
 * {@code NAME=cat:A,B,C} ({@link CategoricalParameter}).
 */
public abstract sealed class Parameter permits ContinuousParameter, IntegerParameter, CategoricalParameter {

    private final String name;

    Parameter(String name) {
        if (name == null || name.isBlank() || !name.equals(name.strip()) || name.contains("=")
                || name.contains("{") || name.contains("}")) {
            throw new InvalidConfigurationException("parameter",
                    "name '" + name + "' must be non-blank, without surrounding white space, '=', '{' or '}'");
        }
        this.name = name;
    }

    /** @return the hyperparameter's name, for example {@code learning-rate} */
    public String name() {
        return name;
    }

    /**
     * Reads a parameter from its text form.
     *
     * @param spec for example {@code learning-rate=log:1e-4:0.1} or {@code batch-size=cat:32,64,128}
     * @return the parameter
     * @throws InvalidConfigurationException naming the spec and what is wrong with it
     */
    public static Parameter parse(String spec) {
        int equals = spec == null ? -1 : spec.indexOf('=');
        int colon = equals < 0 ? -1 : spec.indexOf(':', equals);
        if (equals <= 0 || colon < 0) {
            throw new InvalidConfigurationException("parameter", "'" + spec + "' is not NAME=lin:MIN:MAX,"
                    + " NAME=log:MIN:MAX, NAME=int:MIN:MAX, NAME=intlog:MIN:MAX or NAME=cat:A,B,...");
        }
        String name = spec.substring(0, equals);
        String kind = spec.substring(equals + 1, colon);
        String rest = spec.substring(colon + 1);
        if (kind.equals("cat")) {
            return CategoricalParameter.of(name, Arrays.asList(rest.split(",", -1)));
        }
        String[] bounds = rest.split(":", -1);
        if (bounds.length != 2) {
            throw new InvalidConfigurationException("parameter", "'" + spec + "': " + kind
                    + " needs two bounds, MIN:MAX");
        }
        try {
            return switch (kind) {
                case "lin" -> ContinuousParameter.linear(name, Double.parseDouble(bounds[0]), Double.parseDouble(bounds[1]));
                case "log" -> ContinuousParameter.log(name, Double.parseDouble(bounds[0]), Double.parseDouble(bounds[1]));
                case "int" -> IntegerParameter.linear(name, Long.parseLong(bounds[0]), Long.parseLong(bounds[1]));
                case "intlog" -> IntegerParameter.log(name, Long.parseLong(bounds[0]), Long.parseLong(bounds[1]));
                default -> throw new InvalidConfigurationException("parameter", "'" + spec + "': '" + kind
                        + "' is not a kind; expected lin, log, int, intlog or cat");
            };
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException("parameter", "'" + spec + "': bounds '" + rest
                    + "' are not numbers");
        }
    }

    /**
     * @param u a point of [0, 1]
     * @return the value at that quantile of the parameter's (possibly log) scale
     */
    abstract String valueAt(double u);

    /**
     * @param value a value of this parameter
     * @return where it lies on [0, 1], the inverse of {@link #valueAt(double)}
     */
    abstract double unitOf(String value);

    /** @return how many numbers {@link #features} writes: 1, or the number of categories */
    abstract int featureCount();

    /**
     * Writes the value's model inputs, each in [0, 1]: the normalised (log) value, or a one-hot code.
     *
     * @param value a value of this parameter
     * @param out where to write
     * @param offset the first index to write
     */
    abstract void features(String value, double[] out, int offset);

    /**
     * @param value a string
     * @return whether it is one of this parameter's values
     */
    abstract boolean accepts(String value);

    /** @return the categories of a categorical parameter, else an empty list */
    List<String> categories() {
        return List.of();
    }

    /** @return the text form, which {@link #parse(String)} reads back */
    @Override
    public abstract String toString();

    @Override
    public boolean equals(Object other) {
        return other instanceof Parameter p && p.getClass() == getClass() && p.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    static double clampUnit(double u) {
        return Math.max(0.0, Math.min(1.0, u));
    }
}
