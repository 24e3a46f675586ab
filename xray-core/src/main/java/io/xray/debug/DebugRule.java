package io.xray.debug;

import io.xray.InvalidConfigurationException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One configured debugger rule: which rule, its parameters (SageMaker's names, every one present,
 * defaults unless set), and whether it stops training when it fires. Immutable.
 *
 * <pre>{@code
 * DebugRule rule = DebugRule.of(RuleName.LOSS_NOT_DECREASING).withParameter("num_steps", 20).stoppingTraining();
 * }</pre>
 */
public final class DebugRule {

    private final RuleName name;
    private final Map<String, Double> parameters;
    private final boolean stopTraining;

    private DebugRule(RuleName name, Map<String, Double> parameters, boolean stopTraining) {
        this.name = name;
        this.parameters = Map.copyOf(parameters);
        this.stopTraining = stopTraining;
    }

    /**
     * @param name the rule
     * @return the rule with SageMaker's default parameters, not stopping training
     */
    public static DebugRule of(RuleName name) {
        if (name == null) {
            throw new InvalidConfigurationException("rule", "must not be null");
        }
        return new DebugRule(name, name.defaults(), false);
    }

    /**
     * @param parameter one of the rule's parameters ({@link RuleName#defaults()})
     * @param value its value, finite and not negative
     * @return a copy with that parameter set
     * @throws InvalidConfigurationException naming the parameter when it is unknown or the value bad
     */
    public DebugRule withParameter(String parameter, double value) {
        String field = name.sageMakerName() + "." + parameter;
        if (!name.defaults().containsKey(parameter)) {
            throw new InvalidConfigurationException(field,
                    "unknown parameter; " + name.sageMakerName() + " takes " + name.defaults().keySet());
        }
        if (!Double.isFinite(value) || value < 0) {
            throw new InvalidConfigurationException(field, "must be finite and not negative, got " + value);
        }
        Map<String, Double> copy = new LinkedHashMap<>(parameters);
        copy.put(parameter, value);
        return new DebugRule(name, copy, stopTraining);
    }

    /** @return a copy that stops training after the epoch in which it fires (a checkpoint is still written) */
    public DebugRule stoppingTraining() {
        return new DebugRule(name, parameters, true);
    }

    /** @return the rule */
    public RuleName name() {
        return name;
    }

    /** @return every parameter by SageMaker's name */
    public Map<String, Double> parameters() {
        return parameters;
    }

    /**
     * @param parameter a parameter name
     * @return its value
     */
    public double parameter(String parameter) {
        Double value = parameters.get(parameter);
        if (value == null) {
            throw new IllegalArgumentException(name.sageMakerName() + " has no parameter " + parameter);
        }
        return value;
    }

    /** @return whether training stops after the epoch in which this rule fires */
    public boolean stopTraining() {
        return stopTraining;
    }

    @Override
    public String toString() {
        return name.sageMakerName() + new java.util.TreeMap<>(parameters) + (stopTraining ? " (stops training)" : "");
    }
}
