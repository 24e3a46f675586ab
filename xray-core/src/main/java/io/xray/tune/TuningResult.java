package io.xray.tune;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a tuning run produced: every trial in number order, and the best.
 *
 * @param trials every trial, trial 1 first
 * @param objective the objective they were scored by
 * @param runDirectory the run folder ({@code tuning.json} and one folder per trial); {@code null} for a
 *     tuning job that another service ran and recorded (a SageMaker tuning job)
 * @param seconds wall time of this call (a resumed run counts only its own part)
 */
public record TuningResult(List<TrialRecord> trials, Objective objective, Path runDirectory, double seconds) {

    /** Copies the trials. */
    public TuningResult {
        trials = List.copyOf(trials);
    }

    /** @return the scored trial with the best objective (the lowest number among equals), if any */
    public Optional<TrialRecord> best() {
        TrialRecord best = null;
        for (TrialRecord trial : trials) {
            if (trial.scored() && (best == null || objective.isBetter(trial.objective(), best.objective()))) {
                best = trial;
            }
        }
        return Optional.ofNullable(best);
    }
}
