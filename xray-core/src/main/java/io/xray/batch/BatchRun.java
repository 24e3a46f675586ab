package io.xray.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.InvalidImageException;
import io.xray.XrayException;
import io.xray.image.Grayscale;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.internal.AtomicFiles;
import io.xray.metrics.BinaryMetrics;
import io.xray.model.Classifier;
import io.xray.model.Explanation;
import io.xray.model.Prediction;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link BatchTransformer}: worker threads prepare inputs in order (earlier result, or
 * decoded and resized image, or error) through a bounded window of futures; this thread takes
 * them in input order, runs the classifier on mini-batches and writes the results.
 */
final class BatchRun {

    static final Logger LOG = LoggerFactory.getLogger(BatchTransformer.class);

    private final BatchTransformer config;
    private final Classifier classifier;
    private final String modelId;
    private final List<BatchInput> inputs;
    private final double threshold;
    private final Preprocessing preprocessing;
    private final ImageDecoder decoder;

    /** Each input's prediction (null when it failed) and error, by input index. */
    private final Prediction[] predictions;
    private final String[] errors;

    BatchRun(BatchTransformer config, Classifier classifier, List<BatchInput> inputs) {
        this.config = config;
        this.classifier = classifier;
        this.modelId = config.modelId().orElseGet(classifier::modelId);
        this.inputs = inputs;
        this.threshold = classifier.threshold();
        this.preprocessing = classifier.artifact().preprocessing();
        this.decoder = config.decoder();
        this.predictions = new Prediction[inputs.size()];
        this.errors = new String[inputs.size()];
    }

    /** What a worker made of one input. */
    private sealed interface Prepared permits Done, Ready, Failed {}

    /** An earlier run's complete result. */
    private record Done(int index, Prediction prediction) implements Prepared {}

    /** The image, decoded and resized to the model's resize size, waiting for the model. */
    private record Ready(int index, BufferedImage resized) implements Prepared {}

    /** The input could not be read or decoded. */
    private record Failed(int index, String error) implements Prepared {}

