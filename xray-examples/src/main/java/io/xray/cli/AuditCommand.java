package io.xray.cli;

import io.xray.data.AuditOptions;
import io.xray.data.Dataset;
import io.xray.data.DatasetAudit;
import io.xray.data.Label;
import io.xray.data.RejectedFile;
import io.xray.data.Split;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xray audit}: counts, patients, duplicates, rejected files and near-duplicates of a data set. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Audit a chest_xray folder or manifest: counts, patients, duplicates, corrupt files, near-duplicates.")
final class AuditCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--data", required = true, description = "chest_xray folder (train/val/test) or manifest file")
    private Path data;

    @Option(names = "--json", description = "print the audit as one JSON object")
    private boolean json;

    @Option(names = "--near-duplicates", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "search for visually identical images of different files (default: on; --no-near-duplicates turns it off)")
    private boolean nearDuplicates;

    @Option(names = "--hamming", defaultValue = "4", description = "difference-hash distance for near-duplicate candidates, 0 to 64 (default: ${DEFAULT-VALUE})")
    private int hamming;

    @Override
    public Integer call() {
        OptionChecks.of(spec).between("--hamming", hamming, 0, 64);
        Dataset dataset = Dataset.load(data);
        AuditOptions options = AuditOptions.defaults().toBuilder()
                .nearDuplicates(nearDuplicates)
                .hammingThreshold(hamming)
                .build();
        DatasetAudit audit = dataset.audit(options);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.write(audit));
        } else {
            printSummary(out, audit);
        }
        out.flush();
        return 0;
    }

    private static void printSummary(PrintWriter out, DatasetAudit audit) {
        out.printf("%-6s %8s %8s %10s %9s %16s%n", "split", "images", "NORMAL", "PNEUMONIA", "patients", "patients N/P");
        for (Split split : Split.values()) {
            DatasetAudit.SplitCounts counts = audit.splits().get(split);
            if (counts == null) {
                continue;
            }
            out.printf("%-6s %8d %8d %10d %9d %16s%n", split.directoryName(), counts.images(),
                    counts.images(Label.NORMAL), counts.images(Label.PNEUMONIA), counts.patients(),
                    counts.patientsPerLabel().getOrDefault(Label.NORMAL, 0) + "/"
                            + counts.patientsPerLabel().getOrDefault(Label.PNEUMONIA, 0));
        }
        out.printf("byte-identical groups: %d (%d extra copies)%n", audit.duplicateGroups().size(), audit.duplicateCopies());
        out.printf("rejected files: %d%n", audit.rejected().size());
        for (RejectedFile rejected : audit.rejected()) {
            out.printf("  %s: %s%n", rejected.path(), rejected.reason());
        }
        out.printf("patient ids in more than one split: %d%n", audit.sharedPatientIds().size());
        out.printf("file names fitting no patient pattern: %d%n", audit.unrecognisedFileNames());
        DatasetAudit.NearDuplicateReport near = audit.nearDuplicates();
        if (near != null) {
            out.printf("near-duplicates (dHash <= %d, correlation >= %.2f): %d within splits, %d across splits%n",
                    near.hammingThreshold(), near.minCorrelation(), near.pairsWithinSplits(), near.pairsAcrossSplits());
        }
        for (String warning : audit.warnings()) {
            out.println("warning: " + warning);
        }
    }
}
