package io.xray.examples;

import io.xray.batch.BatchResult;
import io.xray.batch.BatchTransformer;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ConfusionMatrix;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Scores a whole folder of X-rays the way a SageMaker batch transform job does, with
 * {@code BatchTransformer}: one result file per image, a summary, and, where the images sit in
 * {@code NORMAL}/{@code PNEUMONIA} folders, the model's metrics. Run it from the project folder,
 * such as with {@code runs/example/model sample-data/chest_xray/test runs/test-scores}; run it again
 * and it skips the images already scored by the same model.
 */
public final class BatchScore {

    private BatchScore() {}

    /** @param args the model directory, the input folder and the output folder */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: BatchScore <model directory> <input folder> <output folder>");
            System.exit(2);
        }
        run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), System.out);
    }

    /**
     * Scores the folder and prints the counts and, with labels, the confusion matrix and F1.
     *
     * @param modelDirectory a model directory written by training
     * @param input a folder of images, such as a {@code chest_xray/test} split
     * @param output the folder the results are written to
     * @param out where the report goes
     * @return what the run did
     */
    static BatchResult run(Path modelDirectory, Path input, Path output, PrintStream out) {
        BatchResult result = BatchTransformer.builder()
                .modelDirectory(modelDirectory)
                .input(input)
                .output(output)
                .build()
                .run();

        out.printf("%d images: %d scored, %d skipped (already scored), %d failed, by %s%n",
                result.inputs(), result.processed(), result.skipped(), result.failed(), result.modelId());
        for (BatchResult.Failure failure : result.failures()) {
            out.println("  failed " + failure.input() + ": " + failure.error());
        }
        if (result.metrics().isPresent()) {
            BinaryMetrics metrics = result.metrics().get();
            ConfusionMatrix c = metrics.confusion();
            out.printf("%d labelled images at threshold %.3f:%n", metrics.count(), metrics.threshold());
            out.printf("  truth \\ predicted  NORMAL  PNEUMONIA%n");
            out.printf("  NORMAL            %6d  %9d%n", c.trueNegatives(), c.falsePositives());
            out.printf("  PNEUMONIA         %6d  %9d%n", c.falseNegatives(), c.truePositives());
            out.printf("F1 %.3f (precision %.3f, recall %.3f), ROC AUC %.3f%n",
                    metrics.f1(), metrics.precision(), metrics.recall(), metrics.rocAuc());
        }
        out.println("results in " + result.outputDirectory() + " (summary: " + result.summaryFile().getFileName() + ")");
        return result;
    }
}
