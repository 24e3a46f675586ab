package io.xray.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.debug.DebuggerConfig;
import io.xray.debug.ProfilerConfig;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.model.Classifier;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingBenchmark;
import io.xray.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xray bench}: images per second of the code users run, on this machine.
 *
 * <ul>
 *   <li>{@code train}: the trainer's own optimisation step (ResNet18 as {@code xray train} builds
 *       it, its default optimiser, loss and batch) on synthetic images;
 *   <li>{@code infer}: {@link Classifier}'s batch forward path, the one serving and batch scoring
 *       use, on synthetic preprocessed images, for a model folder or a fresh full-width ResNet18
 *       saved and loaded as a model;
 *   <li>{@code pipeline}: the training data pipeline alone (decode-once cache, augmentation,
 *       batch assembly) on real images.
 * </ul>
 *
 * The last line of the text output is {@code images_per_second=NN.N}, the median over the timed
 * steps; {@code --json} prints one object instead.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Time ResNet18 training steps, inference batches or the training data pipeline after warm-up.",
            "Prints the median images/s as the last line: images_per_second=NN.N (or one JSON object with --json)."
        })
final class BenchCommand implements Callable<Integer> {

    /** Batches at each end of an inference run compared for steadiness. */
    static final int STEADINESS_WINDOW = 50;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODE", description = "train, infer or pipeline")
    private String mode;

    @Option(names = "--size", defaultValue = "224", description = "image height and width (default: ${DEFAULT-VALUE})")
    private int size;

    @Option(names = "--batch", defaultValue = "32", description = "images per step (default: ${DEFAULT-VALUE})")
    private int batch;

    @Option(names = "--steps", description = "timed steps (default: train 8, infer 200, pipeline 60)")
    private Integer steps;

    @Option(names = "--warmup", description = "untimed steps first (default: train 2, infer 5, pipeline 5)")
    private Integer warmup;

    @Option(names = "--threads", description = "engine intra-op threads (default: the engine's, one per core)")
    private Integer threads;

    @Option(names = "--interop-threads", description = "engine inter-op threads (default: the engine's)")
    private Integer interopThreads;

    @Option(names = "--model", description = "infer: a model folder written by xray train (default: a fresh"
            + " full-width ResNet18, saved and loaded as a model)")
    private Path model;

    @Option(names = "--data", defaultValue = "sample-data/chest_xray",
            description = "pipeline: chest_xray folder or manifest whose images are used (default: ${DEFAULT-VALUE})")
    private Path data;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the synthetic data and weights (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--debugger", description = "train: evaluate the default debugger rules on every step, as"
            + " xray train does (default: off, so that results compare with earlier runs; alternate runs with and"
            + " without it to measure its cost)")
    private boolean debugger;

    @Option(names = "--profiler", description = "train: run the profiler (process and system sampled every 500 ms,"
            + " every step timed), as xray train does (default: off; alternate runs with and without it to measure"
            + " its cost)")
    private boolean profiler;

    @Mixin
    private PrecisionOptions precision = new PrecisionOptions();

    @Option(names = "--json", description = "print one JSON object instead of text")
    private boolean json;

