package io.xray.tune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A trial runner for tests: each trial "trains" for a number of epochs and reports a metric
 * {@code score} that rises towards a target given by a function of the values, then falls by an
 * overfitting term, so its best epoch is not its last. It can simulate the process being killed
 * ({@link Kill}, an Error the tuner does not catch) at a given trial and epoch, once.
 */
final class CurveRunner implements TrialRunner {

    /** Stands for the process dying: the tuner records nothing after it. */
    static final class Kill extends Error {
        private static final long serialVersionUID = 1L;

        Kill(String message) {
            super(message);
        }
    }

    private final ToDoubleFunction<Trial> target;
    private final int epochs;
    private volatile int killTrial;
    private volatile int killEpoch;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    private volatile boolean jitter;

    CurveRunner(ToDoubleFunction<Trial> target, int epochs) {
        this.target = target;
        this.epochs = epochs;
    }

    /** @return a runner whose target is a function of the values alone */
    static CurveRunner ofValues(ToDoubleFunction<Map<String, String>> target, int epochs) {
        return new CurveRunner(trial -> target.applyAsDouble(trial.values()), epochs);
    }

    /** Makes trials take a few milliseconds, differently by trial, so that parallel ones finish out of order. */
    CurveRunner jitter() {
        this.jitter = true;
        return this;
    }

    /** Kills the run when trial {@code trial} is about to report epoch {@code epoch} (0: before its first). */
    CurveRunner killAt(int trial, int epoch) {
        this.killTrial = trial;
        this.killEpoch = epoch;
        return this;
    }

    static double curve(double target, int epoch) {
        return target * (1 - Math.exp(-epoch)) - 0.02 * Math.max(0, epoch - 3);
    }

    @Override
    public TrialOutcome run(Trial trial) {
        calls.add(trial.number() + (trial.resumed() ? " resumed" : ""));
        double t = target.applyAsDouble(trial);
        if (jitter) {
            try {
                Thread.sleep(1 + (trial.number() * 7919L) % 23);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int epoch = 1; epoch <= epochs; epoch++) {
            if (trial.number() == killTrial && (epoch == killEpoch || killEpoch == 0)) {
                killTrial = 0;
                throw new Kill("killed in trial " + trial.number() + " at epoch " + epoch);
            }
            if (!trial.reportEpoch(epoch, Map.of("score", curve(t, epoch), "loss", 1 - curve(t, epoch)))) {
                break;
            }
        }
        return TrialOutcome.none();
    }
}
