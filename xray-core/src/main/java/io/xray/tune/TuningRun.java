package io.xray.tune;

import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One call of {@link HyperparameterTuner#run}: scheduling, suggestions, early stopping, the state file. */
final class TuningRun {

    private static final Logger LOG = LoggerFactory.getLogger(HyperparameterTuner.class);

    private final HyperparameterTuner config;
    private final TuningListener listener;
    private final Path stateFile;
    private final Object lock = new Object();
    private TuningState state;
    private Suggester suggester;
    private final List<Suggester.Observation> warm = new ArrayList<>();
    private int running;
    private Throwable fatal;

    TuningRun(HyperparameterTuner config, TuningListener listener) {
        this.config = config;
        this.listener = listener;
        this.stateFile = config.runDirectory().resolve(TuningState.FILE);
    }

    TuningResult run() {
        long start = System.nanoTime();
        try {
            Files.createDirectories(config.runDirectory());
        } catch (IOException e) {
            throw new XrayException(config.runDirectory() + ": cannot create the run folder: " + e.getMessage(), e);
        }
        AtomicFiles.deleteTemporaryFiles(config.runDirectory());
        Map<String, String> settings = settings();
        TuningState existing = TuningState.read(stateFile).orElse(null);
        if (existing != null) {
            if (!config.resume()) {
                throw new InvalidConfigurationException("runDirectory", config.runDirectory()
                        + " already holds a tuning run (" + TuningState.FILE + "); resume it, or choose another folder");
            }
            requireSameSettings(existing.settings, settings);
            state = existing;
            LOG.info("Resuming the tuning run in {}: {} trials recorded", config.runDirectory(), state.trials.size());
            listener.onResumed(state.trials.stream().filter(e -> e.status != TrialStatus.RUNNING)
                    .map(e -> e.record(config.objective())).toList());
        } else {
            state = new TuningState(settings);
        }
        suggester = config.strategy().create(config.space(), config.seed());
        readWarmStart();
        int parallel = config.parallelTrials();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, task -> {
            Thread thread = new Thread(task, "xray-trial-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            synchronized (lock) {
                state.write(stateFile);
            }
            for (int number = 1; number <= config.maxTrials(); number++) {
                TuningState.Entry entry;
                boolean resumed;
                synchronized (lock) {
                    entry = state.trial(number);
                    if (entry != null && entry.status != TrialStatus.RUNNING) {
                        continue;
                    }
                    while (running >= parallel || !finishedUpTo(number - parallel) || fatal != null) {
                        rethrowFatal();
                        waitForChange();
                    }
                    resumed = entry != null;
                    if (entry == null) {
                        entry = new TuningState.Entry(number, suggest(number));
                        state.trials.add(entry);
                    } else if (!config.runner().continuesInterruptedTrials()) {
                        entry.epochs.clear();
                        entry.stopRequested = false;
                    }
                    entry.status = TrialStatus.RUNNING;
                    running++;
                    state.write(stateFile);
                }
                TuningState.Entry started = entry;
                pool.execute(() -> runTrial(started, resumed));
            }
            synchronized (lock) {
                while (running > 0 || fatal != null) {
                    rethrowFatal();
                    waitForChange();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        TuningResult result;
        synchronized (lock) {
            List<TrialRecord> trials = new ArrayList<>();
            for (TuningState.Entry entry : state.trials) {
                if (entry.number <= config.maxTrials() || entry.status != TrialStatus.RUNNING) {
                    trials.add(entry.record(config.objective()));
                }
            }
            trials.sort((a, b) -> Integer.compare(a.number(), b.number()));
            result = new TuningResult(trials, config.objective(), config.runDirectory(), (System.nanoTime() - start) / 1e9);
        }
        result.best().flatMap(TrialRecord::model).ifPresent(model -> keepBestModel(Path.of(model)));
        return result;
    }

    private Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("space", config.space().toString());
        settings.put("objective", config.objective().toString());
        settings.put("strategy", config.strategy().toString());
        settings.put("seed", Long.toString(config.seed()));
        settings.put("parallel-trials", Integer.toString(config.parallelTrials()));
        settings.put("early-stopping", config.earlyStopping().toString());
        if (!config.warmStart().isEmpty()) {
            settings.put("warm-start", config.warmStart().stream().map(p -> p.toAbsolutePath().normalize().toString())
                    .collect(java.util.stream.Collectors.joining(" ")));
        }
        return settings;
    }

    private void requireSameSettings(Map<String, String> then, Map<String, String> now) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> setting : now.entrySet()) {
            String old = then.get(setting.getKey());
            if (!setting.getValue().equals(old)) {
                differences.add(setting.getKey() + " was '" + old + "', now '" + setting.getValue() + "'");
            }
        }
        if (!differences.isEmpty()) {
            throw new InvalidConfigurationException("resume", config.runDirectory() + " holds a run with other"
                    + " settings (" + String.join("; ", differences) + "); resume with the same settings (only"
                    + " maxTrials may change), or start a new run in another folder");
        }
    }

    /** Whether every trial numbered up to {@code number} has finished. Caller holds the lock. */
    private boolean finishedUpTo(int number) {
        for (int n = 1; n <= number; n++) {
            TuningState.Entry entry = state.trial(n);
            if (entry == null || entry.status == TrialStatus.RUNNING) {
                return false;
            }
        }
        return true;
    }

    /** Caller holds the lock; trials 1..number-P are finished. */
    private Map<String, String> suggest(int number) {
        int parallel = config.parallelTrials();
        List<Suggester.Observation> observed = new ArrayList<>(warm);
        List<Map<String, String>> pending = new ArrayList<>();
        for (TuningState.Entry entry : state.trials) {
            if (entry.number >= number) {
                continue;
            }
            if (entry.number > number - parallel) {
                pending.add(entry.values);
                continue;
            }
            TrialRecord record = entry.record(config.objective());
            if (record.scored() && Double.isFinite(record.objective())) {
                observed.add(new Suggester.Observation(entry.values, config.objective().oriented(record.objective())));
            } else {
                pending.add(entry.values);
            }
        }
        Map<String, String> values = suggester.suggest(number - 1, observed, pending);
        List<String> misfits = config.space().misfits(values);
        if (!misfits.isEmpty()) {
            throw new IllegalStateException("the strategy suggested values out of the space: " + misfits);
        }
        return values;
    }

    private void readWarmStart() {
        for (Path folder : config.warmStart()) {
            TuningState earlier = TuningState.read(folder.resolve(TuningState.FILE)).orElseThrow(() ->
                    new InvalidConfigurationException("warmStart", folder + " holds no " + TuningState.FILE));
            int used = 0;
            for (TuningState.Entry entry : earlier.trials) {
                Map<String, String> values = new LinkedHashMap<>();
                for (String name : config.space().names()) {
                    values.put(name, entry.values.get(name));
                }
                TrialRecord record = entry.record(config.objective());
                if (config.space().misfits(values).isEmpty() && record.scored() && Double.isFinite(record.objective())) {
                    warm.add(new Suggester.Observation(values, config.objective().oriented(record.objective())));
                    used++;
                }
            }
            LOG.info("Warm start: {} of {} trials of {} inform the suggestions", used, earlier.trials.size(), folder);
        }
    }

    private void runTrial(TuningState.Entry entry, boolean resumed) {
        Path directory = config.runDirectory().resolve("trials").resolve(String.format(Locale.ROOT, "trial-%04d", entry.number));
        long start = System.nanoTime();
        Trial trial = new Trial(entry.number, entry.values, directory, resumed, this::reportEpoch);
        synchronized (lock) {
            if (entry.stopRequested) {
                trial.requestStop();
            }
        }
        TrialRecord record;
        try {
            listener.onTrialStarted(entry.number, entry.values, resumed);
            Files.createDirectories(directory);
            LOG.info("Trial {}{}: {}", entry.number, resumed ? " (resumed)" : "", entry.values);
            TrialOutcome outcome = config.runner().run(trial);
            synchronized (lock) {
                entry.seconds = (System.nanoTime() - start) / 1e9;
                entry.model = outcome == null ? null : outcome.model().map(Path::toString).orElse(null);
                if (entry.metric(config.objective().metric()).stream().allMatch(v -> Double.isNaN(v))) {
                    entry.status = TrialStatus.FAILED;
                    entry.message = "the runner reported no value of " + config.objective().metric();
                } else {
                    entry.status = trial.stopRequested() ? TrialStatus.STOPPED : TrialStatus.COMPLETED;
                }
            }
        } catch (RuntimeException | IOException e) {
            synchronized (lock) {
                entry.seconds = (System.nanoTime() - start) / 1e9;
                entry.status = TrialStatus.FAILED;
                entry.message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            }
            LOG.warn("Trial {} failed: {}", entry.number, entry.message);
        } catch (Throwable t) {
            synchronized (lock) {
                fatal = t;
                running--;
                lock.notifyAll();
            }
            return;
        }
        int finished;
        synchronized (lock) {
            record = entry.record(config.objective());
            state.write(stateFile);
            finished = (int) state.trials.stream().filter(e -> e.status != TrialStatus.RUNNING).count();
        }
        try {
            listener.onTrialFinished(record, finished, config.maxTrials());
        } finally {
            synchronized (lock) {
                running--;
                lock.notifyAll();
            }
        }
    }

    private boolean reportEpoch(Trial trial, int epoch, Map<String, Double> metrics) {
        boolean stop;
        double value;
        synchronized (lock) {
            rethrowFatalInTrial();
            TuningState.Entry entry = state.trial(trial.number());
            Map<String, Double> finite = new LinkedHashMap<>();
            metrics.forEach((name, v) -> {
                if (v != null && Double.isFinite(v)) {
                    finite.put(name, v);
                }
            });
            entry.epochs.put(epoch, finite);
            value = finite.getOrDefault(config.objective().metric(), Double.NaN);
            List<List<Double>> earlier = new ArrayList<>();
            for (TuningState.Entry other : state.trials) {
                if (other.number <= trial.number() - config.parallelTrials()
                        && (other.status == TrialStatus.COMPLETED || other.status == TrialStatus.STOPPED)) {
                    earlier.add(other.metric(config.objective().metric()));
                }
            }
            List<Double> own = entry.metric(config.objective().metric()).subList(0, epoch);
            stop = trial.stopRequested() || config.earlyStopping().shouldStop(config.objective(), own, earlier);
            if (stop && !entry.stopRequested) {
                entry.stopRequested = true;
                LOG.info("Trial {}: stopping after epoch {} ({} = {}) by the early-stopping rule {}",
                        trial.number(), epoch, config.objective().metric(), value, config.earlyStopping());
            }
            state.write(stateFile);
        }
        listener.onEpoch(trial.number(), epoch, value, stop);
        return !stop;
    }

    private void rethrowFatalInTrial() {
        if (fatal != null) {
            throw new XrayException("the tuning run is ending: another trial failed fatally");
        }
    }

    private void rethrowFatal() {
        if (fatal instanceof Error error) {
            throw error;
        }
        if (fatal != null) {
            throw new XrayException("a trial failed fatally: " + fatal, fatal);
        }
    }

    private void waitForChange() {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XrayException("interrupted while waiting for trials", e);
        }
    }

    private void keepBestModel(Path model) {
        if (!Files.isDirectory(model)) {
            return;
        }
        Path target = config.runDirectory().resolve("best-model");
        try (Stream<Path> old = Files.exists(target) ? Files.walk(target) : Stream.empty()) {
            for (Path file : (Iterable<Path>) old.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new XrayException(target + ": cannot replace the earlier best model: " + e.getMessage(), e);
        }
        try (Stream<Path> files = Files.walk(model)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    AtomicFiles.copy(file, target.resolve(model.relativize(file).toString()));
                }
            }
        } catch (IOException e) {
            throw new XrayException(model + ": cannot copy the best model: " + e.getMessage(), e);
        }
        LOG.info("The best trial's model is copied to {}", target);
    }
}
