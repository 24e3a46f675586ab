package io.xray.debug;

import java.util.Map;

/**
 * A rule's verdict: {@link RuleStatus#ISSUES_FOUND} with the step, epoch and the values that
 * triggered it, or {@link RuleStatus#NO_ISSUES_FOUND}.
 *
 * @param rule the rule
 * @param status the verdict
 * @param step the global step at which it fired (0 when it did not)
 * @param epoch the epoch in which it fired (0 when it did not)
 * @param evidence one sentence saying what was seen
 * @param values the figures that triggered it, by name
 */
public record RuleVerdict(RuleName rule, RuleStatus status, long step, int epoch, String evidence, Map<String, Double> values) {

    /** Copies the values. */
    public RuleVerdict {
        values = Map.copyOf(values);
    }

    /** @return whether the rule fired */
    public boolean fired() {
        return status == RuleStatus.ISSUES_FOUND;
    }

    static RuleVerdict ok(RuleName rule) {
        return new RuleVerdict(rule, RuleStatus.NO_ISSUES_FOUND, 0, 0, "no issues found", Map.of());
    }
}
