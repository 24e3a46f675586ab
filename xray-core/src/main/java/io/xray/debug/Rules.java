package io.xray.debug;

import java.util.Map;

/** The evaluators of {@link RuleName}'s rules. */
final class Rules {

    private Rules() {}

    static final String NO_ACTIVATIONS = "no ReLU activations were measured (a TorchScript or zoo backbone runs as"
            + " one native module whose ReLUs are out of reach)";

    static RuleEvaluator create(DebugRule rule) {
        return switch (rule.name()) {
            case VANISHING_GRADIENT -> new VanishingGradient(rule);
            case EXPLODING_TENSOR -> new ExplodingTensor(rule);
            case OVERFIT -> new Overfit(rule);
            case OVERTRAINING -> new Overtraining(rule);
            case LOSS_NOT_DECREASING -> new LossNotDecreasing(rule);
            case POOR_WEIGHT_INITIALIZATION -> new PoorWeightInitialization(rule);
            case DEAD_RELU -> new DeadRelu(rule);
            case CLASS_IMBALANCE -> new ClassImbalance(rule);
            case STALLED_TRAINING -> new StalledTraining(rule);
        };
    }

    static final class VanishingGradient extends RuleEvaluator {
        VanishingGradient(DebugRule rule) {
            super(rule);
        }

        @Override
        void onStep(StepObservation s) {
            double threshold = p("threshold");
            TensorStatistics smallest = null;
            for (TensorStatistics g : s.gradients()) {
                if (Double.isFinite(g.meanAbs()) && (smallest == null || g.meanAbs() < smallest.meanAbs())) {
                    smallest = g;
                }
            }
            if (smallest != null && smallest.meanAbs() < threshold) {
                long vanishing = s.gradients().stream()
                        .filter(g -> Double.isFinite(g.meanAbs()) && g.meanAbs() < threshold).count();
                fire(s.step(), s.epoch(), vanishing + " of " + s.gradients().size() + " gradients have mean |g| below "
                                + num(threshold) + ", smallest " + smallest.name() + " at " + num(smallest.meanAbs()),
                        Map.of("min_mean_abs_gradient", smallest.meanAbs(), "vanishing_tensors", (double) vanishing,
                                "threshold", threshold));
            }
        }
    }

    static final class ExplodingTensor extends RuleEvaluator {
        ExplodingTensor(DebugRule rule) {
            super(rule);
        }

        @Override
        void onStep(StepObservation s) {
            boolean onlyNan = p("only_nan") >= 0.5;
            if (Double.isNaN(s.loss()) || (!onlyNan && Double.isInfinite(s.loss()))) {
                fire(s.step(), s.epoch(), "the loss is " + s.loss(), Map.of("loss", s.loss()));
                return;
            }
            check(s, s.gradients(), "gradient", onlyNan);
            check(s, s.weights(), "weight", onlyNan);
        }

        private void check(StepObservation s, java.util.List<TensorStatistics> tensors, String kind, boolean onlyNan) {
            for (TensorStatistics t : tensors) {
                if (t.hasNaN() || (!onlyNan && t.hasInfinity())) {
                    fire(s.step(), s.epoch(), "the " + kind + " of " + t.name() + " holds "
                                    + (t.hasNaN() ? "NaN" : "an infinite value"),
                            Map.of("mean_abs_" + kind, t.meanAbs(), "loss", s.loss()));
                    return;
                }
            }
        }
    }

    static final class Overfit extends RuleEvaluator {
        private int inARow;

        Overfit(DebugRule rule) {
            super(rule);
        }

        @Override
        Map<String, Double> memory() {
            return Map.of("inARow", (double) inARow);
        }

        @Override
        void remember(Map<String, Double> memory) {
            inARow = (int) recall(memory, "inARow", 0);
        }

        @Override
        void onEpoch(EpochObservation e) {
            double train = e.comparableTrainLoss();
            if (e.step() < p("start_step") || !Double.isFinite(train) || train <= 0
                    || !Double.isFinite(e.validationLoss())) {
                return;
            }
            double ratio = (e.validationLoss() - train) / train;
            inARow = ratio > p("ratio_threshold") ? inARow + 1 : 0;
            if (inARow >= Math.max(1, p("patience"))) {
                fire(e.step(), e.epoch(), "validation loss " + num(e.validationLoss()) + " is above the training loss "
                                + num(train) + " (no augmentation) by " + pct(ratio) + " of it, over "
                                + pct(p("ratio_threshold")) + " for " + inARow + " epoch(s)",
                        Map.of("validation_loss", e.validationLoss(), "train_loss", train, "ratio", ratio));
            }
        }
    }

