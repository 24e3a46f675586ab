package io.xray.cli;

import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.report.RunReport;
import io.xray.report.TensorBoardEvents;
import io.xray.train.RunRecord;
import io.xray.tune.TuningRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code xray report RUN_DIR}: the run's HTML report ({@link RunReport}) and its TensorBoard event
 * files ({@link TensorBoardEvents}); {@code xray train} and {@code xray tune} write both at the end.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Write RUN_DIR/report.html, one self-contained page (no network needed to open it): training"
                + " curves, ROC and precision-recall curves, the confusion matrix at the stored threshold, a table of"
                + " thresholds, the debugger's verdicts and the profiler's summary; for a tuning run the trials and the"
                + " objective against each hyperparameter. Also writes RUN_DIR/tensorboard/ (TensorBoard event files).")
final class ReportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "the --out folder of xray train or xray tune")
    private Path runDirectory;

    @Option(names = "--data", description = "for a run trained before xray saved validation-scores.json: the data it"
            + " trained on (folder or manifest), to score its validation split again with the saved model")
    private Path data;

    @Option(names = "--val-fraction", description = "with --data: the --val-fraction the run trained with (default:"
            + " 0.1 when the data has no val split, as xray train does)")
    private Double valFraction;

    @Option(names = "--no-tensorboard", description = "write only the HTML report")
    private boolean noTensorBoard;

    @Override
    public Integer call() {
        OptionChecks.of(spec).fractionOrZero("--val-fraction", valFraction);
        PrintWriter out = spec.commandLine().getOut();
        Dataset dataset = null;
        if (data != null) {
            if (!RunRecord.isRunFolder(runDirectory) || TuningRecord.isTuningFolder(runDirectory)) {
                throw new XrayException("--data is for a training run folder; " + runDirectory + " is not one");
            }
            long seed = RunRecord.read(runDirectory).recipe().seed();
            dataset = TrainCommand.withValidation(Dataset.load(data), valFraction, seed);
        }
        Path report = RunReport.write(runDirectory, dataset);
        out.printf(Locale.ROOT, "report:      %s (%s)%n", report, size(report));
        if (!noTensorBoard) {
            out.printf(Locale.ROOT, "tensorboard: %s%n", TensorBoardEvents.write(runDirectory));
        }
        out.flush();
        return 0;
    }

    /**
     * Writes a run's report and event files after {@code train} or {@code tune}, printing where; a
     * failure is printed as a warning and does not fail the command whose model is already written.
     *
     * @param out where to print
     * @param runDirectory the run folder
     */
    static void afterRun(PrintWriter out, Path runDirectory) {
        try {
            Path report = RunReport.write(runDirectory);
            out.printf(Locale.ROOT, "report:           %s (%s)%n", report, size(report));
            out.printf(Locale.ROOT, "tensorboard:      %s%n", TensorBoardEvents.write(runDirectory));
        } catch (XrayException e) {
            out.println("report:           not written: " + e.getMessage());
        }
    }

    /**
     * Writes each trial's report (the tuning report links them), then the tuning run's report and event files.
     *
     * @param out where to print
     * @param runDirectory the tuning run folder
     */
    static void afterTuning(PrintWriter out, Path runDirectory) {
        try {
            TuningRecord tuning = TuningRecord.read(runDirectory);
            for (io.xray.tune.TrialRecord trial : tuning.trials()) {
                Path trialDirectory = tuning.trialDirectory(trial.number());
                if (RunRecord.isRunFolder(trialDirectory)) {
                    RunReport.write(trialDirectory);
                }
            }
        } catch (XrayException e) {
            out.println("trial reports:    not all written: " + e.getMessage());
        }
        afterRun(out, runDirectory);
    }

    private static String size(Path file) {
        try {
            return String.format(Locale.ROOT, "%.0f KiB", Files.size(file) / 1024.0);
        } catch (IOException e) {
            return "size unknown";
        }
    }
}
