package io.xray.serve;

import io.xray.image.Preprocessing;
import io.xray.model.Explanation;
import io.xray.model.ModelArtifact;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The narrow view of a trained classifier that {@link ModelServer} and the in-process
 * {@code EndpointPredictor} need: its identity, its own {@link Preprocessing}, its decision
 * threshold and a batched forward pass over already-preprocessed tensors.
 *
 * <p>Implementations must tolerate being called from one thread at a time (the server calls
 * {@link #predictProbabilities} from a single model thread); they need not be thread-safe.
 */
public interface InferenceModel extends AutoCloseable {

    /** @return a stable identifier of the model, reported with every prediction */
    String modelId();

    /** @return the preprocessing the model was trained with; it fixes the expected tensor shape */
    Preprocessing preprocessing();

    /** @return the probability at or above which an image is labelled pneumonia, in [0, 1] */
    double threshold();

    /**
     * Runs the model on a batch of preprocessed images.
     *
     * @param chwBatch one {@code float[3 * crop * crop]} per image, channel-major (CHW), as produced
     *     by {@link Preprocessing#toChw(java.awt.image.BufferedImage)}; never empty
     * @return one probability of pneumonia per image, in the same order
     */
    double[] predictProbabilities(float[][] chwBatch);

    /**
     * Explains one decoded image: its prediction and a heat map of where the evidence was
     * ({@link io.xray.model.Classifier#explain(java.awt.image.BufferedImage)}). Unlike
     * {@link #predictProbabilities}, the in-process {@link Invocations#invoke(byte[], String, String, boolean)}
     * calls it from the caller's thread, the server through {@link #explainAll}; a model that
     * cannot explain keeps this default, and the server answers 501.
     *
     * @param image the decoded request image
     * @return the explanation
     * @throws UnsupportedOperationException when the model cannot explain its predictions
     */
    default Explanation explain(BufferedImage image) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot explain its predictions");
    }

    /**
     * Explains decoded images as one batch; by default one {@link #explain} after another. The
     * server calls it from one explanation thread at a time.
     *
     * @param images the decoded request images
     * @return their explanations, in order
     * @throws UnsupportedOperationException when the model cannot explain its predictions
     */
    default List<Explanation> explainAll(List<BufferedImage> images) {
        List<Explanation> explanations = new ArrayList<>(images.size());
        for (BufferedImage image : images) {
            explanations.add(explain(image));
        }
        return explanations;
    }

    /** @return the model's description ({@code model.json}) when it has one; default empty */
    default Optional<ModelArtifact> artifact() {
        return Optional.empty();
    }

    /** Releases the model's native resources; no checked exception. */
    @Override
    void close();
}
