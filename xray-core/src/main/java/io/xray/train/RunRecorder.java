package io.xray.train;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xray.XrayException;
import io.xray.internal.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a {@link RunRecord} while {@link ResNetFineTuner#fit} runs: {@code hyperparameters.json}
 * and {@code run.json} (status, environment) at the start, one {@code metrics.jsonl} line per epoch
 * as it ends, and the summary at the end. Hears the epochs as a {@link FitListener} wrapped around
 * the caller's, which it calls after writing.
 */
final class RunRecorder implements FitListener {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    private final ResNetFineTuner config;
    private final FitListener delegate;
    private final Path directory;
    private final Map<String, Object> run = new LinkedHashMap<>();
    private final double earlierSeconds;
    private final long start = System.nanoTime();
    private boolean firstEpoch = true;
    /** True when a resume meets a checkpoint of another recipe: the run fails, and its record is left as it was. */
    private final boolean leaveAlone;
    /** True when the folder's record is not this run's: it starts afresh. */
    private final boolean fresh;

    private RunRecorder(ResNetFineTuner config, FitListener delegate) {
        this.config = config;
        this.delegate = delegate == null ? new FitListener() {} : delegate;
        this.directory = config.outputDirectory();
        RunRecord earlier = config.resume() && RunRecord.isRunFolder(directory) ? readQuietly(directory) : null;
        boolean otherRecipe = earlier != null && !earlier.hyperparameters().equals(config.hyperparameters());
        this.leaveAlone = otherRecipe
                && Files.exists(config.checkpointDirectory().resolve(CheckpointStore.COMMIT_FILE));
        this.fresh = !config.resume() || otherRecipe;
        if (otherRecipe) {
            earlier = null;
        }
        this.earlierSeconds = earlier == null ? 0 : earlier.seconds();
        run.put("format", RunRecord.FORMAT);
        run.put("name", directory.toAbsolutePath().normalize().getFileName() == null
                ? "run" : directory.toAbsolutePath().normalize().getFileName().toString());
        run.put("status", RunRecord.Status.RUNNING.name());
        run.put("started", earlier != null ? earlier.started() : Instant.now().toString());
        run.put("finished", null);
        run.put("seconds", earlierSeconds);
        run.put("environment", environment(config));
        run.put("model", directory.toAbsolutePath().normalize().relativize(
                config.modelDirectory().toAbsolutePath().normalize()).toString());
    }

    /**
     * Starts the record: writes the hyperparameters and {@code run.json}; a run that is not resumed
     * starts an empty {@code metrics.jsonl}.
     *
     * @param config the run
     * @param delegate the caller's listener, may be null
     * @return the recorder, to pass to the training loop as its listener
     */
    static RunRecorder start(ResNetFineTuner config, FitListener delegate) {
        RunRecorder recorder = new RunRecorder(config, delegate);
        if (recorder.leaveAlone) {
            return recorder;
        }
        AtomicFiles.write(recorder.directory.resolve(RunRecord.HYPERPARAMETERS_FILE),
                out -> JSON.writeValue(out, config.hyperparameters()));
        if (recorder.fresh) {
            AtomicFiles.write(recorder.directory.resolve(RunRecord.METRICS_FILE), new byte[0]);
        }
        recorder.writeRun();
        return recorder;
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double loss) {
        delegate.onBatch(epoch, batch, batches, loss);
    }

    @Override
    public boolean stopAfter(EpochResult result) {
        return delegate.stopAfter(result);
    }

    @Override
    public void onEpoch(EpochResult result, String logLine) {
        if (leaveAlone) {
            delegate.onEpoch(result, logLine);
            return;
        }
        if (firstEpoch) {
            // A resumed run continues after its last checkpoint: lines of later epochs, written by an
            // attempt whose checkpoint did not survive, are dropped so that no epoch appears twice.
            keepLinesBefore(result.epoch());
            firstEpoch = false;
        }
        try {
            Files.writeString(directory.resolve(RunRecord.METRICS_FILE), LINE.writeValueAsString(line(result)) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new XrayException(directory.resolve(RunRecord.METRICS_FILE) + ": cannot append: " + e.getMessage(), e);
        }
        run.put("seconds", seconds());
        writeRun();
        delegate.onEpoch(result, logLine);
    }

    /**
     * Completes the record: every epoch of the history (a resumed run's too) in order, and the summary.
     *
     * @param result what the run produced
     */
    void finish(FitResult result) {
        if (leaveAlone) {
            return;
        }
        AtomicFiles.write(directory.resolve(RunRecord.METRICS_FILE), out -> {
            for (EpochResult epoch : result.history()) {
                out.write((LINE.writeValueAsString(line(epoch)) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });
        run.put("status", RunRecord.Status.COMPLETED.name());
        run.put("finished", Instant.now().toString());
        run.put("seconds", seconds());
        run.put("bestEpoch", result.bestEpoch());
        run.put("epochs", result.history().size());
        run.put("stoppedEarly", result.stoppedEarly());
        run.put("threshold", result.threshold().threshold());
        Map<String, Object> validation = new LinkedHashMap<>();
        validation.put("f1", finite(result.validationMetrics().f1()));
        validation.put("accuracy", finite(result.validationMetrics().accuracy()));
        validation.put("sensitivity", finite(result.validationMetrics().recall()));
        validation.put("specificity", finite(result.validationMetrics().specificity()));
        validation.put("auc", finite(result.validationMetrics().rocAuc()));
        run.put("validationAtThreshold", validation);
        writeRun();
    }

    /**
     * Marks the record failed, with the cause first.
     *
     * @param failure why the run ended
     */
    void fail(RuntimeException failure) {
        if (leaveAlone) {
            return;
        }
        run.put("status", RunRecord.Status.FAILED.name());
        run.put("finished", Instant.now().toString());
        run.put("seconds", seconds());
        run.put("message", failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage());
        try {
            writeRun();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private double seconds() {
        return earlierSeconds + (System.nanoTime() - start) / 1e9;
    }

    private void writeRun() {
        AtomicFiles.write(directory.resolve(RunRecord.RUN_FILE), out -> JSON.writeValue(out, run));
    }

    private void keepLinesBefore(int epoch) {
        Path file = directory.resolve(RunRecord.METRICS_FILE);
        if (!Files.exists(file)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        boolean dropped = false;
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                int lineEpoch;
                try {
                    lineEpoch = LINE.readTree(line).path("epoch").asInt(Integer.MAX_VALUE);
                } catch (IOException torn) {
                    lineEpoch = Integer.MAX_VALUE; // a line cut short by a kill
                }
                if (lineEpoch < epoch) {
                    kept.add(line);
                } else {
                    dropped = true;
                }
            }
        } catch (IOException e) {
            throw new XrayException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (dropped) {
            AtomicFiles.write(file, (String.join("\n", kept) + (kept.isEmpty() ? "" : "\n"))
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** @return one epoch as a {@code metrics.jsonl} line, named as the {@code Val_epoch} line names them */
    static Map<String, Object> line(EpochResult result) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", result.epoch());
        line.put("Train_loss", finite(result.trainLoss()));
        line.put("Val_loss", finite(result.validationLoss()));
        line.put("Val_f1", finite(result.validation().f1()));
        line.put("Val_accuracy", finite(result.validation().accuracy()));
        line.put("Val_auc", finite(result.validation().rocAuc()));
        line.put("Val_pr_auc", finite(result.validation().prAuc()));
        line.put("Val_precision", finite(result.validation().precision()));
        line.put("Val_recall", finite(result.validation().recall()));
        line.put("Val_specificity", finite(result.validation().specificity()));
        line.put("Best_epoch", result.bestSoFar().epoch());
        line.put("Best_val_f1", finite(result.bestSoFar().validationF1()));
        line.put("Patience", result.bestSoFar().patience());
        line.put("Learning_rate", finite(result.learningRate()));
        line.put("Seconds", finite(result.timings().seconds()));
        line.put("Images_per_second", finite(result.timings().imagesPerSecond()));
        return line;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static RunRecord readQuietly(Path directory) {
        try {
            return RunRecord.read(directory);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** @return the versions and the machine the run trains with */
    static Map<String, Object> environment(ResNetFineTuner config) {
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("xray", FitRun.xrayVersion());
        environment.put("djl", Engine.getDjlVersion());
        String pytorch;
        Integer threads = null;
        Integer interopThreads = null;
        try {
            pytorch = Engine.getEngine("PyTorch").getVersion();
            threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            interopThreads = ai.djl.pytorch.jni.JniUtils.getNumInteropThreads();
        } catch (RuntimeException | LinkageError e) {
            pytorch = "unavailable: " + e.getMessage();
        }
        environment.put("pytorch", pytorch);
        environment.put("device", config.device().map(Object::toString).orElse("auto"));
        environment.put("cpu", cpuModel());
        environment.put("cores", Runtime.getRuntime().availableProcessors());
        environment.put("threads", threads);
        environment.put("interopThreads", interopThreads);
        environment.put("decodeThreads", config.decodeThreads());
        environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        environment.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        environment.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return environment;
    }

    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> lines = Files.lines(cpuinfo, StandardCharsets.UTF_8)) {
                return lines.filter(l -> l.toLowerCase(Locale.ROOT).startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse(System.getProperty("os.arch"));
            } catch (IOException | java.io.UncheckedIOException e) {
                return System.getProperty("os.arch");
            }
        }
        String identifier = System.getenv("PROCESSOR_IDENTIFIER");
        return identifier != null ? identifier : System.getProperty("os.arch");
    }
}