    static final class Overtraining extends RuleEvaluator {
        private double bestTrain = Double.POSITIVE_INFINITY;
        private double bestValidation = Double.POSITIVE_INFINITY;
        private int staleTrain;
        private int staleValidation;

        Overtraining(DebugRule rule) {
            super(rule);
        }

        @Override
        Map<String, Double> memory() {
            return Map.of("bestTrain", bestTrain, "bestValidation", bestValidation,
                    "staleTrain", (double) staleTrain, "staleValidation", (double) staleValidation);
        }

        @Override
        void remember(Map<String, Double> memory) {
            bestTrain = recall(memory, "bestTrain", Double.POSITIVE_INFINITY);
            bestValidation = recall(memory, "bestValidation", Double.POSITIVE_INFINITY);
            staleTrain = (int) recall(memory, "staleTrain", 0);
            staleValidation = (int) recall(memory, "staleValidation", 0);
        }

        @Override
        void onEpoch(EpochObservation e) {
            double delta = p("delta");
            if (e.trainLoss() < bestTrain - delta) {
                bestTrain = e.trainLoss();
                staleTrain = 0;
            } else {
                staleTrain++;
            }
            if (e.validationLoss() < bestValidation - delta) {
                bestValidation = e.validationLoss();
                staleValidation = 0;
            } else {
                staleValidation++;
            }
            if (staleTrain >= p("patience_train") || staleValidation >= p("patience_validation")) {
                fire(e.step(), e.epoch(), "training loss has not improved by " + num(delta) + " for " + staleTrain
                                + " epoch(s) (best " + num(bestTrain) + "), validation loss for " + staleValidation
                                + " (best " + num(bestValidation) + ")",
                        Map.of("epochs_without_train_improvement", (double) staleTrain,
                                "epochs_without_validation_improvement", (double) staleValidation));
            }
        }
    }

    static final class LossNotDecreasing extends RuleEvaluator {
        private double windowSum;
        private int windowSteps;
        private double firstWindow = Double.NaN;
        private double bestWindow = Double.NaN;
        private int stale;

        LossNotDecreasing(DebugRule rule) {
            super(rule);
        }

        @Override
        Map<String, Double> memory() {
            return Map.of("windowSum", windowSum, "windowSteps", (double) windowSteps, "firstWindow", firstWindow,
                    "bestWindow", bestWindow, "stale", (double) stale);
        }

        @Override
        void remember(Map<String, Double> memory) {
            windowSum = recall(memory, "windowSum", 0);
            windowSteps = (int) recall(memory, "windowSteps", 0);
            firstWindow = recall(memory, "firstWindow", Double.NaN);
            bestWindow = recall(memory, "bestWindow", Double.NaN);
            stale = (int) recall(memory, "stale", 0);
        }

        @Override
        void onStep(StepObservation s) {
            if (!Double.isFinite(s.loss())) {
                return;
            }
            windowSum += s.loss();
            windowSteps++;
            if (windowSteps < Math.max(1, (int) p("num_steps"))) {
                return;
            }
            double mean = windowSum / windowSteps;
            windowSum = 0;
            windowSteps = 0;
            if (Double.isNaN(firstWindow)) {
                firstWindow = mean;
                bestWindow = mean;
                return;
            }
            double rise = (mean - firstWindow) / firstWindow;
            if (mean < bestWindow * (1 - p("diff_percent") / 100)) {
                bestWindow = mean;
                stale = 0;
            } else {
                stale++;
            }
            if (rise > p("increase_threshold_percent") / 100) {
                fire(s.step(), s.epoch(), "the mean loss of the last " + (int) p("num_steps") + " steps, " + num(mean)
                                + ", is " + pct(rise) + " above the first window's " + num(firstWindow),
                        Map.of("window_loss", mean, "first_window_loss", firstWindow, "best_window_loss", bestWindow));
            } else if (stale >= Math.max(1, p("patience"))) {
                fire(s.step(), s.epoch(), "the mean loss of " + stale + " windows of " + (int) p("num_steps")
                                + " steps has not dropped " + p("diff_percent") + "% below the best window's "
                                + num(bestWindow) + " (latest " + num(mean) + ")",
                        Map.of("window_loss", mean, "first_window_loss", firstWindow, "best_window_loss", bestWindow,
                                "windows_without_decrease", (double) stale));
            }
        }
    }

