package io.xray.model;

import ai.djl.Device;
import io.xray.Devices;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.explain.ExplanationMethod;
import io.xray.explain.HeatMap;
import io.xray.image.GrayImage;
import io.xray.image.Grayscale;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.internal.Network;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ReliabilityTable;
import io.xray.metrics.TemperatureScaling;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trained model, loaded from its directory, that classifies chest X-rays. Every image goes
 * through the model's own {@link Preprocessing}; the label comes from the model's own threshold.
 *
 * <p>Every probability it returns (predictions, explanations, scores, and so what the model server
 * and batch scoring answer) is calibrated: {@code sigmoid(logit / temperature + offset)} with the model's
 * {@link #temperature()} ({@link ProbabilityCalibration}), 1 for a model trained before xray fitted
 * one. The threshold is on the same calibrated probabilities.
 *
 * <pre>{@code
 * try (Classifier classifier = Classifier.load(Path.of("runs/model"))) {
 *     Prediction p = classifier.predict(Path.of("chest.jpeg"));
 * }
 * }</pre>
 *
 * <p>{@link #explain(Path)} says where in the image the evidence was (Grad-CAM), with the same
 * probability as {@code predict}.
 *
 * <p>Predictions and explanations may be made from several threads at once. Close the classifier
 * to free its native memory.
 */
public final class Classifier implements AutoCloseable {

    /** Images per forward pass in batch prediction and evaluation. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private static final Logger LOG = LoggerFactory.getLogger(Classifier.class);

    private final ModelArtifact artifact;
    private final Network network;
    private final ImageDecoder decoder;
    private final Path directory;
    private final String modelId;
    private final InferenceOptions options;
    private final Precision precision;
    private final String precisionNote;
    private PrecisionCheck precisionCheck;

    private Classifier(Path directory, ModelArtifact artifact, Network network, ImageDecoder decoder, String modelId,
            InferenceOptions options, Precision precision, String precisionNote) {
        this.directory = directory;
        this.artifact = artifact;
        this.network = network;
        this.decoder = decoder;
        this.modelId = modelId;
        this.options = options;
        this.precision = precision;
        this.precisionNote = precisionNote;
    }

    /**
     * Loads a model directory onto the default device (a GPU when the engine sees one).
     *
     * @param directory the directory holding {@value ModelArtifact#FILE_NAME} and the weights
     * @return the classifier
     */
    public static Classifier load(Path directory) {
        return load(directory, Devices.automatic(), ImageDecoder.defaults());
    }

    /**
     * Loads a model directory.
     *
     * @param directory the directory holding {@value ModelArtifact#FILE_NAME} and the weights
     * @param device where the network runs
     * @param decoder decodes image files and bytes, with its limits
     * @return the classifier
     */
    public static Classifier load(Path directory, Device device, ImageDecoder decoder) {
        return load(directory, device, decoder, InferenceOptions.defaults());
    }

    /**
     * Loads a model directory onto the default device with a precision and its accuracy guard.
     *
     * @param directory the directory holding {@value ModelArtifact#FILE_NAME} and the weights
     * @param options the precision and the guard
     * @return the classifier
     * @throws PrecisionRejectedException when the guard refuses the reduced precision, with the figures
     */
    public static Classifier load(Path directory, InferenceOptions options) {
        return load(directory, Devices.automatic(), ImageDecoder.defaults(), options);
    }

    /**
     * Loads a model directory with a precision. A reduced precision ({@link Precision#BF16}) is
     * used only where it can be: for a from-scratch ResNet18 on a device that computes it natively
     * (a CPU with AVX-512 BF16 or AMX, {@link Precision#cpuHasBfloat16()}, or a GPU); otherwise the
     * classifier runs in float32, logs why at WARN and says so in {@link #precisionNote()}. When it
     * is used, the guard runs first, unless {@link InferenceOptions#skipGuard()}: the guard images
     * are scored in both precisions ({@link #comparePrecision}) and the classifier is refused when
     * the figures exceed the options' limits. Explanations ({@link #explain}) always run in float32.
     *
     * @param directory the directory holding {@value ModelArtifact#FILE_NAME} and the weights
     * @param device where the network runs
     * @param decoder decodes image files and bytes, with its limits
     * @param options the precision and the guard
     * @return the classifier
     * @throws PrecisionRejectedException when the guard refuses the reduced precision, with the figures
     */
    public static Classifier load(Path directory, Device device, ImageDecoder decoder, InferenceOptions options) {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(options, "options");
        ModelArtifact artifact = ModelArtifact.read(directory);
        String modelId = ModelId.of(directory, artifact);
        Network network = Network.load(artifact.architecture(), directory, device);
        try {
            Precision precision = options.precision();
            String note = "";
            if (precision == Precision.BF16 && !network.supportsBfloat16()) {
                note = "bf16 is available for the from-scratch ResNet18 backbone only; this model's backbone is "
                        + artifact.architecture().backbone() + ": using fp32";
            } else if (precision == Precision.BF16 && !device.isGpu() && !Precision.cpuHasBfloat16()) {
                note = "this CPU has no native bfloat16 (no avx512_bf16 or amx_bf16 flag in /proc/cpuinfo), where bf16"
                        + " would be emulated and slower than fp32: using fp32";
            }
            if (!note.isEmpty()) {
                LOG.warn("{}: {}", directory, note);
                precision = Precision.FP32;
            }
            Classifier classifier = new Classifier(directory, artifact, network, decoder, modelId, options, precision,
                    note);
            if (precision.isReduced() && !options.skipGuard()) {
                PrecisionCheck check = classifier.comparePrecision(precision, options.guardImages());
                if (!check.acceptable()) {
                    throw new PrecisionRejectedException(check);
                }
                LOG.info("{}: {} accepted: {}", directory, precision.label(), check.summary());
                classifier.precisionCheck = check;
            }
            return classifier;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** @return the precision this classifier predicts with (float32 when a reduced one was asked for but is unavailable) */
    public Precision precision() {
        return precision;
    }

    /** @return why the precision asked for is not the one used, or an empty string */
    public String precisionNote() {
        return precisionNote;
    }

    /** @return the accuracy guard's figures, when a reduced precision was checked at load */
    public Optional<PrecisionCheck> precisionCheck() {
        return Optional.ofNullable(precisionCheck);
    }

    /**
     * Scores labelled images in float32 and in a reduced precision and compares them, with the
     * limits of the options this classifier was loaded with: what the accuracy guard runs. It does
     * not change how this classifier predicts, and may be called on a float32 classifier to see
     * what a reduced precision would do (where the CPU lacks native bfloat16 it is emulated: the
     * figures hold, the speed does not).
     *
     * @param reduced the precision to compare with float32
     * @param records labelled images, both classes present
     * @return the figures
     * @throws io.xray.InvalidConfigurationException when the model has no path in that precision
     */
    public PrecisionCheck comparePrecision(Precision reduced, List<ImageRecord> records) {
        Objects.requireNonNull(reduced, "reduced");
        if (reduced == Precision.BF16 && !network.supportsBfloat16()) {
            throw new io.xray.InvalidConfigurationException("precision", "bf16 is available for the from-scratch"
                    + " ResNet18 backbone only; this model's backbone is " + artifact.architecture().backbone());
        }
        Preprocessing preprocessing = artifact.preprocessing();
        int n = records.size();
        double[] fp32 = new double[n];
        double[] lower = new double[n];
        int[] labels = new int[n];
        for (int start = 0; start < n; start += DEFAULT_BATCH_SIZE) {
            int end = Math.min(n, start + DEFAULT_BATCH_SIZE);
            List<float[]> chw = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                chw.add(preprocessing.toChw(decoder.decode(records.get(i).path())));
                labels[i] = records.get(i).label().index();
            }
            int crop = preprocessing.cropSize();
            // Calibrated, as the stored threshold is.
            System.arraycopy(calibrated(network.logits(chw, crop, DEFAULT_BATCH_SIZE, false)), 0, fp32, start,
                    end - start);
            System.arraycopy(calibrated(network.logits(chw, crop, DEFAULT_BATCH_SIZE, reduced == Precision.BF16)), 0,
                    lower, start, end - start);
        }
        return comparePrecision(reduced, fp32, lower, labels, threshold(), options.maxAucChange(),
                options.maxFlippedShare());
    }

    /** The guard's figures from two series of probabilities of the same labelled images. */
    static PrecisionCheck comparePrecision(Precision reduced, double[] fp32, double[] lower, int[] labels,
            double threshold, double maxAucChange, double maxFlippedShare) {
        int flipped = 0;
        double largest = 0;
        for (int i = 0; i < fp32.length; i++) {
            if ((fp32[i] >= threshold) != (lower[i] >= threshold)) {
                flipped++;
            }
            largest = Math.max(largest, Math.abs(fp32[i] - lower[i]));
        }
        double aucFp32 = BinaryMetrics.compute(fp32, labels, threshold).rocAuc();
        double auc = BinaryMetrics.compute(lower, labels, threshold).rocAuc();
        return new PrecisionCheck(reduced, fp32.length, aucFp32, auc, flipped, largest, threshold, maxAucChange,
                maxFlippedShare);
    }

    /** @return the model's description */
    public ModelArtifact artifact() {
        return artifact;
    }

    /** @return the model directory */
    public Path directory() {
        return directory;
    }

    /** @return the decision threshold, on calibrated probabilities */
    public double threshold() {
        return artifact.threshold();
    }

    /**
     * @return the temperature that divides the network's logits before the sigmoid: the model's
     *     {@link ModelArtifact#probabilityCalibration()}, or 1.0 for a model without one
     */
    public double temperature() {
        return artifact.temperature();
    }

    /**
     * @return the offset added to {@code logit / temperature} before the sigmoid: the model's
     *     {@link ModelArtifact#probabilityCalibration()}, or 0 for a model without one
     */
    public double offset() {
        return artifact.offset();
    }

    /**
     * The model's id, computed once when the model was loaded: the model directory's name, a dash,
     * and the first 12 hex digits of a SHA-256 over the weight files and
     * {@value ModelArtifact#FILE_NAME}, such as {@code model-3f2a9c1d4e5b}. Two different models
     * never share it (retraining into the same directory changes it, since the description records
     * the training time), and the same model copied to another directory of the same name keeps it.
     * The model server answers it as {@code model_id}, and batch scoring writes it into every
     * result and skips, on a re-run, only the results that carry it.
     *
     * @return the model id
     */
    public String modelId() {
        return modelId;
    }

    /**
     * @param file an image file (JPEG, PNG, ...)
     * @return its prediction
     * @throws io.xray.InvalidImageException naming the file when it cannot be decoded
     */
    public Prediction predict(Path file) {
        return predict(decoder.decode(file));
    }

    /**
     * @param bytes an encoded image
     * @return its prediction
     * @throws io.xray.InvalidImageException when the bytes are not a decodable image
     */
    public Prediction predict(byte[] bytes) {
        return predict(decoder.decode(bytes, "image bytes"));
    }

    /**
     * @param image a decoded image, any type
     * @return its prediction
     */
    public Prediction predict(BufferedImage image) {
        return predictAll(List.of(image)).get(0);
    }

    /**
     * Explains one image file: see {@link #explain(BufferedImage)}.
     *
     * @param file an image file (JPEG, PNG, ...)
     * @return its explanation
     * @throws io.xray.InvalidImageException naming the file when it cannot be decoded
     */
    public Explanation explain(Path file) {
        return explain(decoder.decode(file));
    }

    /**
     * Explains encoded image bytes: see {@link #explain(BufferedImage)}.
     *
     * @param bytes an encoded image
     * @return its explanation
     * @throws io.xray.InvalidImageException when the bytes are not a decodable image
     */
    public Explanation explain(byte[] bytes) {
        return explain(decoder.decode(bytes, "image bytes"));
    }

    /**
     * Explains where the model found the evidence for pneumonia in an image. The image goes through
     * the model's own {@link Preprocessing} and the same forward pass as {@link #predict}, so the
     * explanation's probability is the one {@code predict} gives; then a backward pass from the
     * pneumonia logit gives the map: Grad-CAM on {@code layer4} for a from-scratch ResNet18, and,
     * for TorchScript and model-zoo backbones (whose stages cannot be reached), gradient x input on
     * the image, as {@link Explanation#method()} says. The map is projected back through the
     * centre crop and resize onto the image's own resolution. It costs about one backward pass more
     * than a prediction. Safe to call from several threads, like {@code predict}.
     *
     * @param image a decoded image, any type
     * @return its explanation
     */
    public Explanation explain(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        return explainAll(List.of(image)).get(0);
    }

    /**
     * Explains images in batches of {@value #DEFAULT_BATCH_SIZE}, one forward and one backward
     * pass per batch: see {@link #explain(BufferedImage)}. Each explanation's prediction is the one
     * {@link #predictAll(List)} gives for the same list.
     *
     * @param images decoded images, any type
     * @return their explanations, in order
     */
    public List<Explanation> explainAll(List<BufferedImage> images) {
        Preprocessing preprocessing = artifact.preprocessing();
        int crop = preprocessing.cropSize();
        List<Explanation> explanations = new ArrayList<>(images.size());
        for (int start = 0; start < images.size(); start += DEFAULT_BATCH_SIZE) {
            int end = Math.min(images.size(), start + DEFAULT_BATCH_SIZE);
            List<GrayImage> grays = new ArrayList<>(end - start);
            List<GrayImage> resizedImages = new ArrayList<>(end - start);
            List<float[]> chw = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                GrayImage gray = Grayscale.of(Objects.requireNonNull(images.get(i), "image " + i));
                GrayImage resized = preprocessing.resize(gray);
                grays.add(gray);
                resizedImages.add(resized);
                chw.add(preprocessing.normalize(preprocessing.centreCrop(resized)));
            }
            List<Network.Attribution> attributions = network.attribute(chw, crop);
            for (int i = 0; i < attributions.size(); i++) {
                Network.Attribution attribution = attributions.get(i);
                GrayImage gray = grays.get(i);
                GrayImage resized = resizedImages.get(i);
                ExplanationMethod method = attribution.method() == Network.AttributionMethod.GRAD_CAM
                        ? ExplanationMethod.GRAD_CAM
                        : ExplanationMethod.GRADIENT_X_INPUT;
                // The crop's offsets as Preprocessing.centreCrop computes them.
                int top = (int) Math.rint((resized.height() - crop) / 2.0);
                int left = (int) Math.rint((resized.width() - crop) / 2.0);
                HeatMap heatMap = HeatMap.project(attribution.map(), attribution.width(), attribution.height(),
                        gray.width(), gray.height(), resized.width(), resized.height(), left, top, crop);
                Prediction prediction = Prediction.of(calibrated(attribution.logit()), threshold());
                explanations.add(new Explanation(prediction, method, heatMap, gray));
            }
        }
        return explanations;
    }

    /**
     * @param images decoded images
     * @return their predictions, in order
     */
    public List<Prediction> predictAll(List<BufferedImage> images) {
        double[] probabilities = probabilities(images);
        List<Prediction> predictions = new ArrayList<>(probabilities.length);
        for (double probability : probabilities) {
            predictions.add(Prediction.of(probability, threshold()));
        }
        return predictions;
    }

    /**
     * @param images decoded images
     * @return their calibrated probabilities of pneumonia, in order
     */
    public double[] probabilities(List<BufferedImage> images) {
        return calibrated(logits(images));
    }

    private float[] logits(List<BufferedImage> images) {
        Preprocessing preprocessing = artifact.preprocessing();
        float[] logits = new float[images.size()];
        for (int start = 0; start < images.size(); start += DEFAULT_BATCH_SIZE) {
            int end = Math.min(images.size(), start + DEFAULT_BATCH_SIZE);
            List<float[]> chw = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                chw.add(preprocessing.toChw(images.get(i)));
            }
            float[] batch = network.logits(chw, preprocessing.cropSize(), DEFAULT_BATCH_SIZE,
                    precision == Precision.BF16);
            System.arraycopy(batch, 0, logits, start, batch.length);
        }
        return logits;
    }

    /**
     * Decodes and scores images in batches: the evaluation path.
     *
     * @param records images to score
     * @return their calibrated probabilities of pneumonia, in order
     */
    public double[] score(List<ImageRecord> records) {
        return calibrated(scoreLogits(records));
    }

    private float[] scoreLogits(List<ImageRecord> records) {
        float[] logits = new float[records.size()];
        for (int start = 0; start < records.size(); start += DEFAULT_BATCH_SIZE) {
            int end = Math.min(records.size(), start + DEFAULT_BATCH_SIZE);
            List<BufferedImage> images = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                images.add(decoder.decode(records.get(i).path()));
            }
            float[] batch = logits(images);
            System.arraycopy(batch, 0, logits, start, batch.length);
        }
        return logits;
    }

    /** The calibrated probability of a logit: the one place where Classifier turns logits into probabilities. */
    private double calibrated(float logit) {
        return TemperatureScaling.probability(logit, temperature(), offset());
    }

    private double[] calibrated(float[] logits) {
        double[] probabilities = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = calibrated(logits[i]);
        }
        return probabilities;
    }

    /**
     * Scores exactly these labelled images and measures the model at its own threshold. It does not
     * leave out the images that chose the threshold; {@link #evaluate(Dataset, Split)} does.
     *
     * @param records labelled images, both classes present for the AUCs to be defined
     * @return the metrics, on calibrated probabilities
     */
    public BinaryMetrics evaluate(List<ImageRecord> records) {
        return BinaryMetrics.compute(score(records), labels(records), threshold());
    }

    private static int[] labels(List<ImageRecord> records) {
        int[] labels = new int[records.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = records.get(i).label().index();
        }
        return labels;
    }

    /**
     * Measures the model on one split of a data set at its own threshold, leaving out the images
     * that chose that threshold: when the model was trained with a {@link Split#CALIBRATION} split
     * set aside from the test images, it lists them by SHA-256
     * ({@link ModelArtifact#thresholdCalibration()}), and they are moved back to the calibration
     * split ({@link ModelArtifact#withCalibrationMarked(Dataset)}) before the split is read, so test
     * figures never include them and {@code Split.CALIBRATION} evaluates exactly them. How many were
     * left out is in {@link Evaluation#leftOut()} and logged at INFO. Whether a {@code val} or
     * {@code train} split is the one the model was trained with is in
     * {@link Evaluation#trainingSplitMismatch()}. The evaluation also holds the reliability
     * tables and expected calibration errors of the probabilities before ({@code sigmoid(logit)})
     * and after the model's temperature scaling.
     *
     * @param dataset a data set, such as {@link Dataset#load(Path)} of the folder the model was trained on
     * @param split the split to evaluate on
     * @return the evaluation at the model's threshold
     * @throws XrayException when the split has no image left to evaluate, saying how many were left out
     */
    public Evaluation evaluate(Dataset dataset, Split split) {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(split, "split");
        Dataset marked = artifact.withCalibrationMarked(dataset);
        List<ImageRecord> records = marked.records(split);
        int leftOut = Math.max(0, dataset.records(split).size() - records.size());
        if (records.isEmpty()) {
            throw new XrayException("the data set has no " + split.directoryName() + " images"
                    + (leftOut > 0 ? " left once the " + leftOut + " that chose the model's threshold are set aside" : ""));
        }
        if (leftOut > 0) {
            LOG.info("left out {} of {} {} images: they chose the model's threshold", leftOut,
                    records.size() + leftOut, split.directoryName());
        }
        float[] logits = scoreLogits(records);
        int[] labels = labels(records);
        double[] probabilities = calibrated(logits);
        double[] uncalibrated = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            uncalibrated[i] = TemperatureScaling.probability(logits[i], 1.0);
        }
        BinaryMetrics metrics = BinaryMetrics.compute(probabilities, labels, threshold());
        Provenance provenance = artifact.provenance();
        return new Evaluation(split, metrics, leftOut, artifact.thresholdRule(), marked.manifestSha256(),
                provenance == null ? null : provenance.manifestSha256(), temperature(), offset(),
                ReliabilityTable.of(uncalibrated, labels), ReliabilityTable.of(probabilities, labels));
    }

    /** Frees the network's native memory. */
    @Override
    public void close() {
        network.close();
    }

    /**
     * Scores images that were already preprocessed by this model's {@link Preprocessing}, through
     * the same forward path (and the same batching) as {@link #probabilities(List)}: the serving
     * path, where decoding and preprocessing happen elsewhere.
     *
     * @param chwBatch one {@code float[3 * crop * crop]} per image, channel-major, as made by
     *     {@link Preprocessing#toChw(BufferedImage)} with {@code artifact().preprocessing()}
     * @return their calibrated probabilities of pneumonia, in order
     * @throws IllegalArgumentException naming the image whose length does not match the crop size
     */
    public double[] probabilities(float[][] chwBatch) {
        int crop = artifact.preprocessing().cropSize();
        int plane = 3 * crop * crop;
        for (int i = 0; i < chwBatch.length; i++) {
            if (chwBatch[i] == null || chwBatch[i].length != plane) {
                throw new IllegalArgumentException("image " + i + " has "
                        + (chwBatch[i] == null ? "no" : Integer.toString(chwBatch[i].length)) + " values; this model takes 3 x "
                        + crop + " x " + crop + " = " + plane);
            }
        }
        return calibrated(network.logits(java.util.Arrays.asList(chwBatch), crop, DEFAULT_BATCH_SIZE,
                precision == Precision.BF16));
    }
}
