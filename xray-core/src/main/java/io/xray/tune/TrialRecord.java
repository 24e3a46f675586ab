package io.xray.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One trial of a tuning run, as its run folder records it.
 *
 * @param number the 1-based trial number
 * @param values the trial's values, keyed by parameter name, in the space's order
 * @param status where it stands
 * @param objective its score by the run's {@link Objective}; NaN when it has none (failed, or no epoch)
 * @param bestEpoch the epoch whose objective metric is best (0 when none)
 * @param objectivePerEpoch the objective's metric at epochs 1, 2, ... (NaN where an epoch did not report it)
 * @param epochs every reported epoch's metrics, epoch 1 first
 * @param seconds wall time of the trial (of its last attempt when it was resumed)
 * @param message why it failed, or an empty string
 * @param modelDirectory the model the runner kept, or {@code null}
 */
public record TrialRecord(
        int number,
        Map<String, String> values,
        TrialStatus status,
        double objective,
        int bestEpoch,
        List<Double> objectivePerEpoch,
        List<Map<String, Double>> epochs,
        double seconds,
        String message,
        String modelDirectory) {

    /** Copies the collections. */
    public TrialRecord {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        epochs = epochs.stream().map(m -> java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m)))
                .toList();
        objectivePerEpoch = List.copyOf(objectivePerEpoch);
        message = message == null ? "" : message;
    }

    /**
     * @param metric a metric name
     * @return the metric at epochs 1, 2, ...; NaN where an epoch did not report it
     */
    public List<Double> metric(String metric) {
        List<Double> values = new ArrayList<>();
        for (Map<String, Double> epoch : epochs) {
            values.add(epoch.getOrDefault(metric, Double.NaN));
        }
        return values;
    }

    /** @return whether the trial has a score (it completed or was stopped, and reported the metric) */
    public boolean scored() {
        return (status == TrialStatus.COMPLETED || status == TrialStatus.STOPPED) && !Double.isNaN(objective);
    }

    /** @return the kept model's directory, when there is one */
    public Optional<String> model() {
        return Optional.ofNullable(modelDirectory);
    }
}
