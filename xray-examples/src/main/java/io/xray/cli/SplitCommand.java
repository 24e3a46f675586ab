package io.xray.cli;

import io.xray.data.ClassBalance;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Label;
import io.xray.data.Split;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xray split}: a patient-grouped, class-stratified validation split written as a manifest. */
@Command(
        name = "split",
        mixinStandardHelpOptions = true,
        description = "Carve a patient-grouped, class-stratified validation split and write it as a JSON Lines manifest.")
final class SplitCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--data", required = true, description = "chest_xray folder (train/val/test) or manifest file")
    private Path data;

    @Option(names = "--val-fraction", defaultValue = "0.1", description = "share of train images moved to validation, whole patients (default: ${DEFAULT-VALUE})")
    private double valFraction;

    @Option(names = "--move-test-to-val", defaultValue = "0", description = "also move about N test images (whole patients) into validation (default: ${DEFAULT-VALUE})")
    private int moveTestToVal;

    @Option(names = "--calibration-from-test", defaultValue = "0", paramLabel = "N",
            description = "set about N test images (whole patients) aside as a calibration split that chooses the"
                    + " threshold (default: ${DEFAULT-VALUE})")
    private int calibrationFromTest;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--out", required = true, description = "manifest file to write")
    private Path out;

    @Override
    public Integer call() {
        OptionChecks.of(spec).fractionOrZero("--val-fraction", valFraction)
                .atLeast("--move-test-to-val", moveTestToVal, 0)
                .atLeast("--calibration-from-test", calibrationFromTest, 0);
        Dataset dataset = Dataset.load(data);
        if (valFraction > 0) {
            dataset = dataset.withValidationFromTrain(valFraction, seed);
        }
        if (moveTestToVal > 0) {
            dataset = dataset.withTestMovedToValidation(moveTestToVal, seed);
        }
        if (calibrationFromTest > 0) {
            dataset = dataset.withTestMovedToCalibration(calibrationFromTest, seed);
        }
        dataset.writeManifest(out);
        PrintWriter printer = spec.commandLine().getOut();
        for (Split split : dataset.splits()) {
            var records = dataset.records(split);
            ClassBalance balance = ClassBalance.of(records);
            long patients = records.stream().map(ImageRecord::patientId).distinct().count();
            printer.printf("%-11s %5d images (%d NORMAL, %d PNEUMONIA), %d patients%n", split.directoryName(),
                    records.size(), balance.count(Label.NORMAL), balance.count(Label.PNEUMONIA), patients);
        }
        printer.printf("wrote %s (data fingerprint %s)%n", out, dataset.manifestSha256());
        printer.flush();
        return 0;
    }
}