    static final class PoorWeightInitialization extends RuleEvaluator {
        private int analysed;

        PoorWeightInitialization(DebugRule rule) {
            super(rule);
        }

        private boolean measured;

        @Override
        String notEvaluated() {
            return measured ? null : NO_ACTIVATIONS;
        }

        @Override
        Map<String, Double> memory() {
            return Map.of("analysed", (double) analysed, "measured", measured ? 1.0 : 0.0);
        }

        @Override
        void remember(Map<String, Double> memory) {
            analysed = (int) recall(memory, "analysed", 0);
            measured = recall(memory, "measured", 0) != 0;
        }

        @Override
        void onStep(StepObservation s) {
            if (s.activations().size() < 2 || analysed >= p("steps")) {
                return;
            }
            measured = true;
            analysed++;
            ActivationStatistics min = null;
            ActivationStatistics max = null;
            for (ActivationStatistics a : s.activations()) {
                if (min == null || a.inputVariance() < min.inputVariance() || Double.isNaN(a.inputVariance())) {
                    min = a;
                }
                if (max == null || a.inputVariance() > max.inputVariance()) {
                    max = a;
                }
            }
            double ratio = min.inputVariance() > 0 ? max.inputVariance() / min.inputVariance() : Double.POSITIVE_INFINITY;
            if (!(ratio <= p("threshold"))) {
                fire(s.step(), s.epoch(), "the variance of the activation inputs ranges from " + num(min.inputVariance())
                                + " (" + min.layer() + ") to " + num(max.inputVariance()) + " (" + max.layer()
                                + "), a ratio of " + num(ratio) + " over " + num(p("threshold")),
                        Map.of("min_variance", min.inputVariance(), "max_variance", max.inputVariance(),
                                "ratio", ratio));
            }
        }
    }

    static final class DeadRelu extends RuleEvaluator {
        DeadRelu(DebugRule rule) {
            super(rule);
        }

        private boolean measured;

        @Override
        String notEvaluated() {
            return measured ? null : NO_ACTIVATIONS;
        }

        @Override
        Map<String, Double> memory() {
            return Map.of("measured", measured ? 1.0 : 0.0);
        }

        @Override
        void remember(Map<String, Double> memory) {
            measured = recall(memory, "measured", 0) != 0;
        }

        @Override
        void onStep(StepObservation s) {
            double inactivity = p("threshold_inactivity") / 100;
            double layerShare = p("threshold_layer") / 100;
            measured |= !s.activations().isEmpty();
            String worst = null;
            double worstShare = -1;
            int deadLayers = 0;
            for (ActivationStatistics a : s.activations()) {
                int dead = 0;
                for (float activity : a.channelActivity()) {
                    if (activity < inactivity) {
                        dead++;
                    }
                }
                double share = a.channelActivity().length == 0 ? 0 : (double) dead / a.channelActivity().length;
                if (share > layerShare) {
                    deadLayers++;
                }
                if (share > worstShare) {
                    worstShare = share;
                    worst = a.layer();
                }
            }
            if (deadLayers > 0) {
                fire(s.step(), s.epoch(), deadLayers + " ReLU layer(s) with more than " + pct(layerShare)
                                + " of channels active on under " + pct(inactivity) + " of outputs; worst " + worst
                                + " with " + pct(worstShare) + " dead",
                        Map.of("dead_layers", (double) deadLayers, "worst_dead_share", worstShare));
            }
        }
    }

    static final class ClassImbalance extends RuleEvaluator {
        private final long[] seen = new long[2];
        private final long[] epochSeen = new long[2];
        private final long[] epochWrong = new long[2];
        private long sinceCheck;
        private boolean checkedThisEpoch;

        ClassImbalance(DebugRule rule) {
            super(rule);
        }

        @Override
        Map<String, Double> memory() {
            return Map.of("seenNormal", (double) seen[0], "seenPneumonia", (double) seen[1],
                    "epochSeenNormal", (double) epochSeen[0], "epochSeenPneumonia", (double) epochSeen[1],
                    "epochWrongNormal", (double) epochWrong[0], "epochWrongPneumonia", (double) epochWrong[1],
                    "sinceCheck", (double) sinceCheck, "checkedThisEpoch", checkedThisEpoch ? 1.0 : 0.0);
        }

