package io.xray.debug;

import java.util.List;

/**
 * What the training loop knows after one step. The lists are empty on steps that were not sampled.
 *
 * @param step the 1-based global step
 * @param epoch the 1-based epoch
 * @param loss the batch's mean loss
 * @param labels the batch's labels, 0 or 1
 * @param logits the batch's logits in training mode, or {@code null} when not measured
 * @param gradients every trainable parameter's gradient, before the update
 * @param weights every trainable parameter's weight, before the update
 * @param activations every ReLU layer (from-scratch networks only)
 */
public record StepObservation(
        long step,
        int epoch,
        double loss,
        float[] labels,
        float[] logits,
        List<TensorStatistics> gradients,
        List<TensorStatistics> weights,
        List<ActivationStatistics> activations) {

    /** Copies the lists. */
    public StepObservation {
        gradients = List.copyOf(gradients);
        weights = List.copyOf(weights);
        activations = List.copyOf(activations);
    }

    /** @return whether gradients, weights or activations were measured on this step */
    public boolean sampled() {
        return !gradients.isEmpty() || !weights.isEmpty() || !activations.isEmpty();
    }
}
