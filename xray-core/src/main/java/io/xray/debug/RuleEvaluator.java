package io.xray.debug;

import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One rule's running state: sees steps and epochs, remembers its first trigger and counts the rest. */
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
