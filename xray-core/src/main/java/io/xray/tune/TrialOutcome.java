package io.xray.tune;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a trial runner hands back besides the epochs it reported.
 *
 * @param modelDirectory the trained model's directory, or {@code null} when the runner keeps none
 */
public record TrialOutcome(Path modelDirectory) {

    /** @return an outcome with no model */
    public static TrialOutcome none() {
        return new TrialOutcome(null);
    }

    /** @return the model directory, when there is one */
    public Optional<Path> model() {
        return Optional.ofNullable(modelDirectory);
    }
}
