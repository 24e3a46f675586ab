package io.xray.tune;

import io.xray.InvalidConfigurationException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a tuning run optimises: a metric that every epoch reports (for xray's trainer, a field of
 * the {@code Val_epoch} line such as {@code Val_f1} or {@code Val_loss}; for a command, the value a
 * regular expression reads from its output), whether to maximise or minimise it, and which epoch
 * scores a trial.
 *
 * <p>By default a trial scores at its <b>best</b> epoch, the epoch where this metric is best. That
 * is the epoch whose weights xray's trainer keeps only when the recipe's monitor is the same metric
 * ({@code f1} for {@code Val_f1}, {@code loss} for {@code Val_loss}); with another monitor the score
 * and the kept model may come from different epochs. SageMaker's tuner scores the last value the
 * job emitted instead, which penalises a trial that peaked early and then overfitted;
 * {@link #atLastEpoch()} gives that behaviour, and {@link #meanOfLast(int)} a steadier middle
 * ground for noisy metrics.
 */
public final class Objective {

    /** Which way is better. */
    public enum Goal {
        /** Larger is better (F1, accuracy, AUC). */
        MAXIMIZE,
        /** Smaller is better (a loss, an error). */
        MINIMIZE
    }

    /** Which epochs score a trial. */
    public enum Epochs {
        /** The best epoch's value (the default). */
        BEST,
        /** The last epoch's value, as SageMaker scores. */
        LAST,
        /** The mean of the last k epochs' values. */
        MEAN_OF_LAST
    }

    /**
     * A trial's score.
     *
     * @param value the objective; NaN when no epoch reported the metric
     * @param bestEpoch the 1-based epoch whose metric is best (0 when none)
     */
    public record Score(double value, int bestEpoch) {}

    private final String metric;
    private final Goal goal;
    private final Epochs epochs;
    private final int lastK;

    private Objective(String metric, Goal goal, Epochs epochs, int lastK) {
        if (metric == null || metric.isBlank() || !metric.equals(metric.strip())) {
            throw new InvalidConfigurationException("objective", "the metric name '" + metric
                    + "' must be non-blank, without surrounding white space");
        }
        if (lastK < 1) {
            throw new InvalidConfigurationException("objective", "mean of the last k epochs needs k >= 1, got " + lastK);
        }
        this.metric = metric;
        this.goal = Objects.requireNonNull(goal, "goal");
        this.epochs = epochs;
        this.lastK = lastK;
    }

    /**
     * @param metric the metric's name
     * @return maximise the metric at each trial's best epoch
     */
    public static Objective maximize(String metric) {
        return new Objective(metric, Goal.MAXIMIZE, Epochs.BEST, 1);
    }

    /**
     * @param metric the metric's name
     * @return minimise the metric at each trial's best epoch
     */
    public static Objective minimize(String metric) {
        return new Objective(metric, Goal.MINIMIZE, Epochs.BEST, 1);
    }

    /** @return this objective scored at each trial's best epoch */
    public Objective atBestEpoch() {
        return new Objective(metric, goal, Epochs.BEST, 1);
    }

    /** @return this objective scored at each trial's last epoch, as SageMaker scores */
    public Objective atLastEpoch() {
        return new Objective(metric, goal, Epochs.LAST, 1);
    }

    /**
     * @param k how many of the last epochs to average, at least 1 (a trial with fewer averages all)
     * @return this objective scored by the mean of each trial's last k epochs
     */
    public Objective meanOfLast(int k) {
        return new Objective(metric, goal, Epochs.MEAN_OF_LAST, k);
    }

    /**
     * Reads the text form {@code maximize:METRIC}, {@code minimize:METRIC}, optionally followed by
     * {@code @best}, {@code @last} or {@code @mean-of-last:K}.
     *
     * @param text the text form
     * @return the objective
     * @throws InvalidConfigurationException when the text is none of those
     */
    public static Objective parse(String text) {
        String s = text == null ? "" : text;
        int at = s.lastIndexOf('@');
        String head = at < 0 ? s : s.substring(0, at);
        String tail = at < 0 ? "best" : s.substring(at + 1);
        Objective objective;
        if (head.startsWith("maximize:")) {
            objective = maximize(head.substring("maximize:".length()));
        } else if (head.startsWith("minimize:")) {
            objective = minimize(head.substring("minimize:".length()));
        } else {
            throw new InvalidConfigurationException("objective", "'" + text
                    + "' is not maximize:METRIC or minimize:METRIC[@best|@last|@mean-of-last:K]");
        }
        if (tail.equals("best")) {
            return objective;
        }
        if (tail.equals("last")) {
            return objective.atLastEpoch();
        }
        if (tail.startsWith("mean-of-last:")) {
            try {
                return objective.meanOfLast(Integer.parseInt(tail.substring("mean-of-last:".length())));
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new InvalidConfigurationException("objective", "'" + text + "': '@" + tail
                + "' is not @best, @last or @mean-of-last:K");
    }

    /** @return the metric's name */
    public String metric() {
        return metric;
    }

    /** @return whether larger or smaller is better */
    public Goal goal() {
        return goal;
    }

    /** @return which epochs score a trial */
    public Epochs epochs() {
        return epochs;
    }

    /** @return k of {@link Epochs#MEAN_OF_LAST}, 1 otherwise */
    public int lastK() {
        return lastK;
    }

    /**
     * @param a one value
     * @param b another value, or NaN
     * @return whether {@code a} is strictly better than {@code b} (anything beats NaN; NaN beats nothing)
     */
    public boolean isBetter(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        if (Double.isNaN(b)) {
            return true;
        }
        return goal == Goal.MAXIMIZE ? a > b : a < b;
    }

    /**
     * @param value a metric value
     * @return the value oriented so that larger is better
     */
    double oriented(double value) {
        return goal == Goal.MAXIMIZE ? value : -value;
    }

    /**
     * Scores a trial from its per-epoch values.
     *
     * @param perEpoch the metric at epochs 1, 2, ...; NaN where an epoch did not report it
     * @return the score and the best epoch
     */
    public Score score(List<Double> perEpoch) {
        int best = 0;
        double bestValue = Double.NaN;
        int last = 0;
        for (int i = 0; i < perEpoch.size(); i++) {
            double v = perEpoch.get(i);
            if (!Double.isNaN(v)) {
                last = i + 1;
                if (isBetter(v, bestValue)) {
                    bestValue = v;
                    best = i + 1;
                }
            }
        }
        if (best == 0) {
            return new Score(Double.NaN, 0);
        }
        return switch (epochs) {
            case BEST -> new Score(bestValue, best);
            case LAST -> new Score(perEpoch.get(last - 1), best);
            case MEAN_OF_LAST -> {
                double sum = 0;
                int count = 0;
                for (int i = perEpoch.size() - 1; i >= 0 && count < lastK; i--) {
                    double v = perEpoch.get(i);
                    if (!Double.isNaN(v)) {
                        sum += v;
                        count++;
                    }
                }
                yield new Score(sum / count, best);
            }
        };
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Objective o && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** @return the text form, which {@link #parse(String)} reads back */
    @Override
    public String toString() {
        String at = switch (epochs) {
            case BEST -> "@best";
            case LAST -> "@last";
            case MEAN_OF_LAST -> "@mean-of-last:" + lastK;
        };
        return goal.name().toLowerCase(Locale.ROOT) + ":" + metric + at;
    }
}