    /** What {@code --json} prints; absent fields do not apply to the mode. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BenchResult(
            String mode,
            String network,
            int size,
            int batch,
            int warmup,
            int steps,
            int intraOpThreads,
            int interOpThreads,
            String djlVersion,
            String pytorchVersion,
            double imagesPerSecond,
            double msPerStepMedian,
            double[] msPerStep,
            Double firstBatchesImagesPerSecond,
            Double lastBatchesImagesPerSecond,
            Double lastToFirstRatio,
            Integer cachedImages,
            Double cacheSeconds,
            Double cacheImagesPerSecond,
            Double cpuMsPerImage) {}

    @Override
    public Integer call() {
        String chosen = mode.toLowerCase(Locale.ROOT);
        if (!List.of("train", "infer", "pipeline").contains(chosen)) {
            throw new InvalidConfigurationException("mode", "expected train, infer or pipeline, got " + mode);
        }
        precision.check(OptionChecks.of(spec).atLeast("--size", size, 32).atLeast("--batch", batch, 1)
                .atLeast("--steps", steps, 1).atLeast("--warmup", warmup, 0)
                .atLeast("--threads", threads, 1).atLeast("--interop-threads", interopThreads, 1));
        int timed = steps != null ? steps : switch (chosen) {
            case "train" -> 8;
            case "infer" -> 200;
            default -> 60;
        };
        int untimed = warmup != null ? warmup : chosen.equals("train") ? 2 : 5;
        configureThreads();
        BenchResult result = switch (chosen) {
            case "train" -> train(untimed, timed);
            case "infer" -> infer(untimed, timed);
            default -> pipeline(untimed, timed);
        };
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.write(result));
        } else {
            print(out, result);
        }
        out.flush();
        return 0;
    }

    private void configureThreads() {
        // Inter-op threads can only be set before the engine starts any parallel work.
        if (interopThreads != null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(interopThreads));
        }
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        Engine.getEngine("PyTorch");
        if (threads != null && JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    private Preprocessing preprocessing() {
        return Preprocessing.builder().resizeShorterSide(Math.round(size * 8f / 7f)).cropSize(size).build();
    }

    /**
     * The default recipe ({@code xray train} with no option) at this size and batch, with
     * torchvision's full-width ResNet18 (the plain-PyTorch reference's network) instead of the
     * default recipe's half-width one.
     */
    private ResNetFineTuner trainerDefaults(Path output) {
        TrainingRecipe recipe = TrainingRecipe.defaults().withHyperparameters(Map.of("backbone", "scratch",
                "image-size", Integer.toString(size), "batch-size", Integer.toString(batch), "seed", Long.toString(seed)));
        return ResNetFineTuner.builder().recipe(recipe).outputDirectory(output)
                .debugger(debugger ? DebuggerConfig.defaults() : DebuggerConfig.disabled())
                .profiler(profiler ? ProfilerConfig.defaults() : ProfilerConfig.disabled()).build();
    }

    private BenchResult train(int untimed, int timed) {
        ResNetFineTuner config = trainerDefaults(Path.of("bench-unused"));
        double[] seconds = TrainingBenchmark.trainingStepSeconds(config, Device.cpu(), untimed, timed);
        return result("train", config.backbone() + " (" + config.optimizer().name().toLowerCase(Locale.ROOT)
                + ", trainable " + config.trainableLayers() + ")", untimed, seconds, batch, null, null, null);
    }

    private BenchResult infer(int untimed, int timed) {
        Path temporary = null;
        try {
            Path directory = model;
            if (directory == null) {
                temporary = Files.createTempDirectory("xray-bench-model");
                directory = temporary;
                writeFreshModel(directory);
            }
            // Synthetic images: without --guard-data a reduced precision is timed unchecked.
            try (Classifier classifier = Classifier.load(directory, Device.cpu(), ImageDecoder.defaults(),
                    precision.toOptions(true))) {
                int crop = classifier.artifact().preprocessing().cropSize();
                if (model != null && crop != size) {
                    throw new InvalidConfigurationException("size", "--size " + size + " differs from the model's"
                            + " input size " + crop + "; pass --size " + crop);
                }
                float[][] images = syntheticImages(batch, crop, seed);
                for (int i = 0; i < untimed; i++) {
                    classifier.probabilities(images);
                }
                double[] seconds = new double[timed];
                long cpuStart = processCpuNanos();
                for (int i = 0; i < timed; i++) {
                    long start = System.nanoTime();
                    classifier.probabilities(images);
                    seconds[i] = (System.nanoTime() - start) / 1e9;
                }
                long cpuNanos = processCpuNanos() - cpuStart;
                String network = (model != null ? model.toString() : "fresh ResNet18")
                        + " (" + classifier.artifact().architecture().backbone() + ", " + classifier.precision().label()
                        + (classifier.precisionNote().isEmpty() ? "" : ": " + classifier.precisionNote()) + ")";
                BenchResult r = result("infer", network, untimed, seconds, batch, null, null, null);
                Double cpuMs = cpuStart < 0 ? null : round1(cpuNanos / 1e6 / ((double) timed * batch) * 10) / 10;
                return new BenchResult(r.mode(), r.network(), r.size(), r.batch(), r.warmup(), r.steps(),
                        r.intraOpThreads(), r.interOpThreads(), r.djlVersion(), r.pytorchVersion(), r.imagesPerSecond(),
                        r.msPerStepMedian(), r.msPerStep(), r.firstBatchesImagesPerSecond(),
                        r.lastBatchesImagesPerSecond(), r.lastToFirstRatio(), null, null, null, cpuMs);
            }
        } catch (IOException e) {
            throw new XrayException("cannot make a temporary model folder: " + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                deleteQuietly(temporary);
            }
        }
    }

    /**
     * @return the CPU time of the whole process so far, every thread (the engine's native ones too),
     *     in nanoseconds; -1 where the JVM does not say. Less sensitive than wall time to other
     *     processes taking the cores, since it counts only the cycles this process got.
     */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private void writeFreshModel(Path directory) {
        TrainingBenchmark.writeUntrainedModel(directory, Backbone.resNet18FromScratch(), preprocessing(), seed);
    }

