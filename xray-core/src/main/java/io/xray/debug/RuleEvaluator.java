package io.xray.debug;

import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rule's running state: sees steps and epochs, remembers its first trigger and counts the rest.
 * A rule that remembers more than one step or epoch (a window, a count, a best value) returns it
 * from {@link #memory()} and takes it back in {@link #remember}, which is how the state survives a
 * checkpoint ({@link RuleEngineState.Rule}).
 */
abstract class RuleEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);

    final DebugRule rule;
    private RuleVerdict first;
    private int triggers;
    private int lastTriggerEpoch;

    RuleEvaluator(DebugRule rule) {
        this.rule = rule;
    }

    void onStep(StepObservation step) {}

    void onEpoch(EpochObservation epoch) {}

    /**
     * @return what this rule remembers besides its triggers, by field name; empty (the default) for
     *     a rule that judges each step or epoch on its own
     */
    Map<String, Double> memory() {
        return Map.of();
    }

    /**
     * Takes back what {@link #memory()} returned; a value missing from it keeps its initial value.
     *
     * @param memory what an evaluator of the same rule and parameters remembered
     */
    void remember(Map<String, Double> memory) {}

    /** @return the rule's state, for a checkpoint */
    final synchronized RuleEngineState.Rule state() {
        return new RuleEngineState.Rule(rule.name(), rule.parameters(), first, triggers, lastTriggerEpoch, memory());
    }

    /**
     * Replaces this evaluator's state with one taken from an evaluator of the same rule and parameters.
     *
     * @param state what {@link #state()} returned there
     */
    final synchronized void restore(RuleEngineState.Rule state) {
        first = state.firstTrigger();
        triggers = state.triggers();
        lastTriggerEpoch = state.lastTriggerEpoch();
        remember(state.memory());
    }

    /**
     * @param memory a rule's memory
     * @param name a field name
     * @param initial the value when the memory lacks it
     * @return the value
     */
    static double recall(Map<String, Double> memory, String name, double initial) {
        Double value = memory.get(name);
        return value == null ? initial : value;
    }

    final double p(String name) {
        return rule.parameter(name);
    }

    final synchronized void fire(long step, int epoch, String evidence, Map<String, Double> values) {
        triggers++;
        lastTriggerEpoch = epoch;
        if (first == null) {
            first = new RuleVerdict(rule.name(), RuleStatus.ISSUES_FOUND, step, epoch, evidence, values);
            LOG.warn(String.format(Locale.ROOT, "Rule %s: IssuesFound at step %d (epoch %d): %s",
                    rule.name().sageMakerName(), step, epoch, evidence));
        }
    }

    final synchronized RuleVerdict verdict() {
        if (first != null) {
            return first;
        }
        String notEvaluated = notEvaluated();
        return notEvaluated == null ? RuleVerdict.ok(rule.name())
                : new RuleVerdict(rule.name(), RuleStatus.NO_ISSUES_FOUND, 0, 0, "not evaluated: " + notEvaluated, Map.of());
    }

    /** @return why the rule saw nothing to evaluate, or null when it did */
    String notEvaluated() {
        return null;
    }

    final synchronized int triggers() {
        return triggers;
    }

    final synchronized boolean firedIn(int epoch) {
        return triggers > 0 && lastTriggerEpoch == epoch;
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    static String num(double value) {
        return String.format(Locale.ROOT, "%.4g", value);
    }
}
