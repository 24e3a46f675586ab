package io.xray.report;

import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.internal.AtomicFiles;
import io.xray.model.Classifier;
import io.xray.model.ModelArtifact;
import io.xray.train.RunRecord;
import io.xray.train.ValidationScores;
import io.xray.tune.TuningRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One self-contained HTML report per run, {@code report.html} in the run's folder: it opens from
 * the file with no network (uPlot's JavaScript and CSS are inlined, every chart's data embedded as
 * JSON in {@code <script type="application/json" id="report-data">}).
 *
 * <p>For a training run (a folder with {@code run.json}, see {@link RunRecord}) the sections are
 * {@code summary}, {@code training-curves} (train and validation loss, validation AUC and F1,
 * learning rate and images/s per epoch, from {@code metrics.jsonl}), {@code roc-pr} (ROC and
 * precision-recall curves), {@code confusion-matrix} (at the model's stored threshold),
 * {@code thresholds} (sensitivity, specificity, precision and F1 at 19 thresholds and the stored
 * one), {@code debugger} (every rule's verdict with its evidence) and {@code profiler} (rule
 * verdicts, a step-time histogram, data wait per epoch, CPU and memory over time). The curves,
 * matrix and table come from the validation scores the trainer saved ({@link ValidationScores});
 * for a run trained before they were saved, {@link #write(Path, Dataset)} scores the validation
 * split again with the saved model, and without data those sections say they are not available.
 *
 * <p>For a tuning run (a folder with {@code tuning.json}, see {@link TuningRecord}) the sections are
 * {@code summary} (settings, best trial), {@code trials} (the trial table, linking each trial's own
 * report when it has one), {@code objective} (the objective by trial and against each
 * hyperparameter) and {@code learning-curves}.
 */
public final class RunReport {

    /** The report's file name in the run folder. */
    public static final String FILE = "report.html";

    private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);

    private RunReport() {}

    /**
     * Writes the report of a training or tuning run from what its folder holds.
     *
     * @param runDirectory a training run's folder ({@code run.json}) or a tuning run's ({@code tuning.json})
     * @return the report file, {@code runDirectory/report.html}
     * @throws XrayException naming the folder when it holds neither kind of run, or a file that cannot be read
     */
    public static Path write(Path runDirectory) {
        return write(runDirectory, null);
    }

    /**
     * Writes the report of a training or tuning run; for a training run without saved validation
     * scores, first scores the validation split of {@code data} with the run's model and saves the
     * scores in the run folder (as {@code source: "rescored"}). {@code data} must be split as it was
     * for training (the same validation split, and calibration split if any): its fingerprint is
     * checked against the model's provenance, and when it differs the curves are left out with the
     * reason rather than drawn from other images.
     *
     * @param runDirectory a training run's folder ({@code run.json}) or a tuning run's ({@code tuning.json})
     * @param data the data the run trained on, with its validation split; null for none
     * @return the report file, {@code runDirectory/report.html}
     * @throws XrayException naming the folder when it holds neither kind of run, or a file that cannot be read
     */
    public static Path write(Path runDirectory, Dataset data) {
        Objects.requireNonNull(runDirectory, "runDirectory");
        String html;
        if (TuningRecord.isTuningFolder(runDirectory)) {
            html = TuningReport.render(TuningRecord.read(runDirectory));
        } else if (RunRecord.isRunFolder(runDirectory)) {
            RunRecord run = RunRecord.read(runDirectory);
            TrainingReport.Scores scores = scores(run, data);
            if (scores.reason() != null) {
                LOG.warn("{}: ROC, precision-recall, confusion matrix and threshold table not available: {}",
                        runDirectory, scores.reason());
            }
            html = TrainingReport.render(run, scores);
        } else {
            throw new XrayException(runDirectory + " is neither a training run folder (" + RunRecord.RUN_FILE
                    + ") nor a tuning run folder (" + TuningRecord.FILE + "): give the --out folder of xray train or"
                    + " xray tune");
        }
        Path file = runDirectory.resolve(FILE);
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, bytes);
        LOG.info("Report written to {} ({} KiB)", file, (bytes.length + 1023) / 1024);
        return file;
    }

    private static TrainingReport.Scores scores(RunRecord run, Dataset data) {
        Optional<ValidationScores> saved = ValidationScores.read(run.directory());
        if (saved.isPresent()) {
            return new TrainingReport.Scores(saved.get(), null);
        }
        if (data == null) {
            return new TrainingReport.Scores(null, "the run folder has no " + ValidationScores.FILE
                    + " (runs trained before xray saved it, or unfinished runs); give the data it trained on to score"
                    + " its validation split again (xray report RUN_DIR --data DIR)");
        }
        Optional<Path> model = run.modelDirectory();
        if (model.isEmpty()) {
            return new TrainingReport.Scores(null, "the run has no model to score the validation split with");
        }
        ModelArtifact artifact = ModelArtifact.read(model.get());
        Dataset marked = artifact.withCalibrationMarked(data);
        String expected = artifact.provenance().manifestSha256();
        String given = marked.manifestSha256();
        if (expected == null || expected.isEmpty()) {
            return new TrainingReport.Scores(null, "the model records no fingerprint of its training data, so the"
                    + " validation split it was chosen on cannot be checked");
        }
        if (!given.equals(expected)) {
            return new TrainingReport.Scores(null, "the data given is not split as the model's training data was"
                    + " (manifest SHA-256 " + given.substring(0, 12) + "... against the model's "
                    + expected.substring(0, Math.min(12, expected.length())) + "...; "
                    + marked.records(Split.VAL).size() + " validation images against "
                    + artifact.provenance().validationImages() + "): give the same data, validation fraction and seed ("
                    + artifact.provenance().seed() + ")");
        }
        List<ImageRecord> validation = marked.records(Split.VAL);
        int[] labels = validation.stream().mapToInt(r -> r.label().index()).toArray();
        LOG.info("Scoring the {} validation images again with {}", validation.size(), model.get());
        double[] probabilities;
        try (Classifier classifier = Classifier.load(model.get())) {
            probabilities = classifier.score(validation);
        }
        ValidationScores scores = new ValidationScores(Split.VAL.directoryName(), "rescored", probabilities, labels);
        scores.write(run.directory());
        return new TrainingReport.Scores(scores, null);
    }
}