    private BenchResult pipeline(int untimed, int timed) {
        ResNetFineTuner config = trainerDefaults(Path.of("bench-unused"));
        List<ImageRecord> records = Dataset.load(data).records();
        TrainingBenchmark.PipelineTiming timing = TrainingBenchmark.pipeline(config, records, untimed + timed);
        double[] seconds = Arrays.copyOfRange(timing.batchSeconds(), untimed, untimed + timed);
        return result("pipeline", "decode-once cache, " + (config.augmentation().isPresent()
                        ? "xray train's default augmentation" : "no augmentation") + ", " + records.size()
                        + " images of " + data,
                untimed, seconds, timing.batchSize(), timing.cachedImages(), timing.cacheSeconds(),
                timing.cachedImages() / timing.cacheSeconds());
    }

    static float[][] syntheticImages(int count, int size, long seed) {
        Random random = new Random(seed);
        float[][] images = new float[count][3 * size * size];
        for (float[] image : images) {
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) random.nextGaussian();
            }
        }
        return images;
    }

    private BenchResult result(String what, String network, int untimed, double[] seconds, int imagesPerStep,
            Integer cachedImages, Double cacheSeconds, Double cacheRate) {
        double median = median(seconds);
        Double first = null;
        Double last = null;
        Double ratio = null;
        if (what.equals("infer") && seconds.length >= 2 * STEADINESS_WINDOW) {
            first = rate(seconds, 0, STEADINESS_WINDOW, imagesPerStep);
            last = rate(seconds, seconds.length - STEADINESS_WINDOW, seconds.length, imagesPerStep);
            ratio = last / first;
        }
        double[] ms = Arrays.stream(seconds).map(s -> Math.round(s * 1e4) / 10.0).toArray();
        return new BenchResult(what, network, size, batch, untimed, seconds.length, JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), Engine.getDjlVersion(), Engine.getEngine("PyTorch").getVersion(),
                round1(imagesPerStep / median), round1(median * 1000), ms, round1(first), round1(last),
                ratio == null ? null : Math.round(ratio * 1000) / 1000.0, cachedImages, round1(cacheSeconds),
                round1(cacheRate), null);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Images per second over steps [from, to): images divided by the steps' total time. */
    static double rate(double[] seconds, int from, int to, int imagesPerStep) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += seconds[i];
        }
        return (to - from) * imagesPerStep / sum;
    }

    private static Double round1(Double value) {
        return value == null ? null : Math.round(value * 10) / 10.0;
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static void print(PrintWriter out, BenchResult r) {
        out.printf(Locale.ROOT, "bench %s: %s, %dx%d, batch %d, %d warm-up + %d timed steps, intra-op %d /"
                        + " inter-op %d threads, DJL %s, PyTorch %s%n",
                r.mode(), r.network(), r.size(), r.size(), r.batch(), r.warmup(), r.steps(), r.intraOpThreads(),
                r.interOpThreads(), r.djlVersion(), r.pytorchVersion());
        if (r.cachedImages() != null) {
            out.printf(Locale.ROOT, "decode-once cache: %d images in %.1f s (%.1f images/s, once per run)%n",
                    r.cachedImages(), r.cacheSeconds(), r.cacheImagesPerSecond());
        }
        StringBuilder ms = new StringBuilder();
        for (double m : r.msPerStep()) {
            ms.append(ms.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", m));
        }
        if (r.msPerStep().length <= 40) {
            out.println("ms per step: " + ms);
        }
        out.printf(Locale.ROOT, "median %.1f ms per step of %d images%n", r.msPerStepMedian(), r.batch());
        if (r.firstBatchesImagesPerSecond() != null) {
            out.printf(Locale.ROOT, "first %d batches %.1f images/s, last %d batches %.1f images/s (last/first %.3f)%n",
                    STEADINESS_WINDOW, r.firstBatchesImagesPerSecond(), STEADINESS_WINDOW,
                    r.lastBatchesImagesPerSecond(), r.lastToFirstRatio());
        }
        if (r.cpuMsPerImage() != null) {
            out.printf(Locale.ROOT, "process CPU time: %.2f ms per image over the timed steps (all threads)%n",
                    r.cpuMsPerImage());
        }
        out.printf(Locale.ROOT, "images_per_second=%.1f%n", r.imagesPerSecond());
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary folder left behind is harmless.
        }
    }
}
