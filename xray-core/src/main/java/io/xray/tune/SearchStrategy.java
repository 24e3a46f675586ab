package io.xray.tune;

import io.xray.InvalidConfigurationException;

/**
 * How a tuning run chooses the next trial's values. Every strategy is deterministic: the same seed
 * and the same earlier results give the same suggestions, which is what lets a resumed run end
 * with the trials of an uninterrupted one.
 *
 * <ul>
 *   <li>{@link #random()}: independent uniform draws (on each parameter's scale), trial by trial
 *       from the seed;
 *   <li>{@link #bayesian()}: a few quasi-random (Sobol) trials, then a Gaussian process
 *       (Matérn 5/2, a length scale per input, fitted noise) over the earlier results, and the
 *       point of largest log expected improvement among many Sobol and random candidates refined
 *       locally. Log-scale parameters are modelled in the logarithm, inputs are normalised to
 *       [0, 1] and categorical parameters are one-hot.
 * </ul>
 */
public final class SearchStrategy {

    private final String name;
    private final int initialPoints;

    private SearchStrategy(String name, int initialPoints) {
        this.name = name;
        this.initialPoints = initialPoints;
    }

    /** @return random search */
    public static SearchStrategy random() {
        return new SearchStrategy("random", 0);
    }

    /**
     * @return Bayesian optimisation starting from max(3, parameters + 1) quasi-random trials
     */
    public static SearchStrategy bayesian() {
        return new SearchStrategy("bayesian", 0);
    }

    /**
     * @param initialPoints how many quasi-random trials come before the model, at least 2
     * @return Bayesian optimisation with that many initial trials
     */
    public static SearchStrategy bayesian(int initialPoints) {
        if (initialPoints < 2) {
            throw new InvalidConfigurationException("strategy", "the Bayesian strategy needs at least 2 initial"
                    + " points to fit a model, got " + initialPoints);
        }
        return new SearchStrategy("bayesian", initialPoints);
    }

    /**
     * @param name {@code random} or {@code bayesian}
     * @return that strategy with its defaults
     * @throws InvalidConfigurationException when the name is neither
     */
    public static SearchStrategy parse(String name) {
        return switch (name == null ? "" : name) {
            case "random" -> random();
            case "bayesian" -> bayesian();
            default -> throw new InvalidConfigurationException("strategy", "'" + name
                    + "' is not a strategy; expected bayesian or random");
        };
    }

    /** @return {@code random} or {@code bayesian} */
    public String name() {
        return name;
    }

    /**
     * @param space the search space
     * @return how many quasi-random trials the Bayesian strategy starts with for that space (0 for random)
     */
    public int initialPoints(SearchSpace space) {
        if (name.equals("random")) {
            return 0;
        }
        return initialPoints > 0 ? initialPoints : Math.max(3, space.parameters().size() + 1);
    }

    Suggester create(SearchSpace space, long seed) {
        return name.equals("random") ? new RandomSearch(space, seed) : new BayesianSearch(space, seed, initialPoints(space));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SearchStrategy s && s.name.equals(name) && s.initialPoints == initialPoints;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + initialPoints;
    }

    @Override
    public String toString() {
        return initialPoints > 0 ? name + "(" + initialPoints + " initial)" : name;
    }
}
