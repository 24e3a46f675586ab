package io.xray.train;

import io.xray.InvalidConfigurationException;
import java.util.Locale;

/**
 * How the learning rate moves over the run, as a function of the global step. The position in the
 * schedule is the step number, which checkpoints save, so a resumed run continues on the same
 * curve.
 *
 * <ul>
 *   <li>{@link #constant()}: the peak learning rate throughout.
 *   <li>{@link #warmupCosine(double)}: linear warm-up from near zero to the peak over the given
 *       fraction of all steps, then cosine decay to zero.
 *   <li>{@link #oneCycle(double)}: PyTorch's {@code OneCycleLR} with cosine annealing: from
 *       peak/25 up to the peak over the given fraction of steps, then down to peak/25/10<sup>4</sup>.
 * </ul>
 */
public final class LearningRateSchedule {

    /** The shape of a schedule. */
    public enum Kind {
        /** Constant learning rate. */
        CONSTANT,
        /** Linear warm-up then cosine decay. */
        WARMUP_COSINE,
        /** One-cycle. */
        ONE_CYCLE
    }

    private static final double ONE_CYCLE_DIV = 25.0;
    private static final double ONE_CYCLE_FINAL_DIV = 1e4;

    private final Kind kind;
    private final double warmupFraction;

    private LearningRateSchedule(Kind kind, double warmupFraction) {
        if (!(warmupFraction >= 0 && warmupFraction < 1)) {
            throw new InvalidConfigurationException(
                    "schedule", "warm-up fraction must be in [0, 1), got " + warmupFraction);
        }
        this.kind = kind;
        this.warmupFraction = warmupFraction;
    }

    /** @return a constant learning rate */
    public static LearningRateSchedule constant() {
        return new LearningRateSchedule(Kind.CONSTANT, 0);
    }

    /**
     * @param warmupFraction the share of all steps spent warming up, in [0, 1)
     * @return linear warm-up, then cosine decay to zero
     */
    public static LearningRateSchedule warmupCosine(double warmupFraction) {
        return new LearningRateSchedule(Kind.WARMUP_COSINE, warmupFraction);
    }

    /**
     * @param rampFraction the share of all steps spent rising to the peak (PyTorch's
     *     {@code pct_start}, 0.3 by default there), in (0, 1)
     * @return the one-cycle schedule
     */
    public static LearningRateSchedule oneCycle(double rampFraction) {
        if (!(rampFraction > 0)) {
            throw new InvalidConfigurationException("schedule", "one-cycle ramp fraction must be positive");
        }
        return new LearningRateSchedule(Kind.ONE_CYCLE, rampFraction);
    }

    /**
     * Parses {@code constant}, {@code cosine} (10% warm-up), {@code cosine:F}, {@code one-cycle}
     * (30% ramp) or {@code one-cycle:F}.
     *
     * @param text the spelling
     * @return the schedule
     */
    public static LearningRateSchedule parse(String text) {
        String value = text == null ? "" : text.trim();
        try {
            if (value.equals("constant")) {
                return constant();
            }
            if (value.equals("cosine")) {
                return warmupCosine(0.1);
            }
            if (value.startsWith("cosine:")) {
                return warmupCosine(Double.parseDouble(value.substring(7)));
            }
            if (value.equals("one-cycle")) {
                return oneCycle(0.3);
            }
            if (value.startsWith("one-cycle:")) {
                return oneCycle(Double.parseDouble(value.substring(10)));
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new InvalidConfigurationException(
                "schedule", "expected constant, cosine[:F] or one-cycle[:F], got '" + text + "'");
    }

    /** @return the shape */
    public Kind kind() {
        return kind;
    }

    /** @return the warm-up (or one-cycle ramp) fraction of all steps */
    public double warmupFraction() {
        return warmupFraction;
    }

    /**
     * @param peak the configured learning rate
     * @param step the 0-based global step
     * @param totalSteps the steps of the whole run (epochs times batches per epoch)
     * @return the learning rate for that step
     */
    public double rate(double peak, long step, long totalSteps) {
        long total = Math.max(1, totalSteps);
        double position = Math.min(1.0, Math.max(0.0, (double) step / total));
        switch (kind) {
            case CONSTANT:
                return peak;
            case WARMUP_COSINE: {
                long warmupSteps = Math.round(warmupFraction * total);
                if (step < warmupSteps) {
                    return peak * (step + 1) / warmupSteps;
                }
                double progress = (double) (step - warmupSteps) / Math.max(1, total - warmupSteps);
                return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
            }
            case ONE_CYCLE: {
                double initial = peak / ONE_CYCLE_DIV;
                double end = initial / ONE_CYCLE_FINAL_DIV;
                if (position < warmupFraction) {
                    double t = position / warmupFraction;
                    return end(initial, peak, t);
                }
                double t = (position - warmupFraction) / (1 - warmupFraction);
                return end(peak, end, t);
            }
            default:
                throw new IllegalStateException(kind.toString());
        }
    }

    /** Cosine interpolation from {@code from} (t = 0) to {@code to} (t = 1). */
    private static double end(double from, double to, double t) {
        return to + (from - to) * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LearningRateSchedule that
                && kind == that.kind
                && warmupFraction == that.warmupFraction;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Double.hashCode(warmupFraction);
    }

    /** @return the spelling {@link #parse(String)} reads */
    @Override
    public String toString() {
        return switch (kind) {
            case CONSTANT -> "constant";
            case WARMUP_COSINE -> String.format(Locale.ROOT, "cosine:%s", warmupFraction);
            case ONE_CYCLE -> String.format(Locale.ROOT, "one-cycle:%s", warmupFraction);
        };
    }
}
