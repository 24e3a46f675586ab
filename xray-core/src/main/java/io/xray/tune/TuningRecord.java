package io.xray.tune;

import io.xray.XrayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tuning run as its folder records it ({@code tuning.json}): the settings (space, objective,
 * strategy, seed, ...) and every trial, for reports and for people. Reading needs no runner and
 * changes nothing.
 */
public final class TuningRecord {

    /** The tuning run's state file in its folder. */
    public static final String FILE = TuningState.FILE;

    private final Path directory;
    private final Map<String, String> settings;
    private final Objective objective;
    private final List<TrialRecord> trials;

    private TuningRecord(Path directory, Map<String, String> settings, Objective objective, List<TrialRecord> trials) {
        this.directory = directory;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        this.objective = objective;
        this.trials = List.copyOf(trials);
    }

    /**
     * @param directory a folder
     * @return whether it holds a tuning run ({@value #FILE})
     */
    public static boolean isTuningFolder(Path directory) {
        return Files.isRegularFile(directory.resolve(FILE));
    }

    /**
     * Reads a tuning run's folder.
     *
     * @param directory the folder given to {@link HyperparameterTuner.Builder#runDirectory(Path)}
     * @return its record
     * @throws XrayException naming the folder when it holds no tuning run, or the file when it cannot be read
     */
    public static TuningRecord read(Path directory) {
        Path file = directory.resolve(FILE);
        TuningState state = TuningState.read(file).orElseThrow(() -> new XrayException(directory
                + " is not a tuning run folder: it has no " + FILE + " (xray tune and HyperparameterTuner write one)"));
        String objectiveText = state.settings.get("objective");
        if (objectiveText == null) {
            throw new XrayException(file + ": its settings have no objective");
        }
        Objective objective = Objective.parse(objectiveText);
        return new TuningRecord(directory, state.settings, objective,
                state.trials.stream().map(entry -> entry.record(objective)).toList());
    }

    /** @return the run's folder */
    public Path directory() {
        return directory;
    }

    /** @return the settings that decide its suggestions: {@code space}, {@code objective}, {@code strategy}, {@code seed}, ... */
    public Map<String, String> settings() {
        return settings;
    }

    /** @return the objective the trials are scored by */
    public Objective objective() {
        return objective;
    }

    /** @return every trial, in number order */
    public List<TrialRecord> trials() {
        return trials;
    }

    /** @return the scored trial with the best objective (the lowest number among equals), if any */
    public Optional<TrialRecord> best() {
        return new TuningResult(trials, objective, directory, 0).best();
    }

    /**
     * @param trial a trial's number
     * @return the trial's own folder ({@code trials/trial-NNNN}), which may not exist
     */
    public Path trialDirectory(int trial) {
        return directory.resolve("trials").resolve(String.format(java.util.Locale.ROOT, "trial-%04d", trial));
    }

    @Override
    public String toString() {
        return "TuningRecord[" + directory + ", " + trials.size() + " trials, " + objective + "]";
    }
}
