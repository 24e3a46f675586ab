package io.xray.batch;

import io.xray.Devices;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.image.ImageDecoder;
import io.xray.model.Classifier;
import io.xray.model.InferenceOptions;
import io.xray.model.ModelArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Scores every image of a folder, manifest or {@link Dataset} with a model and writes the results
 * to an output folder the way a SageMaker batch transform job does: one {@code <input>.out} file
 * per input, named by the input's path relative to the input root ({@code NORMAL/a.jpeg} gives
 * {@code NORMAL/a.jpeg.out}) and holding the JSON body the xray model server answers for that
 * image:
 *
 * <pre>{@code {"predictions":[{"label":"PNEUMONIA","probability":0.93,"threshold":0.41,"model_id":"model-3f2a9c1d4e5b"}]}}</pre>
 *
 * <p>It also writes {@code summary.jsonl}, one line per input in input order
 * ({@code {"input","status":"ok"|"error","label","probability","true_label","error"}}, absent
 * fields omitted), and, when some inputs have known labels, {@code metrics.json}
 * ({@code {"model_id","threshold","inputs","evaluated","failed","unlabelled","metrics":BinaryMetrics}},
 * the metrics at the model's own threshold, with its confusion matrix) and
 * {@code confusion-matrix.png}.
 *
 * <pre>{@code
 * BatchResult result = BatchTransformer.builder()
 *         .modelDirectory(Path.of("runs/model"))
 *         .input(Path.of("chest_xray/test"))      // labelled by its NORMAL/PNEUMONIA folders
 *         .output(Path.of("runs/test-scores"))
 *         .threads(4)
 *         .build()
 *         .run();
 * }</pre>
 *
 * <h2>Re-runs and failures</h2>
 * Every file is written atomically (a {@code .tmp} file renamed over the target), so an
 * {@code .out} file that exists is complete. A re-run skips every input whose {@code .out} file is
 * complete and was made by the same model (same model id, by default the classifier's own
 * {@link Classifier#modelId()}, and same threshold); it scores the rest, including the inputs that
 * failed before, and removes the {@code .tmp} files a killed run left. An input that cannot be
 * decoded becomes an error line in the summary and does not stop the job; it gets no {@code .out}
 * file. A failure of the model itself or of the output disk stops the run with an exception; what
 * was written stays valid and a re-run resumes. One job at a time may write to an output folder
 * (it holds a lock file, {@code .xray-batch.lock}, while running).
 *
 * <h2>Threads</h2>
 * {@link Builder#threads(int)} worker threads check for earlier results, then read, decode,
 * convert to gray and resize the images with the model's own {@code Preprocessing} (whose resize
 * of an image already resized is the identity, so the classifier's own preprocessing then gives
 * exactly the tensor it would give for the file). The calling thread runs the classifier on
 * mini-batches of {@link Builder#batchSize(int)} images and writes the results, so the classifier
 * is only ever used from that one thread. Progress is logged through SLF4J every
 * {@link Builder#progressEvery(int)} inputs or {@link Builder#progressInterval(Duration)},
 * whichever comes first, with the rate and the estimated time left.
 *
 * <h2>Ownership</h2>
 * Given a {@link Builder#model(Classifier) Classifier}, the transformer uses it and never closes
 * it: the caller does. Given a {@link Builder#modelDirectory(Path) model directory}, each
 * {@link #run()} loads the model and closes it before returning. The transformer itself holds no
 * resources between runs, so it is not {@link AutoCloseable}; it is immutable and may be run again.
 */
public final class BatchTransformer {

    /** Default mini-batch size for the model. */
    public static final int DEFAULT_BATCH_SIZE = Classifier.DEFAULT_BATCH_SIZE;
    /** Default number of decoding threads: the processors, at most 4. */
    public static final int DEFAULT_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Default number of inputs between progress lines. */
    public static final int DEFAULT_PROGRESS_EVERY = 100;
    /** Default longest time between progress lines. */
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(10);
    /** Largest accepted mini-batch size. */
    public static final int MAX_BATCH_SIZE = 4096;

    private final Classifier model;
    private final Path modelDirectory;
    private final Path input;
    private final Dataset dataset;
    private final Path output;
    private final int threads;
    private final int batchSize;
    private final int progressEvery;
    private final Duration progressInterval;
    private final ImageDecoder decoder;
    private final String modelId;
    private final boolean explain;
    private final InferenceOptions inferenceOptions;

    private BatchTransformer(Builder b) {
        this.model = b.model;
        this.modelDirectory = b.modelDirectory == null ? null : b.modelDirectory.toAbsolutePath().normalize();
        this.input = b.input == null ? null : b.input.toAbsolutePath().normalize();
        this.dataset = b.dataset;
        this.output = b.output.toAbsolutePath().normalize();
        this.threads = b.threads;
        this.batchSize = b.batchSize;
        this.progressEvery = b.progressEvery;
        this.progressInterval = b.progressInterval;
        this.decoder = b.decoder;
        this.modelId = b.modelId;
        this.explain = b.explain;
        this.inferenceOptions = b.inferenceOptions;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration, for variations */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.modelDirectory = modelDirectory;
        b.input = input;
        b.dataset = dataset;
        b.output = output;
        b.threads = threads;
        b.batchSize = batchSize;
        b.progressEvery = progressEvery;
        b.progressInterval = progressInterval;
        b.decoder = decoder;
        b.modelId = modelId;
        b.explain = explain;
        b.inferenceOptions = inferenceOptions;
        return b;
    }

    /**
     * Runs the job: lists the inputs, skips those already done, scores the rest and writes the
     * result files, the summary and (with labels) the metrics.
     *
     * @return the counts, the rate and the metrics
     * @throws XrayException when the inputs cannot be listed, the model cannot be loaded or run,
     *     or the output cannot be written; a bad input never throws
     */
    public BatchResult run() {
        List<BatchInput> inputs = listInputs();
        if (model != null) {
            return new BatchRun(this, model, inputs).run();
        }
        try (Classifier loaded = Classifier.load(modelDirectory, Devices.automatic(), decoder, inferenceOptions)) {
            return new BatchRun(this, loaded, inputs).run();
        }
    }

    private List<BatchInput> listInputs() {
        if (dataset != null) {
            return BatchInput.ofDataset(dataset, null);
        }
        if (Files.isDirectory(input)) {
            return BatchInput.scanFolder(input);
        }
        Dataset manifest = Dataset.builder().manifest(input).verifyImages(false).build();
        return BatchInput.ofDataset(manifest, input.getParent());
    }

    /** @return true when an overlay PNG is written beside each result ({@link Builder#explain(boolean)}) */
    public boolean explain() {
        return explain;
    }

    /** @return the classifier to use, when one was given */
    public Optional<Classifier> model() {
        return Optional.ofNullable(model);
    }

    /** @return the model directory to load, when one was given */
    public Optional<Path> modelDirectory() {
        return Optional.ofNullable(modelDirectory);
    }

    /** @return the input folder or manifest, when one was given */
    public Optional<Path> input() {
        return Optional.ofNullable(input);
    }

    /** @return the input data set, when one was given */
    public Optional<Dataset> dataset() {
        return Optional.ofNullable(dataset);
    }

    /** @return the output folder, absolute */
    public Path output() {
        return output;
    }

    /** @return the number of decoding threads */
    public int threads() {
        return threads;
    }

    /** @return the number of images per model call */
    public int batchSize() {
        return batchSize;
    }

    /** @return the number of inputs between progress lines */
    public int progressEvery() {
        return progressEvery;
    }

    /** @return the longest time between progress lines */
    public Duration progressInterval() {
        return progressInterval;
    }

    /** @return the decoder that reads the inputs, with its limits */
    public ImageDecoder decoder() {
        return decoder;
    }

    /** @return the model id set on the builder; empty means the classifier's own {@link Classifier#modelId()} */
    public Optional<String> modelId() {
        return Optional.ofNullable(modelId);
    }

    @Override
    public String toString() {
        return "BatchTransformer[model=" + (model != null ? model.directory() : modelDirectory)
                + ", input=" + (dataset != null ? "dataset of " + dataset.size() + " images" : input)
                + ", output=" + output + ", threads=" + threads + ", batchSize=" + batchSize + "]";
    }

    /**
     * Builds a {@link BatchTransformer}. Set a model ({@link #model(Classifier)} or
     * {@link #modelDirectory(Path)}), an input ({@link #input(Path)} or {@link #input(Dataset)})
     * and an {@link #output(Path)}; the rest has defaults.
     */
    public static final class Builder {
        private Classifier model;
        private Path modelDirectory;
        private Path input;
        private Dataset dataset;
        private Path output;
        private int threads = DEFAULT_THREADS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int progressEvery = DEFAULT_PROGRESS_EVERY;
        private Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
        private ImageDecoder decoder = ImageDecoder.defaults();
        private String modelId;
        private boolean explain;
        private InferenceOptions inferenceOptions = InferenceOptions.defaults();

        private Builder() {}

        /**
         * @param options the precision and accuracy guard of the classifier loaded from
         *     {@link #modelDirectory}; a classifier passed to {@link #model} keeps its own
         * @return this builder
         */
        public Builder inferenceOptions(InferenceOptions options) {
            this.inferenceOptions = java.util.Objects.requireNonNull(options, "inferenceOptions");
            return this;
        }

        /**
         * Uses a loaded classifier, which the transformer never closes. Replaces a model directory
         * set before.
         *
         * @param classifier the model
         * @return this builder
         */
        public Builder model(Classifier classifier) {
            this.model = classifier;
            this.modelDirectory = null;
            return this;
        }

        /**
         * Loads the model from a directory at the start of each run and closes it at the end.
         * Replaces a classifier set before.
         *
         * @param directory a model directory written by training
         * @return this builder
         */
        public Builder modelDirectory(Path directory) {
            this.modelDirectory = directory;
            this.model = null;
            return this;
        }

        /**
         * Reads the inputs from a folder or a manifest. A folder is searched recursively for
         * {@code .jpeg .jpg .png .bmp .gif .tif .tiff} files (hidden ones skipped); an image in a
         * folder named {@code NORMAL} or {@code PNEUMONIA} has that label, so a
         * {@code chest_xray/test} folder is labelled. A file is read as a manifest (JSON Lines,
         * as {@code Dataset.writeManifest} writes), every line labelled; its images are named
         * relative to the manifest's folder. Replaces a data set set before.
         *
         * @param folderOrManifest the input folder or manifest file
         * @return this builder
         */
        public Builder input(Path folderOrManifest) {
            this.input = folderOrManifest;
            this.dataset = null;
            return this;
        }

        /**
         * Scores every image of a data set (all its splits: pass {@code Dataset.of(d.records(split))}
         * for one), with its labels. Images are named relative to the deepest folder that holds
         * them all. Replaces an input path set before.
         *
         * @param dataset the images
         * @return this builder
         */
        public Builder input(Dataset dataset) {
            this.dataset = dataset;
            this.input = null;
            return this;
        }

        /**
         * @param directory where the results go; created when missing, and neither the input
         *     folder nor inside it
         * @return this builder
         */
        public Builder output(Path directory) {
            this.output = directory;
            return this;
        }

        /**
         * @param threads threads that read, decode and resize images while the model runs, at least
         *     1; default {@link BatchTransformer#DEFAULT_THREADS}
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * @param batchSize images per model call, 1 to {@value BatchTransformer#MAX_BATCH_SIZE}; default
         *     {@value BatchTransformer#DEFAULT_BATCH_SIZE}
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param inputs log progress after this many inputs at most, at least 1; default
         *     {@value BatchTransformer#DEFAULT_PROGRESS_EVERY}
         * @return this builder
         */
        public Builder progressEvery(int inputs) {
            this.progressEvery = inputs;
            return this;
        }

        /**
         * @param interval log progress at least this often while inputs complete, positive;
         *     default 10 seconds
         * @return this builder
         */
        public Builder progressInterval(Duration interval) {
            this.progressInterval = interval;
            return this;
        }

        /**
         * @param decoder reads the input images, with its size limits (and loads a model directory
         *     with it); default {@link ImageDecoder#defaults()}
         * @return this builder
         */
        public Builder decoder(ImageDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /**
         * @param modelId the id written into every result; default the classifier's own
         *     {@link Classifier#modelId()}. Results carrying another id are scored again on a re-run.
         * @return this builder
         */
        public Builder modelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /**
         * @param explain true to write, beside each {@code <input name>.out}, an
         *     {@code <input name>.explain.png}: the image (at the model's resize size) with the
         *     model's heat map over it ({@link Classifier#explain(java.awt.image.BufferedImage)}).
         *     Off by default: each mini-batch then costs a backward pass
         *     ({@link Classifier#explainAll(java.util.List)}) and an overlay PNG per image. On a re-run, an earlier result without its overlay is scored again.
         * @return this builder
         */
        public Builder explain(boolean explain) {
            this.explain = explain;
            return this;
        }

        /**
         * @return the transformer
         * @throws InvalidConfigurationException naming the first bad field: {@code model} (none or
         *     no model directory), {@code input} (none, or missing), {@code output} (none, not a
         *     folder, or the input folder or inside it), {@code threads}, {@code batchSize},
         *     {@code progressEvery}, {@code progressInterval}, {@code decoder}, {@code modelId}
         */
        public BatchTransformer build() {
            require(model != null || modelDirectory != null, "model",
                    "set a Classifier with model(...) or a model directory with modelDirectory(...)");
            if (modelDirectory != null) {
                require(Files.isRegularFile(modelDirectory.resolve(ModelArtifact.FILE_NAME)), "model",
                        modelDirectory + " is not a model directory (no " + ModelArtifact.FILE_NAME + ")");
            }
            require(input != null || dataset != null, "input",
                    "set a folder or manifest with input(Path) or a data set with input(Dataset)");
            if (input != null) {
                require(Files.isDirectory(input) || Files.isRegularFile(input), "input",
                        input + " is neither a folder nor a manifest file");
            }
            require(output != null, "output", "set the folder the results go to");
            Path out = output.toAbsolutePath().normalize();
            require(!Files.exists(out) || Files.isDirectory(out), "output", out + " exists and is not a folder");
            if (input != null && Files.isDirectory(input)) {
                Path in = input.toAbsolutePath().normalize();
                require(!out.startsWith(in), "output",
                        out + " is the input folder or inside it; its files would become inputs of the next run");
            }
            require(threads >= 1, "threads", "must be at least 1, got " + threads);
            require(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE, "batchSize",
                    "must be between 1 and " + MAX_BATCH_SIZE + ", got " + batchSize);
            require(progressEvery >= 1, "progressEvery", "must be at least 1, got " + progressEvery);
            require(progressInterval != null && !progressInterval.isNegative() && !progressInterval.isZero(),
                    "progressInterval", "must be a positive duration, got " + progressInterval);
            require(decoder != null, "decoder", "must not be null");
            require(modelId == null || (!modelId.isBlank() && modelId.strip().equals(modelId)), "modelId",
                    "must not be blank or padded with spaces, got '" + modelId + "'");
            return new BatchTransformer(this);
        }

        private static void require(boolean condition, String field, String reason) {
            if (!condition) {
                throw new InvalidConfigurationException(field, reason);
            }
        }
    }
}
