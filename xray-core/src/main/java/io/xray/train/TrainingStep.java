package io.xray.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.xray.internal.Network;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * One optimisation step on one batch: forward in training mode, binary cross-entropy from the
 * logit with a positive-class weight, backward, and the optimiser's update of every trainable
 * parameter. Every array of the batch lives in a manager closed at the end of the step, so memory
 * and speed do not drift over thousands of steps.
 */
final class TrainingStep {

    private final Network network;
    private final StatefulOptimizer optimizer;
    private final float positiveClassWeight;
    private Map<String, Parameter> trainable;

    TrainingStep(Network network, StatefulOptimizer optimizer, float positiveClassWeight) {
        this.network = network;
        this.optimizer = optimizer;
        this.positiveClassWeight = positiveClassWeight;
    }

    /**
     * Runs one step.
     *
     * @param chw {@code count} preprocessed images of {@code 3 x size x size}
     * @param labels 0 or 1 per image
     * @param count the batch size
     * @param size the images' height and width
     * @param step the 1-based global step number
     * @param learningRate the learning rate of this step
     * @return the batch's mean loss
     */
    float run(float[] chw, float[] labels, int count, int size, long step, float learningRate) {
        if (trainable == null) {
            trainable = network.trainableParameters();
        }
        if (!network.isTrainingMode()) {
            network.setTrainingMode(true);
        }
        optimizer.setLearningRate(learningRate);
        optimizer.setStep(step);
        try (NDManager batch = network.manager().newSubManager()) {
            NDArray images = batch.create(FloatBuffer.wrap(chw), new Shape(count, 3, size, size));
            NDArray targets = batch.create(labels);
            float loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray lossArray = loss(network.logits(images), targets, positiveClassWeight);
                collector.backward(lossArray);
                loss = lossArray.getFloat();
            }
            for (Map.Entry<String, Parameter> entry : trainable.entrySet()) {
                NDArray weight = entry.getValue().getArray();
                NDArray gradient = weight.getGradient();
                try {
                    optimizer.update(entry.getKey(), weight, gradient);
                } finally {
                    gradient.close();
                }
            }
            return loss;
        }
    }

    /**
     * Binary cross-entropy computed from logits in the numerically stable form
     * {@code max(z, 0) - z * y + log(1 + exp(-|z|))}, each positive weighted by
     * {@code positiveClassWeight} (PyTorch's {@code pos_weight}), averaged over the batch.
     */
    static NDArray loss(NDArray logits, NDArray targets, float positiveClassWeight) {
        NDArray perImage = logits.maximum(0f)
                .sub(logits.mul(targets))
                .add(logits.abs().neg().exp().add(1f).log());
        if (positiveClassWeight != 1f) {
            perImage = perImage.mul(targets.mul(positiveClassWeight - 1f).add(1f));
        }
        return perImage.mean();
    }

    /** The same loss computed in Java from logits, for validation. */
    static double loss(float[] logits, int[] labels, double positiveClassWeight) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double z = logits[i];
            double l = Math.max(z, 0) - z * labels[i] + Math.log1p(Math.exp(-Math.abs(z)));
            sum += labels[i] == 1 ? l * positiveClassWeight : l;
        }
        return logits.length == 0 ? Double.NaN : sum / logits.length;
    }
}
