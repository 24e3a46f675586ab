package io.xray.debug;

import java.util.List;
import java.util.Map;

/**
 * What a {@link RuleEngine} has accumulated so far, so that a training checkpoint can carry it: a
 * new engine given it ({@link RuleEngine#restore}) goes on as the engine that wrote it would have,
 * and a resumed run ends with the verdicts, trigger counts and sampled-step count of an
 * uninterrupted one. Plain values only, so that it is written as JSON with the checkpoint.
 *
 * @param sampledSteps steps measured inside the network so far
 * @param inspectionNanos nanoseconds spent measuring and evaluating so far
 * @param rules one per configured rule
 */
public record RuleEngineState(long sampledSteps, long inspectionNanos, List<Rule> rules) {

    /** Copies the rules. */
    public RuleEngineState {
        rules = List.copyOf(rules);
    }

    /**
     * One rule's running state.
     *
     * @param rule the rule
     * @param parameters its parameters when the state was taken; a rule now configured with other
     *     parameters is not restored from it
     * @param firstTrigger its verdict at its first trigger, or {@code null} when it has not fired
     * @param triggers how many times it fired
     * @param lastTriggerEpoch the epoch of its latest trigger, 0 when none
     * @param memory what the rule itself remembers (its windows, counts and best values), by the
     *     name of the evaluator's field; empty for rules that judge each step on its own
     */
    public record Rule(RuleName rule, Map<String, Double> parameters, RuleVerdict firstTrigger, int triggers,
            int lastTriggerEpoch, Map<String, Double> memory) {

        /** Copies the maps. */
        public Rule {
            parameters = Map.copyOf(parameters);
            memory = Map.copyOf(memory);
        }
    }
}
