package io.xray.tune;

import io.xray.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the tuner stops a trial before its last epoch. {@link #median()} is SageMaker's "Auto"
 * early stopping: after an epoch, a trial whose objective metric at that epoch is worse than the
 * median of the earlier trials' running averages of the metric up to the same epoch is stopped.
 * "Earlier trials" are the finished trials that the trial's suggestion could see (all earlier ones
 * when trials run one at a time), so the decision does not depend on timing; they are consulted
 * only once at least {@code minTrials} of them reached the epoch. A stopped trial keeps its epochs
 * and is scored on them as any other.
 */
public final class EarlyStopping {

    private final int minTrials;

    private EarlyStopping(int minTrials) {
        this.minTrials = minTrials;
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
     * @param text {@code off}, {@code median} or {@code median:N}
     * @return that rule
     */
    public static EarlyStopping parse(String text) {
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
        throw new InvalidConfigurationException("earlyStopping", "'" + text + "' is not off, median or median:N");
    }

    /** @return whether any trial may be stopped */
    public boolean isEnabled() {
        return minTrials > 0;
    }

    /** @return trials needed at an epoch before the median rule applies there; 0 when off */
    public int minTrials() {
        return minTrials;
    }

    /**
     * @param objective the objective (its metric and direction)
     * @param epoch the 1-based epoch just finished
     * @param value the trial's metric at that epoch
     * @param earlier the earlier trials' metric per epoch (index 0 is epoch 1; NaN where missing)
     * @return whether to stop the trial after this epoch
     */
    boolean shouldStop(Objective objective, int epoch, double value, List<List<Double>> earlier) {
        if (minTrials == 0 || Double.isNaN(value)) {
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

    @Override
    public boolean equals(Object other) {
        return other instanceof EarlyStopping e && e.minTrials == minTrials;
    }

    @Override
    public int hashCode() {
        return minTrials;
    }

    /** @return the text form, which {@link #parse(String)} reads back */
    @Override
    public String toString() {
        return minTrials == 0 ? "off" : "median:" + minTrials;
    }
}
