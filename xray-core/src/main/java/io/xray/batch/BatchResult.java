package io.xray.batch;

import io.xray.metrics.BinaryMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link BatchTransformer#run()} did.
 *
 * @param modelId the id of the model that scored the inputs, written into every result file
 * @param inputs how many inputs the job found
 * @param processed inputs scored by this run (their result files were written now)
 * @param skipped inputs whose complete result, by the same model, an earlier run had written
 * @param failed inputs that could not be scored (corrupt or unreadable images); a re-run tries
 *     them again
 * @param elapsed wall time of the run, from opening the output folder to writing the summary and
 *     metrics (listing the inputs and loading the model excluded)
 * @param imagesPerSecond {@code processed / elapsed}, 0 when nothing was processed
 * @param outputDirectory the output folder
 * @param summaryFile the JSON Lines summary, one line per input
 * @param metrics the model's metrics at its threshold over the labelled inputs that have a
 *     prediction (this run's or an earlier one's); empty when no input has a known label
 * @param failures the failed inputs with their error messages, in input order
 */
public record BatchResult(
        String modelId,
        int inputs,
        int processed,
        int skipped,
        int failed,
        Duration elapsed,
        double imagesPerSecond,
        Path outputDirectory,
        Path summaryFile,
        Optional<BinaryMetrics> metrics,
        List<Failure> failures) {

    /**
     * Checks that the counts add up and copies the failures.
     *
     * @param modelId see {@link #modelId()}
     * @param inputs see {@link #inputs()}
     * @param processed see {@link #processed()}
     * @param skipped see {@link #skipped()}
     * @param failed see {@link #failed()}
     * @param elapsed see {@link #elapsed()}
     * @param imagesPerSecond see {@link #imagesPerSecond()}
     * @param outputDirectory see {@link #outputDirectory()}
     * @param summaryFile see {@link #summaryFile()}
     * @param metrics see {@link #metrics()}
     * @param failures see {@link #failures()}
     */
    public BatchResult {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(outputDirectory, "outputDirectory");
        Objects.requireNonNull(summaryFile, "summaryFile");
        Objects.requireNonNull(metrics, "metrics");
        failures = List.copyOf(failures);
        if (processed < 0 || skipped < 0 || failed < 0 || processed + skipped + failed != inputs) {
            throw new IllegalArgumentException("processed " + processed + " + skipped " + skipped + " + failed "
                    + failed + " must equal inputs " + inputs);
        }
        if (failures.size() != failed) {
            throw new IllegalArgumentException("failed is " + failed + " but " + failures.size() + " failures are listed");
        }
    }

    /**
     * One input that could not be scored.
     *
     * @param input the input's name relative to the input root
     * @param error what went wrong, naming the file
     */
    public record Failure(String input, String error) {
        /**
         * Validates the components.
         *
         * @param input see {@link #input()}
         * @param error see {@link #error()}
         */
        public Failure {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(error, "error");
        }
    }
}