        @Override
        void remember(Map<String, Double> memory) {
            seen[0] = (long) recall(memory, "seenNormal", 0);
            seen[1] = (long) recall(memory, "seenPneumonia", 0);
            epochSeen[0] = (long) recall(memory, "epochSeenNormal", 0);
            epochSeen[1] = (long) recall(memory, "epochSeenPneumonia", 0);
            epochWrong[0] = (long) recall(memory, "epochWrongNormal", 0);
            epochWrong[1] = (long) recall(memory, "epochWrongPneumonia", 0);
            sinceCheck = (long) recall(memory, "sinceCheck", 0);
            checkedThisEpoch = recall(memory, "checkedThisEpoch", 0) != 0;
        }

        @Override
        void onStep(StepObservation s) {
            float[] labels = s.labels();
            for (int i = 0; i < labels.length; i++) {
                int label = labels[i] >= 0.5f ? 1 : 0;
                seen[label]++;
                sinceCheck++;
                if (s.logits() != null) {
                    epochSeen[label]++;
                    if ((s.logits()[i] > 0 ? 1 : 0) != label) {
                        epochWrong[label]++;
                    }
                }
            }
            if (sinceCheck >= p("samples")) {
                sinceCheck = 0;
                checkedThisEpoch = true;
                check(s.step(), s.epoch());
            }
        }

        @Override
        void onEpoch(EpochObservation e) {
            if (!checkedThisEpoch) {
                check(e.step(), e.epoch());
            }
            checkedThisEpoch = false;
            sinceCheck = 0;
            epochSeen[0] = epochSeen[1] = epochWrong[0] = epochWrong[1] = 0;
        }

        private void check(long step, int epoch) {
            long small = Math.min(seen[0], seen[1]);
            long large = Math.max(seen[0], seen[1]);
            if (large == 0) {
                return; // no labelled step observed yet (a head trained on cached features shows none)
            }
            double ratio = small == 0 ? Double.POSITIVE_INFINITY : (double) large / small;
            if (ratio > p("threshold_imbalance")) {
                fire(step, epoch, "the training labels hold " + seen[0] + " NORMAL and " + seen[1]
                                + " PNEUMONIA: the larger class is " + num(ratio) + " times the smaller, over "
                                + num(p("threshold_imbalance")),
                        Map.of("normal", (double) seen[0], "pneumonia", (double) seen[1], "ratio", ratio));
                return;
            }
            if (seen[0] == seen[1]) {
                return;
            }
            int minority = seen[0] < seen[1] ? 0 : 1;
            if (epochSeen[minority] > 0) {
                double wrong = (double) epochWrong[minority] / epochSeen[minority];
                if (wrong > p("threshold_misprediction")) {
                    fire(step, epoch, pct(wrong) + " of the smaller class's (" + (minority == 1 ? "PNEUMONIA" : "NORMAL")
                                    + ") training images were mispredicted this epoch, over "
                                    + pct(p("threshold_misprediction")),
                            Map.of("minority_misprediction", wrong, "ratio", ratio));
                }
            }
        }
    }

    static final class StalledTraining extends RuleEvaluator {
        private volatile long lastProgressNanos = System.nanoTime();
        private volatile long lastStep;
        private volatile int lastEpoch = 1;

        StalledTraining(DebugRule rule) {
            super(rule);
        }

        /** The step and epoch a stall is reported after; the stall clock itself restarts with a new engine. */
        @Override
        Map<String, Double> memory() {
            return Map.of("lastStep", (double) lastStep, "lastEpoch", (double) lastEpoch);
        }

        @Override
        void remember(Map<String, Double> memory) {
            lastStep = (long) recall(memory, "lastStep", 0);
            lastEpoch = (int) recall(memory, "lastEpoch", 1);
        }

        @Override
        void onStep(StepObservation s) {
            check(System.nanoTime());
            lastProgressNanos = System.nanoTime();
            lastStep = s.step();
            lastEpoch = s.epoch();
        }

        @Override
        void onEpoch(EpochObservation e) {
            check(System.nanoTime());
            lastProgressNanos = System.nanoTime();
        }

        /** Called by the watchdog thread and on every step. */
        void check(long now) {
            double stalled = (now - lastProgressNanos) / 1e9;
            if (stalled > p("threshold")) {
                fire(lastStep, lastEpoch, String.format(java.util.Locale.ROOT,
                                "no training step completed for %.0f s after step %d (threshold %.0f s)",
                                stalled, lastStep, p("threshold")),
                        Map.of("seconds_without_progress", stalled));
                lastProgressNanos = now; // one trigger per stall period
            }
        }

        long nextCheckMillis() {
            return (long) Math.max(100, Math.min(10_000, p("threshold") * 1000 / 4));
        }
    }
}
