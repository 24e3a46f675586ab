package io.xray.debug;

import java.util.Map;

/**
 * A profiler rule's verdict.
 *
 * @param rule the rule
 * @param status whether it fired
 * @param epoch the epoch in which it first fired, 0 when it did not (or fired outside an epoch)
 * @param evidence one sentence saying what was seen
 * @param values the figures that triggered it
 */
public record ProfilerVerdict(ProfilerRuleName rule, RuleStatus status, int epoch, String evidence, Map<String, Double> values) {

    /** Copies the values. */
    public ProfilerVerdict {
        values = Map.copyOf(values);
    }

    /** @return whether the rule fired */
    public boolean fired() {
        return status == RuleStatus.ISSUES_FOUND;
    }
}
