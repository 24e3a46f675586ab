package io.xray.debug;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The debugger's results for one training run: one verdict per configured rule (the first
 * trigger of a rule that fired), how often each fired, and what looking cost.
 *
 * @param verdicts one per configured rule, in {@link RuleName} order
 * @param triggers how many times each rule fired (steps or epochs), by rule
 * @param sampledSteps how many steps were measured inside the network
 * @param inspectionSeconds seconds the training thread spent measuring and evaluating
 */
public record DebugReport(List<RuleVerdict> verdicts, Map<RuleName, Integer> triggers, long sampledSteps,
        double inspectionSeconds) {

    /** An empty report: the debugger was off. */
    public static final DebugReport NONE = new DebugReport(List.of(), Map.of(), 0, 0);

    /** Copies the collections. */
    public DebugReport {
        verdicts = List.copyOf(verdicts);
        triggers = Map.copyOf(triggers);
    }

    /**
     * @param rule a rule
     * @return its verdict when the rule was configured
     */
    public Optional<RuleVerdict> verdict(RuleName rule) {
        return verdicts.stream().filter(v -> v.rule() == rule).findFirst();
    }

    /** @return the verdicts of the rules that fired */
    public List<RuleVerdict> issues() {
        return verdicts.stream().filter(RuleVerdict::fired).toList();
    }
}
