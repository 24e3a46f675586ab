package io.xray.cli;

import io.xray.batch.BatchResult;
import io.xray.batch.BatchTransformer;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ConfusionMatrix;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xray batch}: scores a folder or manifest with a model, SageMaker batch-transform style. */
@Command(
        name = "batch",
        mixinStandardHelpOptions = true,
        description = {
            "Score every image of a folder (recursively) or manifest with a model: one <input>.out JSON result per"
                    + " image in the output folder, summary.jsonl, and with labels (NORMAL/PNEUMONIA folders or a"
                    + " manifest) metrics.json and confusion-matrix.png.",
            "A re-run skips the inputs already scored by the same model and retries the ones that failed."
                    + " Inputs that cannot be decoded are listed and do not stop the job (exit status 0)."
        })
final class BatchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private PrecisionOptions precision = new PrecisionOptions();

    @Option(names = "--model", required = true, description = "model directory written by training")
    private Path model;

    @Option(names = "--input", required = true, description = "folder of images, or a manifest file")
    private Path input;

    @Option(names = "--output", required = true, description = "folder the results go to")
    private Path output;

    @Option(names = "--threads", description = "threads decoding images while the model runs (default: ${DEFAULT-VALUE})")
    private int threads = BatchTransformer.DEFAULT_THREADS;

    @Option(names = "--batch-size", description = "images per model call, 1 to 4096 (default: ${DEFAULT-VALUE})")
    private int batchSize = BatchTransformer.DEFAULT_BATCH_SIZE;

    @Option(names = "--explain", description = "also write <input name>.explain.png beside each .out: the image with the"
            + " model's heat map (a backward pass per image; off by default)")
    private boolean explain;

    @Override
    public Integer call() {
        precision.check(OptionChecks.of(spec).atLeast("--threads", threads, 1)
                .between("--batch-size", batchSize, 1, BatchTransformer.MAX_BATCH_SIZE));
        BatchResult result = BatchTransformer.builder()
                .modelDirectory(model)
                .input(input)
                .output(output)
                .threads(threads)
                .batchSize(batchSize)
                .explain(explain)
                .inferenceOptions(precision.toOptions(false))
                .build()
                .run();
        PrintWriter out = spec.commandLine().getOut();
        print(out, result);
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, BatchResult result) {
        out.printf(Locale.ROOT, "inputs: %d  processed: %d  skipped: %d  failed: %d%n",
                result.inputs(), result.processed(), result.skipped(), result.failed());
        out.printf(Locale.ROOT, "elapsed: %.1f s  (%.1f images/s)%n",
                result.elapsed().toNanos() / 1e9, result.imagesPerSecond());
        out.printf("model: %s%n", result.modelId());
        out.printf("output: %s%n", result.outputDirectory());
        out.printf("summary: %s%n", result.summaryFile());
        result.metrics().ifPresent(m -> printMetrics(out, m, result.outputDirectory()));
        if (!result.failures().isEmpty()) {
            out.println("failed inputs:");
            for (BatchResult.Failure failure : result.failures()) {
                out.printf("  %s: %s%n", failure.input(), failure.error());
            }
        }
    }

    private static void printMetrics(PrintWriter out, BinaryMetrics m, Path folder) {
        ConfusionMatrix cm = m.confusion();
        out.printf(Locale.ROOT, "metrics on %d labelled images at threshold %.4f:%n", m.count(), m.threshold());
        out.printf(Locale.ROOT, "  accuracy %.4f  precision %.4f  recall %.4f  specificity %.4f  f1 %.4f%n",
                m.accuracy(), m.precision(), m.recall(), m.specificity(), m.f1());
        out.printf(Locale.ROOT, "  roc-auc %.4f  pr-auc %.4f  naive-f1 %.4f%n", m.rocAuc(), m.prAuc(), m.naiveF1());
        out.printf(Locale.ROOT, "  confusion: TP %d  FP %d  TN %d  FN %d%n",
                cm.truePositives(), cm.falsePositives(), cm.trueNegatives(), cm.falseNegatives());
        out.printf("  written: %s, %s%n", folder.resolve("metrics.json"), folder.resolve("confusion-matrix.png"));
    }
}
