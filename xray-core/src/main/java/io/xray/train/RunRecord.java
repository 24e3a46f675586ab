package io.xray.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.XrayException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * A training run's record, the embedded default tracker: the folder a run writes when
 * {@link ResNetFineTuner.Builder#runRecord(boolean)} is on (as in {@code xray train}, and in every
 * trial of {@code xray tune}). The run's output folder then holds
 *
 * <ul>
 *   <li>{@code hyperparameters.json}: the recipe ({@link TrainingRecipe#toHyperparameters()}), enough
 *       to rerun it with {@link TrainingRecipe#fromHyperparameters(Map)} (or SageMaker's {@code train});
 *   <li>{@code metrics.jsonl}: one JSON line per epoch, appended as each epoch ends, with the
 *       {@code Val_epoch} line's figures ({@code epoch, Train_loss, Val_loss, Val_f1, Val_auc, ...,
 *       Best_epoch}); a resumed run never repeats an epoch;
 *   <li>{@code run.json}: status, start and end, seconds (over every attempt), the environment
 *       (xray, DJL and PyTorch versions, CPU model, cores, threads, OS, Java), the model folder and,
 *       once finished, the best epoch and the model's validation figures at its threshold;
 *   <li>{@code model/}: the model itself.
 * </ul>
 *
 * <p>This class reads a record back ({@link #read(Path)}, {@link #findAll(Path)}); {@code xray runs
 * list} and {@code xray runs compare} print them.
 */
public final class RunRecord {

    /** The record's own file. */
    public static final String RUN_FILE = "run.json";
    /** The recipe as hyperparameters. */
    public static final String HYPERPARAMETERS_FILE = "hyperparameters.json";
    /** One JSON line per epoch. */
    public static final String METRICS_FILE = "metrics.jsonl";
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a run stands. */
    public enum Status {
        /** Training, or killed before it could say otherwise. */
        RUNNING,
        /** The model is written. */
        COMPLETED,
        /** Training threw; {@link #message()} says why. */
        FAILED
    }

    private final Path directory;
    private final JsonNode run;
    private final Map<String, String> hyperparameters;
    private final List<Map<String, Double>> epochs;

    private RunRecord(Path directory, JsonNode run, Map<String, String> hyperparameters, List<Map<String, Double>> epochs) {
        this.directory = directory;
        this.run = run;
        this.hyperparameters = Collections.unmodifiableMap(hyperparameters);
        this.epochs = List.copyOf(epochs);
    }

    /**
     * @param directory a folder
     * @return whether it holds a run record ({@code run.json})
     */
    public static boolean isRunFolder(Path directory) {
        return Files.isRegularFile(directory.resolve(RUN_FILE));
    }

    /**
     * Reads a run folder.
     *
     * @param directory the run's output folder
     * @return its record
     * @throws XrayException naming the file when a record file is missing or unreadable
     */
    public static RunRecord read(Path directory) {
        Path runFile = directory.resolve(RUN_FILE);
        if (!Files.isRegularFile(runFile)) {
            throw new XrayException(directory + " is not a run folder: it has no " + RUN_FILE
                    + " (runs trained by xray train, xray tune or with ResNetFineTuner.Builder.runRecord(true) have one)");
        }
        JsonNode run = readJson(runFile);
        Path hyperparametersFile = directory.resolve(HYPERPARAMETERS_FILE);
        Map<String, String> hyperparameters = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = readJson(hyperparametersFile).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            hyperparameters.put(field.getKey(), field.getValue().asText());
        }
        List<Map<String, Double>> epochs = new ArrayList<>();
        Path metricsFile = directory.resolve(METRICS_FILE);
        if (Files.isRegularFile(metricsFile)) {
            try (Stream<String> lines = Files.lines(metricsFile, StandardCharsets.UTF_8)) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node;
                    try {
                        node = JSON.readTree(line);
                    } catch (IOException torn) {
                        continue; // a last line cut short by a kill
                    }
                    Map<String, Double> epoch = new LinkedHashMap<>();
                    node.fields().forEachRemaining(f -> epoch.put(f.getKey(),
                            f.getValue().isNumber() ? f.getValue().asDouble() : Double.NaN));
                    epochs.add(epoch);
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new XrayException(metricsFile + ": cannot read: " + e.getMessage(), e);
            }
        }
        return new RunRecord(directory, run, hyperparameters, epochs);
    }

    /**
     * Finds every run folder at or below a folder (a training output, a tuning run folder with its
     * trials, or a folder of runs), up to four levels down.
     *
     * @param root where to look
     * @return the records, ordered by folder
     * @throws XrayException when the folder does not exist
     */
    public static List<RunRecord> findAll(Path root) {
        if (!Files.isDirectory(root)) {
            throw new XrayException(root + " is not a folder");
        }
        List<RunRecord> records = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 5)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.getFileName() != null
                    && p.getFileName().toString().equals(RUN_FILE)).sorted(Comparator.comparing(Path::toString))::iterator) {
                records.add(read(file.getParent()));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new XrayException(root + ": cannot list: " + e.getMessage(), e);
        }
        return records;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new XrayException(file + ": cannot read the run record: " + e.getMessage(), e);
        }
    }

    /** @return the run's folder */
    public Path directory() {
        return directory;
    }

    /** @return the run's name (its folder's name) */
    public String name() {
        return run.path("name").asText(directory.getFileName().toString());
    }

    /** @return where the run stands */
    public Status status() {
        try {
            return Status.valueOf(run.path("status").asText());
        } catch (IllegalArgumentException e) {
            return Status.RUNNING;
        }
    }

    /** @return why a failed run failed, empty otherwise */
    public String message() {
        return run.path("message").asText("");
    }

    /** @return when the run (its first attempt) started, ISO-8601 */
    public String started() {
        return run.path("started").asText("");
    }

    /** @return when it finished, empty while it runs */
    public Optional<String> finished() {
        JsonNode finished = run.path("finished");
        return finished.isTextual() ? Optional.of(finished.asText()) : Optional.empty();
    }

    /** @return wall seconds of every attempt together, so far */
    public double seconds() {
        return run.path("seconds").asDouble(0);
    }

    /** @return the environment: versions, CPU, cores, threads, OS, Java */
    public Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        run.path("environment").fields().forEachRemaining(f -> environment.put(f.getKey(),
                f.getValue().isNull() ? "" : f.getValue().asText()));
        return environment;
    }

    /** @return the recipe's hyperparameters as the run wrote them */
    public Map<String, String> hyperparameters() {
        return hyperparameters;
    }

    /** @return the recipe the run trained, rebuilt from its hyperparameters: rerun it with this */
    public TrainingRecipe recipe() {
        return TrainingRecipe.fromHyperparameters(hyperparameters);
    }

    /**
     * @param base a recipe to compare with, such as {@link TrainingRecipe#defaults()}
     * @return every hyperparameter whose value differs from the base's, key to this run's value
     */
    public Map<String, String> differencesFrom(TrainingRecipe base) {
        Map<String, String> baseValues = base.toHyperparameters();
        Map<String, String> differences = new LinkedHashMap<>();
        hyperparameters.forEach((key, value) -> {
            if (!value.equals(baseValues.get(key))) {
                differences.put(key, value);
            }
        });
        return differences;
    }

    /** @return each finished epoch's metrics ({@code epoch}, {@code Val_f1}, ...), in order */
    public List<Map<String, Double>> epochs() {
        return epochs;
    }

    /** @return the best epoch: the finished run's, else the last recorded epoch's best so far; 0 for none */
    public int bestEpoch() {
        if (run.has("bestEpoch")) {
            return run.path("bestEpoch").asInt();
        }
        return epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).getOrDefault("Best_epoch", 0.0).intValue();
    }

    /**
     * @param metric a {@code metrics.jsonl} name, such as {@code Val_f1} or {@code Val_auc}
     * @return its value at the best epoch, empty when there is none
     */
    public OptionalDouble atBestEpoch(String metric) {
        int best = bestEpoch();
        for (Map<String, Double> epoch : epochs) {
            if (epoch.getOrDefault("epoch", -1.0).intValue() == best) {
                Double value = epoch.get(metric);
                return value == null || value.isNaN() ? OptionalDouble.empty() : OptionalDouble.of(value);
            }
        }
        return OptionalDouble.empty();
    }

    /** @return the model folder, present once the run wrote it */
    public Optional<Path> modelDirectory() {
        Path model = directory.resolve(run.path("model").asText("model"));
        return Files.isRegularFile(model.resolve("model.json")) ? Optional.of(model) : Optional.empty();
    }

    /** @return the model's decision threshold, once finished */
    public OptionalDouble threshold() {
        return run.has("threshold") ? OptionalDouble.of(run.path("threshold").asDouble()) : OptionalDouble.empty();
    }

    @Override
    public String toString() {
        return "RunRecord[" + directory + ", " + status() + ", best epoch " + bestEpoch() + "]";
    }
}
