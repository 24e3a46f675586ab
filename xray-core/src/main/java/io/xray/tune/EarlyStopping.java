package io.xray.tune;

import io.xray.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the tuner stops a trial before its last epoch (multi-fidelity search: poor trials spend
 * few epochs).
 *
 * <ul>
 *   <li>{@link #median()} is SageMaker's "Auto" early stopping: after an epoch, a trial whose
 *       objective metric at that epoch is worse than the median of the earlier trials' running
 *       averages of the metric up to the same epoch is stopped.
 *   <li>{@link #successiveHalving(int, int)} is asynchronous successive halving (ASHA, Li et al.
 *       2020, in its stopping form): rungs at epochs r, r&eta;, r&eta;&sup2;, ...; a trial reaching
 *       a rung goes on only when its best value so far is among the top 1/&eta; of the values that
 *       the trials at that rung (itself and the earlier ones) had by then (at least the best one).
 *       With {@link SearchStrategy#random()} this is Hyperband's asynchronous form, what
 *       {@code xray tune --strategy hyperband} runs; with {@link SearchStrategy#bayesian()} the
 *       model also learns from the stopped trials' values.
 * </ul>
 *
 * <p>"Earlier trials" are the finished trials that the trial's suggestion could see (all earlier
 * ones when trials run one at a time), so the decision does not depend on timing; a rule applies at
 * an epoch only once at least {@code minTrials} of them reached it. A stopped trial keeps its epochs
 * and is scored on them as any other.
 */
public final class EarlyStopping {

    private final int minTrials;
    private final int reductionFactor;
    private final int minEpochs;

    private EarlyStopping(int minTrials) {
        this(minTrials, 0, 0);
    }

    private EarlyStopping(int minTrials, int reductionFactor, int minEpochs) {
        this.minTrials = minTrials;
        this.reductionFactor = reductionFactor;
        this.minEpochs = minEpochs;
    }

    /**
     * Asynchronous successive halving, consulted once 2 earlier trials reached a rung.
     *
     * @param reductionFactor &eta;, at least 2: one trial in &eta; goes on at each rung (3 is usual)
     * @param minEpochs r, at least 1: the first rung's epoch
     * @return the rule
     */
    public static EarlyStopping successiveHalving(int reductionFactor, int minEpochs) {
        if (reductionFactor < 2 || minEpochs < 1) {
            throw new InvalidConfigurationException("earlyStopping", "successive halving needs a reduction factor >= 2"
                    + " and min epochs >= 1, got " + reductionFactor + " and " + minEpochs);
        }
        return new EarlyStopping(2, reductionFactor, minEpochs);
    }

    /** @return no early stopping: every trial runs all its epochs */
    public static EarlyStopping none() {
        return new EarlyStopping(0);
    }

    /** @return the median rule, consulted once 3 earlier trials reached the epoch */
    public static EarlyStopping median() {
        return new EarlyStopping(3);
    }

    /**
     * @param minTrials how many earlier trials must have reached an epoch before the rule applies
     *     at it, at least 1
     * @return the median rule
     */
    public static EarlyStopping median(int minTrials) {
        if (minTrials < 1) {
            throw new InvalidConfigurationException("earlyStopping", "the median rule needs minTrials >= 1, got "
                    + minTrials);
        }
        return new EarlyStopping(minTrials);
    }

    /**
     * @param text {@code off}, {@code median}, {@code median:N}, {@code asha} (&eta; 3, r 1) or
     *     {@code asha:ETA:R}
     * @return that rule
     */
    public static EarlyStopping parse(String text) {
        if ("asha".equals(text)) {
            return successiveHalving(3, 1);
        }
        if (text != null && text.startsWith("asha:")) {
            String[] parts = text.split(":", -1);
            try {
                if (parts.length == 3) {
                    return successiveHalving(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                }
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        if ("off".equals(text) || "none".equals(text)) {
            return none();
        }
        if ("median".equals(text) || "auto".equals(text)) {
            return median();
        }
        if (text != null && text.startsWith("median:")) {
            try {
                return median(Integer.parseInt(text.substring("median:".length())));
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new InvalidConfigurationException("earlyStopping", "'" + text + "' is not off, median, median:N, asha or asha:ETA:R");
    }

    /** @return whether any trial may be stopped */
    public boolean isEnabled() {
        return minTrials > 0;
    }

    /** @return trials needed at an epoch before the rule applies there; 0 when off */
    public int minTrials() {
        return minTrials;
    }

    /**
     * @param objective the objective (its metric and direction)
     * @param own the trial's metric at epochs 1 to the epoch just finished (NaN where missing)
     * @param earlier the earlier trials' metric per epoch (index 0 is epoch 1; NaN where missing)
     * @return whether to stop the trial after this epoch
     */
    boolean shouldStop(Objective objective, List<Double> own, List<List<Double>> earlier) {
        int epoch = own.size();
        if (minTrials == 0 || epoch == 0) {
            return false;
        }
        return reductionFactor > 0 ? halvingStops(objective, own, earlier) : medianStops(objective, own, earlier);
    }

    private boolean medianStops(Objective objective, List<Double> own, List<List<Double>> earlier) {
        int epoch = own.size();
        double value = own.get(epoch - 1);
        if (Double.isNaN(value)) {
            return false;
        }
        List<Double> averages = new ArrayList<>();
        for (List<Double> trial : earlier) {
            if (trial.size() < epoch) {
                continue;
            }
            double sum = 0;
            int count = 0;
            for (int e = 0; e < epoch; e++) {
                if (!Double.isNaN(trial.get(e))) {
                    sum += trial.get(e);
                    count++;
                }
            }
            if (count > 0) {
                averages.add(sum / count);
            }
        }
        if (averages.size() < minTrials) {
            return false;
        }
        averages.sort(null);
        int n = averages.size();
        double median = n % 2 == 1 ? averages.get(n / 2) : (averages.get(n / 2 - 1) + averages.get(n / 2)) / 2;
        return objective.isBetter(median, value);
    }

    private boolean halvingStops(Objective objective, List<Double> own, List<List<Double>> earlier) {
        int epoch = own.size();
        if (!isRung(epoch)) {
            return false;
        }
        double mine = bestUpTo(objective, own, epoch);
        if (Double.isNaN(mine)) {
            return false;
        }
        int better = 0;
        int competing = 1;
        for (List<Double> trial : earlier) {
            if (trial.size() < epoch) {
                continue;
            }
            double theirs = bestUpTo(objective, trial, epoch);
            if (Double.isNaN(theirs)) {
                continue;
            }
            competing++;
            if (objective.isBetter(theirs, mine)) {
                better++;
            }
        }
        if (competing - 1 < minTrials) {
            return false;
        }
        int promoted = Math.max(1, competing / reductionFactor);
        return better >= promoted;
    }

    private boolean isRung(int epoch) {
        long rung = minEpochs;
        while (rung < epoch) {
            rung *= reductionFactor;
        }
        return rung == epoch;
    }

    private static double bestUpTo(Objective objective, List<Double> values, int epoch) {
        double best = Double.NaN;
        for (int e = 0; e < epoch; e++) {
            if (objective.isBetter(values.get(e), best)) {
                best = values.get(e);
            }
        }
        return best;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EarlyStopping e && e.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** @return the text form, which {@link #parse(String)} reads back */
    @Override
    public String toString() {
        if (minTrials == 0) {
            return "off";
        }
        return reductionFactor > 0 ? "asha:" + reductionFactor + ":" + minEpochs : "median:" + minTrials;
    }
}
