package io.xray.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xray.InvalidConfigurationException;
import io.xray.backbone.Architecture;
import io.xray.backbone.Backbone;
import io.xray.backbone.BackboneKind;
import io.xray.data.ImageRecord;
import io.xray.debug.ActivationStatistics;
import io.xray.debug.Profiler;
import io.xray.debug.RuleEngine;
import io.xray.debug.StepObservation;
import io.xray.image.Preprocessing;
import io.xray.internal.Network;
import io.xray.model.ModelArtifact;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Times the trainer's own pieces, for {@code ./xray bench}: the optimisation step that
 * {@link ResNetFineTuner#fit} runs on every batch (same network, same optimiser, same loss), and
 * its data pipeline (decode-once cache, augmentation of the cached pixels, batch assembly on the
 * prefetch thread). Nothing here is a separate, hand-tuned loop: the step is
 * {@code TrainingStep}, the pipeline is {@code ImageCache} and {@code BatchLoader}.
 */
public final class TrainingBenchmark {

    private TrainingBenchmark() {}

    /**
     * Per-batch timings of the data pipeline.
     *
     * @param cachedImages images decoded into the cache
     * @param cacheSeconds seconds to decode, convert and resize them once (done once per training run)
     * @param batchSize images per batch
     * @param batchSeconds seconds between consecutive batches delivered to the training loop, each
     *     batch also copied into a native array as the training step does
     */
    public record PipelineTiming(int cachedImages, double cacheSeconds, int batchSize, double[] batchSeconds) {}

    /**
     * Writes an untrained model directory (random weights, threshold 0.5), for timing inference
     * where no trained model is at hand: speed does not depend on what the weights learned.
     *
     * @param directory the model directory to write
     * @param backbone a from-scratch backbone
     * @param preprocessing the preprocessing saved with the model
     * @param seed seeds the random weights
     */
    public static void writeUntrainedModel(Path directory, Backbone backbone, Preprocessing preprocessing, long seed) {
        if (backbone.kind() != BackboneKind.RESNET18_SCRATCH) {
            throw new InvalidConfigurationException("backbone", "an untrained model needs a from-scratch backbone, got "
                    + backbone);
        }
        try (Network network = Network.create(backbone, Device.cpu(), seed)) {
            Architecture architecture = network.save(directory, "");
            new ModelArtifact(ModelArtifact.FORMAT_VERSION, architecture, preprocessing, 0.5, "benchmark", null,
                    null, null, null).write(directory);
        }
    }

    /**
     * Runs {@code warmupSteps + steps} training steps of the configured backbone, optimiser, batch
     * size and crop size on synthetic images (Gaussian noise, alternating labels), with the
     * configured trainable layers, and returns the seconds of each timed step. When the configuration's
     * debugger is on, each step is measured and evaluated as {@link ResNetFineTuner#fit} does; when
     * its profiler is on, it samples the process as in {@code fit} and hears every step's time.
     *
     * @param config the trainer's configuration (its output directory is not used)
     * @param device where the network runs
     * @param warmupSteps untimed steps first
     * @param steps timed steps
     * @return seconds per timed step, in order
     */
    public static double[] trainingStepSeconds(ResNetFineTuner config, Device device, int warmupSteps, int steps) {
        if (steps < 1 || warmupSteps < 0) {
            throw new InvalidConfigurationException("steps", "needs at least 1 timed step and no negative warm-up");
        }
        int size = config.preprocessing().cropSize();
        int count = config.batchSize();
        Random random = new Random(config.seed());
        float[] chw = new float[count * 3 * size * size];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (float) random.nextGaussian();
        }
        float[] labels = new float[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 2;
        }
        double[] seconds = new double[steps];
        try (Network network = Network.create(config.backbone(), device, config.seed());
                NDManager optimizerManager = network.manager().newSubManager()) {
            network.setTrainableStages(config.trainableLayers().stages());
            StatefulOptimizer optimizer = StatefulOptimizer.create(
                    config.optimizer(), optimizerManager, (float) config.weightDecay(), (float) config.momentum());
            // The weight of the full data's positives (1341 NORMAL / 3875 PNEUMONIA) unless configured.
            float positiveClassWeight = (float) config.positiveClassWeight().orElse(1341.0 / 3875.0);
            TrainingStep step = new TrainingStep(network, optimizer, positiveClassWeight);
            float learningRate = (float) config.learningRate();
            // The configured debugger looks inside the network as fit() does, so on/off pairs measure its cost.
            RuleEngine debugger = config.debugger().enabled() ? new RuleEngine(config.debugger()) : null;
            Profiler profiler = config.profiler().enabled() ? new Profiler(config.profiler()) : null;
            for (int s = 0; s < warmupSteps + steps; s++) {
                long start = System.nanoTime();
                long global = s + 1L;
                boolean inspect = debugger != null && debugger.samples(global);
                float loss = step.run(chw, labels, count, size, global, learningRate, inspect, debugger != null);
                if (debugger != null) {
                    TrainingStep.Inspection seen = step.lastInspection();
                    List<ActivationStatistics> activations = new ArrayList<>();
                    if (seen != null) {
                        seen.relus().forEach(r -> activations.add(
                                new ActivationStatistics(r.layer(), r.channelActivity(), r.inputVariance())));
                    }
                    debugger.observeStep(new StepObservation(global, 1, loss, labels,
                            seen == null ? null : seen.logits(), seen == null ? List.of() : seen.gradients(),
                            seen == null ? List.of() : seen.weights(), activations));
                }
                if (profiler != null) {
                    profiler.stepEnded(global, (System.nanoTime() - start) / 1e9);
                }
                if (s >= warmupSteps) {
                    seconds[s - warmupSteps] = (System.nanoTime() - start) / 1e9;
                }
            }
            if (debugger != null) {
                debugger.close();
            }
            if (profiler != null) {
                profiler.close();
            }
        }
        return seconds;
    }

    /**
     * Times the training data pipeline alone: decodes the records once into the cache, then takes
     * {@code batches} batches from the prefetching batch loader with the configured augmentation
     * (epoch after epoch over the cached images), copying each into a native array and closing it,
     * as the training step does.
     *
     * @param config the trainer's configuration: preprocessing, augmentation, batch size, decoder,
     *     decode threads and seed
     * @param records the images to cache, at least one batch of them
     * @param batches how many batches to time
     * @return the timings
     */
    public static PipelineTiming pipeline(ResNetFineTuner config, List<ImageRecord> records, int batches) {
        int batchSize = config.batchSize();
        if (records.size() < batchSize) {
            throw new InvalidConfigurationException(
                    "records", records.size() + " images are fewer than one batch of " + batchSize);
        }
        if (batches < 1) {
            throw new InvalidConfigurationException("batches", "needs at least 1, got " + batches);
        }
        long cacheStart = System.nanoTime();
        ImageCache cache = ImageCache.build(
                "benchmark", new ArrayList<>(records), config.decoder(), config.preprocessing(), config.decodeThreads());
        double cacheSeconds = (System.nanoTime() - cacheStart) / 1e9;
        int size = config.preprocessing().cropSize();
        double[] seconds = new double[batches];
        int done = 0;
        try (BatchLoader loader = new BatchLoader(cache, config.preprocessing(), config.augmentation().orElse(null));
                NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // Whole batches only, so that every timed batch holds batchSize images.
            int[] order = new int[cache.size() - cache.size() % batchSize];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            long last = System.nanoTime();
            for (int epoch = 1; done < batches; epoch++) {
                BatchLoader.Epoch iterator = loader.epoch(order, batchSize, config.seed(), epoch);
                while (iterator.hasNext() && done < batches) {
                    BatchLoader.Batch batch = iterator.next();
                    try (NDManager perBatch = manager.newSubManager()) {
                        perBatch.create(FloatBuffer.wrap(batch.chw()), new Shape(batch.count(), 3, size, size));
                    }
                    long now = System.nanoTime();
                    seconds[done++] = (now - last) / 1e9;
                    last = now;
                }
            }
        }
        return new PipelineTiming(cache.size(), cacheSeconds, batchSize, seconds);
    }
}
