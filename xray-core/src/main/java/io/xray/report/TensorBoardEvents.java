package io.xray.report;

import io.xray.XrayException;
import io.xray.train.RunRecord;
import io.xray.tune.TrialRecord;
import io.xray.tune.TuningRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's scalars as TensorBoard event files under {@code RUN_DIR/tensorboard/}, for those who
 * live in TensorBoard ({@code tensorboard --logdir RUN_DIR/tensorboard}). Written from the run
 * record, so any finished or interrupted run can be exported; writing again replaces the files.
 *
 * <p>A training run gets one event file with, per epoch (the step), {@code loss/train},
 * {@code loss/validation}, {@code validation/auc}, {@code validation/pr_auc}, {@code validation/f1},
 * {@code validation/accuracy}, {@code validation/sensitivity}, {@code validation/specificity}
 * (F1 and the rates at threshold 0.5, as in the {@code Val_epoch} line), {@code train/learning_rate}
 * and {@code train/images_per_second}; the wall time of each is the run's start plus the seconds
 * of the epochs so far. A tuning run gets {@code tuning/objective} and {@code tuning/best_so_far}
 * per trial (the step is the trial number), and one folder per trial ({@code trial-0001}, ...) with
 * that trial's per-epoch metrics, so that TensorBoard shows the trials as runs side by side.
 */
public final class TensorBoardEvents {

    /** The folder in the run folder that holds the event files. */
    public static final String DIRECTORY = "tensorboard";

    private static final Logger LOG = LoggerFactory.getLogger(TensorBoardEvents.class);
    private static final String PREFIX = "events.out.tfevents.";
    private static final Map<String, String> TAGS = new LinkedHashMap<>();

    static {
        TAGS.put("Train_loss", "loss/train");
        TAGS.put("Val_loss", "loss/validation");
        TAGS.put("Val_auc", "validation/auc");
        TAGS.put("Val_pr_auc", "validation/pr_auc");
        TAGS.put("Val_f1", "validation/f1");
        TAGS.put("Val_accuracy", "validation/accuracy");
        TAGS.put("Val_recall", "validation/sensitivity");
        TAGS.put("Val_specificity", "validation/specificity");
        TAGS.put("Learning_rate", "train/learning_rate");
        TAGS.put("Images_per_second", "train/images_per_second");
    }

    private TensorBoardEvents() {}

    /**
     * Writes a training or tuning run's event files.
     *
     * @param runDirectory a training run's folder ({@code run.json}) or a tuning run's ({@code tuning.json})
     * @return the {@code tensorboard} folder
     * @throws XrayException naming the folder when it holds neither kind of run, or a file that cannot be written
     */
    public static Path write(Path runDirectory) {
        Path directory = runDirectory.resolve(DIRECTORY);
        if (TuningRecord.isTuningFolder(runDirectory)) {
            writeTuning(TuningRecord.read(runDirectory), directory);
        } else if (RunRecord.isRunFolder(runDirectory)) {
            RunRecord run = RunRecord.read(runDirectory);
            writeEpochs(run.epochs(), start(run.started()), directory);
        } else {
            throw new XrayException(runDirectory + " is neither a training run folder (" + RunRecord.RUN_FILE
                    + ") nor a tuning run folder (" + TuningRecord.FILE + ")");
        }
        LOG.info("TensorBoard event files written to {}", directory);
        return directory;
    }

    private static void writeTuning(TuningRecord tuning, Path directory) {
        double now = System.currentTimeMillis() / 1000.0;
        EventFile file = new EventFile(now);
        double best = Double.NaN;
        for (TrialRecord trial : tuning.trials()) {
            if (trial.scored()) {
                best = Double.isNaN(best) || tuning.objective().isBetter(trial.objective(), best) ? trial.objective() : best;
                Map<String, Double> scalars = new LinkedHashMap<>();
                scalars.put("tuning/objective", trial.objective());
                scalars.put("tuning/best_so_far", best);
                file.scalars(now, trial.number(), scalars);
            }
            writeEpochs(trial.epochs(), now,
                    directory.resolve(String.format(Locale.ROOT, "trial-%04d", trial.number())));
        }
        replace(directory, file, now);
    }

    private static void writeEpochs(List<Map<String, Double>> epochs, double start, Path directory) {
        EventFile file = new EventFile(start);
        double wallTime = start;
        for (int i = 0; i < epochs.size(); i++) {
            Map<String, Double> epoch = epochs.get(i);
            Double seconds = epoch.get("Seconds");
            wallTime += seconds == null || !Double.isFinite(seconds) ? 0 : seconds;
            Map<String, Double> scalars = new LinkedHashMap<>();
            for (Map.Entry<String, String> tag : TAGS.entrySet()) {
                Double value = epoch.get(tag.getKey());
                if (value != null && !value.isNaN()) {
                    scalars.put(tag.getValue(), value);
                }
            }
            Double step = epoch.get("epoch");
            file.scalars(wallTime, step == null || step.isNaN() ? i + 1 : step.longValue(), scalars);
        }
        replace(directory, file, start);
    }

    /** Writes the file, after deleting earlier event files in the folder (not in its sub-folders). */
    private static void replace(Path directory, EventFile file, double wallTime) {
        try {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path old : (Iterable<Path>) files.filter(p -> Files.isRegularFile(p)
                        && p.getFileName().toString().startsWith(PREFIX))::iterator) {
                    Files.delete(old);
                }
            }
        } catch (IOException e) {
            throw new XrayException(directory + ": cannot replace the TensorBoard event files: " + e.getMessage(), e);
        }
        file.write(directory.resolve(PREFIX + (long) wallTime + ".xray"));
    }

    private static double start(String started) {
        try {
            return Instant.parse(started).toEpochMilli() / 1000.0;
        } catch (DateTimeParseException e) {
            return System.currentTimeMillis() / 1000.0;
        }
    }
}