    BatchResult run() {
        long start = System.nanoTime();
        try (OutputFolder out = OutputFolder.open(config.output())) {
            int cleaned = out.deleteTemporaryFiles();
            if (cleaned > 0) {
                LOG.info("batch: removed {} temporary files left in {} by an interrupted run", cleaned, out.root());
            }
            LOG.info("batch: {} inputs from {} -> {} with model {} (threshold {}, {} threads, batch size {})",
                    inputs.size(), describeInput(), out.root(), modelId, threshold, config.threads(),
                    config.batchSize());
            if (inputs.isEmpty()) {
                LOG.warn("batch: no images in {}", describeInput());
            }
            Progress progress = new Progress(inputs.size(), config.progressEvery(), config.progressInterval());
            score(out, progress);
            progress.logFinal();

            List<String> summary = new ArrayList<>(inputs.size());
            List<BatchResult.Failure> failures = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                summary.add(OutputFolder.summaryLine(inputs.get(i), predictions[i], errors[i]));
                if (predictions[i] == null) {
                    failures.add(new BatchResult.Failure(inputs.get(i).name(), errors[i]));
                }
            }
            out.writeSummary(summary);
            Optional<BinaryMetrics> metrics = writeMetrics(out);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            double seconds = elapsed.toNanos() / 1e9;
            double rate = progress.processed == 0 ? 0 : progress.processed / seconds;
            BatchResult result = new BatchResult(modelId, inputs.size(), progress.processed, progress.skipped,
                    progress.failed, elapsed, rate, out.root(), out.summaryFile(), metrics, failures);
            LOG.info("batch: done in {} s: {} processed, {} skipped, {} failed ({} images/s)",
                    String.format(java.util.Locale.ROOT, "%.1f", seconds), result.processed(), result.skipped(),
                    result.failed(), String.format(java.util.Locale.ROOT, "%.1f", rate));
            return result;
        }
    }

    private String describeInput() {
        return config.input().map(Object::toString).orElse("a data set");
    }

    private void score(OutputFolder out, Progress progress) {
        int window = 2 * config.batchSize() + config.threads();
        ExecutorService workers = Executors.newFixedThreadPool(config.threads(), new WorkerThreads());
        try {
            Deque<Future<Prepared>> pending = new ArrayDeque<>(window);
            List<Ready> batch = new ArrayList<>(config.batchSize());
            int next = 0;
            while (next < inputs.size() || !pending.isEmpty()) {
                while (next < inputs.size() && pending.size() < window) {
                    int index = next++;
                    pending.add(workers.submit(() -> prepare(out, index)));
                }
                Prepared prepared = take(pending.poll());
                if (prepared instanceof Done done) {
                    predictions[done.index()] = done.prediction();
                    progress.skipped();
                } else if (prepared instanceof Failed failed) {
                    errors[failed.index()] = failed.error();
                    LOG.warn("batch: {}", failed.error());
                    progress.failed();
                } else if (prepared instanceof Ready ready) {
                    batch.add(ready);
                    if (batch.size() == config.batchSize()) {
                        infer(out, batch, progress);
                    }
                }
            }
            if (!batch.isEmpty()) {
                infer(out, batch, progress);
            }
        } finally {
            workers.shutdownNow();
        }
    }

    private Prepared prepare(OutputFolder out, int index) {
        BatchInput input = inputs.get(index);
        Optional<Prediction> earlier = out.readCompleteResult(input, modelId, threshold);
        if (earlier.isPresent()
                && (!config.explain() || java.nio.file.Files.isRegularFile(out.explanationFile(input)))) {
            return new Done(index, earlier.get());
        }
        try {
            BufferedImage image = decoder.decode(input.file());
            // The classifier's preprocessing resizes again: a no-op for an image of this size.
            return new Ready(index, preprocessing.resize(Grayscale.of(image)).toBufferedImage());
        } catch (InvalidImageException e) {
            return new Failed(index, e.getMessage());
        } catch (RuntimeException e) {
            return new Failed(index, input.file() + ": " + e);
        }
    }

    private static Prepared take(Future<Prepared> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XrayException("batch job interrupted", e);
        } catch (ExecutionException e) {
            throw new XrayException("batch worker failed: " + e.getCause(), e.getCause());
        }
    }

    private void infer(OutputFolder out, List<Ready> batch, Progress progress) {
        List<BufferedImage> images = new ArrayList<>(batch.size());
        for (Ready ready : batch) {
            images.add(ready.resized());
        }
        List<Explanation> explained = config.explain() ? classifier.explainAll(images) : null;
        List<Prediction> scored = config.explain() ? null : classifier.predictAll(images);
        for (int i = 0; i < batch.size(); i++) {
            int index = batch.get(i).index();
            Prediction prediction;
            if (config.explain()) {
                // The overlay first: a result file never exists without its overlay.
                Explanation explanation = explained.get(i);
                AtomicFiles.write(out.explanationFile(inputs.get(index)), explanation.overlayPng());
                prediction = explanation.prediction();
            } else {
                prediction = scored.get(i);
            }
            out.writeResult(inputs.get(index), prediction, modelId);
            predictions[index] = prediction;
            progress.processed();
        }
        batch.clear();
    }

    private Optional<BinaryMetrics> writeMetrics(OutputFolder out) {
        List<Double> probabilities = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int unlabelled = 0;
        int failed = 0;
        for (int i = 0; i < inputs.size(); i++) {
            if (predictions[i] == null) {
                failed++;
            } else if (inputs.get(i).label() == null) {
                unlabelled++;
            } else {
                probabilities.add(predictions[i].probability());
                labels.add(inputs.get(i).label().index());
            }
        }
        if (probabilities.isEmpty()) {
            out.deleteMetrics();
            return Optional.empty();
        }
        BinaryMetrics metrics = BinaryMetrics.compute(
                probabilities.stream().mapToDouble(Double::doubleValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                threshold);
        ObjectNode json = OutputFolder.JSON.createObjectNode();
        json.put("model_id", modelId);
        json.put("threshold", threshold);
        json.put("inputs", inputs.size());
        json.put("evaluated", probabilities.size());
        json.put("failed", failed);
        json.put("unlabelled", unlabelled);
        json.set("metrics", OutputFolder.JSON.valueToTree(metrics));
        out.writeMetrics(json);
        try {
            BufferedImage picture = ConfusionMatrixImage.render(metrics, modelId);
            AtomicFiles.write(out.confusionMatrixFile(), stream -> {
                if (!ImageIO.write(picture, "png", stream)) {
                    throw new java.io.IOException("no PNG writer");
                }
            });
        } catch (RuntimeException | LinkageError | InternalError e) {
            // Java2D needs fonts; a bare container may have none. The metrics are written already.
            LOG.warn("batch: cannot draw {}: {}", out.confusionMatrixFile(), e.toString());
        }
        if (unlabelled > 0 || failed > 0) {
            LOG.info("batch: metrics over {} labelled inputs ({} unlabelled and {} failed left out)",
                    probabilities.size(), unlabelled, failed);
        }
        return Optional.of(metrics);
    }

    /** Names the worker threads and makes them daemons, so a stuck decode never keeps the JVM up. */
    private static final class WorkerThreads implements ThreadFactory {
        private static final AtomicInteger JOBS = new AtomicInteger();
        private final int job = JOBS.incrementAndGet();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "xray-batch-" + job + "-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }

    /** Counts outcomes and logs a progress line every N inputs or T seconds. */
    static final class Progress {
        private final int total;
        private final int every;
        private final long intervalNanos;
        private final long start = System.nanoTime();
        private long lastLog = start;
        private int sinceLog;
        int processed;
        int skipped;
        int failed;

        Progress(int total, int every, Duration interval) {
            this.total = total;
            this.every = every;
            this.intervalNanos = interval.toNanos();
        }

        void processed() {
            processed++;
            tick();
        }

        void skipped() {
            skipped++;
            tick();
        }

        void failed() {
            failed++;
            tick();
        }

        private void tick() {
            sinceLog++;
            long now = System.nanoTime();
            if (sinceLog >= every || now - lastLog >= intervalNanos) {
                log(now);
            }
        }

        void logFinal() {
            if (sinceLog > 0) {
                log(System.nanoTime());
            }
        }

        private void log(long now) {
            sinceLog = 0;
            lastLog = now;
            int done = processed + skipped + failed;
            double seconds = Math.max(1e-9, (now - start) / 1e9);
            double rate = processed / seconds;
            double attempted = (processed + failed) / seconds;
            String eta = done == total ? "0:00" : attempted <= 0 ? "unknown" : clock((total - done) / attempted);
            LOG.info(String.format(java.util.Locale.ROOT,
                    "batch: %d/%d inputs (%.0f%%): %d processed, %d skipped, %d failed; %.1f images/s; ETA %s",
                    done, total, total == 0 ? 100.0 : 100.0 * done / total, processed, skipped, failed, rate, eta));
        }

        static String clock(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600
                    ? String.format(java.util.Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(java.util.Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
    }
}
