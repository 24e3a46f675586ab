package io.xray.serve;

import io.xray.XrayException;
import io.xray.image.Preprocessing;
import io.xray.model.Classifier;
import io.xray.model.Explanation;
import io.xray.model.InferenceOptions;
import io.xray.model.ModelArtifact;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A trained {@link Classifier} seen as an {@link InferenceModel}: {@link ModelServer} and the
 * in-process {@code EndpointPredictor} call it with tensors made by the model's own
 * {@link Preprocessing}, read from the artifact, and it runs them through
 * {@link Classifier#probabilities(float[][])}, the same forward path as {@link Classifier#predict}.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder()
 *         .modelLoader(() -> ClassifierModel.load(Path.of("/opt/ml/model")))
 *         .build().start()) {
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * <p>Its model id is the classifier's own, {@link Classifier#modelId()}.
 */
public final class ClassifierModel implements InferenceModel {

    private final Classifier classifier;
    private final boolean owned;
    private final String modelId;
    private final Preprocessing preprocessing;

    private ClassifierModel(Classifier classifier, boolean owned) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.owned = owned;
        this.preprocessing = classifier.artifact().preprocessing();
        this.modelId = classifier.modelId();
    }

    /**
     * Loads a model directory; the returned model owns the classifier and closes it.
     *
     * @param directory a model directory written by training
     * @return the model
     * @throws XrayException naming the file when the directory is not a loadable model
     */
    public static ClassifierModel load(Path directory) {
        return load(directory, InferenceOptions.defaults());
    }

    /**
     * Loads a model directory with a precision and its accuracy guard; the returned model owns the
     * classifier and closes it.
     *
     * @param directory a model directory written by training
     * @param options the precision and the guard, see {@link Classifier#load(Path, InferenceOptions)}
     * @return the model
     * @throws XrayException naming the file when the directory is not a loadable model, or
     *     {@link io.xray.model.PrecisionRejectedException} when the guard refuses the precision
     */
    public static ClassifierModel load(Path directory, InferenceOptions options) {
        Classifier classifier = Classifier.load(directory, options);
        try {
            return new ClassifierModel(classifier, true);
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
    }

    /**
     * Wraps a classifier the caller keeps owning: {@link #close()} leaves it open.
     *
     * @param classifier a loaded classifier
     * @return the model
     */
    public static ClassifierModel of(Classifier classifier) {
        return new ClassifierModel(classifier, false);
    }

    /** @return the classifier this model calls */
    public Classifier classifier() {
        return classifier;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    @Override
    public double threshold() {
        return classifier.threshold();
    }

    @Override
    public double[] predictProbabilities(float[][] chwBatch) {
        return classifier.probabilities(chwBatch);
    }

    /** Grad-CAM (or gradient x input) through {@link Classifier#explain(BufferedImage)}; thread-safe. */
    @Override
    public Explanation explain(BufferedImage image) {
        return classifier.explain(image);
    }

    /** Batched through {@link Classifier#explainAll(List)}: one backward pass per batch. */
    @Override
    public List<Explanation> explainAll(List<BufferedImage> images) {
        return classifier.explainAll(images);
    }

    @Override
    public Optional<ModelArtifact> artifact() {
        return Optional.of(classifier.artifact());
    }

    /** Closes the classifier when this model loaded it. */
    @Override
    public void close() {
        if (owned) {
            classifier.close();
        }
    }

    @Override
    public String toString() {
        return "ClassifierModel[" + modelId + ", " + classifier.directory() + "]";
    }
}
