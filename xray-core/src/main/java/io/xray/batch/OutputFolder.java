package io.xray.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.XrayException;
import io.xray.codec.PredictionsJson;
import io.xray.internal.AtomicFiles;
import io.xray.model.Prediction;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of a batch job's output folder: one {@code <input name>.out} per input, holding the
 * JSON body that the xray model server answers for that image, and the job's own files. Every file
 * is written atomically (a {@code .tmp} file renamed over the target), so an {@code .out} file
 * that exists is complete; {@code .tmp} files left by a killed job are removed by
 * {@link #deleteTemporaryFiles()}.
 */
final class OutputFolder implements AutoCloseable {

    static final String OUT_SUFFIX = ".out";
    static final String EXPLANATION_SUFFIX = ".explain.png";
    static final String SUMMARY = "summary.jsonl";
    static final String METRICS = "metrics.json";
    static final String CONFUSION_MATRIX = "confusion-matrix.png";
    static final String LOCK = ".xray-batch.lock";
    private static final List<String> JOB_FILES = List.of(SUMMARY, METRICS, CONFUSION_MATRIX);

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private OutputFolder(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the folder if needed and locks it against a second job writing into it at once.
     *
     * @param root the output folder
     * @return the opened folder; close it to release the lock
     * @throws XrayException when the folder cannot be created or another job holds it
     */
    static OutputFolder open(Path root) {
        Path folder = root.toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(folder);
            channel = FileChannel.open(folder.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new XrayException(folder + ": another batch job is writing to this output folder");
            }
            return new OutputFolder(folder, channel, lock);
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            String reason = e instanceof OverlappingFileLockException
                    ? "another batch job in this process is writing to this output folder"
                    : "cannot create or lock: " + e.getMessage();
            throw new XrayException(folder + ": " + reason, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    Path root() {
        return root;
    }

    /** @return where the result of an input goes: {@code <output>/<input name>.out} */
    Path outFile(BatchInput input) {
        return root.resolve(input.name() + OUT_SUFFIX);
    }

    /** @return where an input's overlay goes with {@code explain(true)}: {@code <output>/<input name>.explain.png} */
    Path explanationFile(BatchInput input) {
        return root.resolve(input.name() + EXPLANATION_SUFFIX);
    }

    Path summaryFile() {
        return root.resolve(SUMMARY);
    }

    Path metricsFile() {
        return root.resolve(METRICS);
    }

    Path confusionMatrixFile() {
        return root.resolve(CONFUSION_MATRIX);
    }

    /**
     * Deletes the temporary files that a killed job left: {@code *.out.tmp} and
     * {@code *.explain.png.tmp} anywhere below the
     * folder, and the temporary copies of the job's own files. Other files are left alone.
     *
     * @return how many were deleted
     */
    int deleteTemporaryFiles() {
        int deleted = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                boolean ours = name.endsWith(OUT_SUFFIX + AtomicFiles.TEMPORARY_SUFFIX)
                        || name.endsWith(EXPLANATION_SUFFIX + AtomicFiles.TEMPORARY_SUFFIX)
                        || (file.getParent().equals(root)
                                && JOB_FILES.stream().anyMatch(job -> name.equals(job + AtomicFiles.TEMPORARY_SUFFIX)));
                if (ours && Files.isRegularFile(file) && Files.deleteIfExists(file)) {
                    deleted++;
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new XrayException(root + ": cannot clean temporary files: " + e.getMessage(), e);
        }
        return deleted;
    }

    /**
     * Reads an input's earlier result, if it is complete and was made by this model at this
     * threshold.
     *
     * @param input the input
     * @param modelId the current model's id
     * @param threshold the current model's threshold
     * @return the earlier prediction, or empty when the input must be (re-)scored
     */
    Optional<Prediction> readCompleteResult(BatchInput input, String modelId, double threshold) {
        Path file = outFile(input);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            BatchRun.LOG.warn("{}: cannot read the earlier result ({}); scoring the input again", file, e.getMessage());
            return Optional.empty();
        }
        try {
            JsonNode predictions = JSON.readTree(bytes).path("predictions");
            JsonNode p = predictions.path(0);
            if (predictions.size() != 1 || !p.path("probability").isNumber() || !p.path("threshold").isNumber()) {
                BatchRun.LOG.warn("{}: incomplete earlier result; scoring the input again", file);
                return Optional.empty();
            }
            double probability = p.path("probability").asDouble();
            String label = p.path("label").asText();
            if (!modelId.equals(p.path("model_id").asText()) || p.path("threshold").asDouble() != threshold) {
                BatchRun.LOG.info("{}: made by model {} at threshold {}; scoring the input again with {}",
                        file, p.path("model_id").asText(), p.path("threshold").asDouble(), modelId);
                return Optional.empty();
            }
            Prediction prediction = Prediction.of(probability, threshold);
            if (!(probability >= 0 && probability <= 1) || !prediction.label().name().equals(label)) {
                BatchRun.LOG.warn("{}: inconsistent earlier result; scoring the input again", file);
                return Optional.empty();
            }
            return Optional.of(prediction);
        } catch (IOException e) {
            BatchRun.LOG.warn("{}: unreadable earlier result ({}); scoring the input again", file, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Writes an input's result atomically: the body the model server answers for that image.
     *
     * @param input the input
     * @param prediction its prediction
     * @param modelId the model's id
     */
    void writeResult(BatchInput input, Prediction prediction, String modelId) {
        AtomicFiles.write(outFile(input), PredictionsJson.write(List.of(prediction), modelId));
    }

    /**
     * @return one summary line (without the newline) for an input's outcome
     */
    static String summaryLine(BatchInput input, Prediction prediction, String error) {
        ObjectNode line = JSON.createObjectNode();
        line.put("input", input.name());
        line.put("status", prediction != null ? "ok" : "error");
        if (prediction != null) {
            line.put("label", prediction.label().name());
            line.put("probability", prediction.probability());
        }
        if (input.label() != null) {
            line.put("true_label", input.label().name());
        }
        if (error != null) {
            line.put("error", error);
        }
        return line.toString();
    }

    void writeSummary(List<String> lines) {
        AtomicFiles.write(summaryFile(), out -> {
            for (String line : lines) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        });
    }

    void writeMetrics(ObjectNode metrics) {
        try {
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metrics);
            AtomicFiles.write(metricsFile(), bytes);
        } catch (JsonProcessingException e) {
            throw new XrayException("cannot serialise the batch metrics: " + e.getMessage(), e);
        }
    }

    /** Removes the metrics files of an earlier labelled run, so that none describes other inputs. */
    void deleteMetrics() {
        try {
            Files.deleteIfExists(metricsFile());
            Files.deleteIfExists(confusionMatrixFile());
        } catch (IOException e) {
            throw new XrayException(root + ": cannot remove old metrics: " + e.getMessage(), e);
        }
    }

    /** Releases the folder's lock (the lock file stays, empty). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            BatchRun.LOG.debug("releasing {}: {}", root.resolve(LOCK), e.getMessage());
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
