package io.xray.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.xray.debug.TensorStatistics;
import io.xray.internal.Network;
import io.xray.internal.ReluStatistics;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
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
    private Inspection lastInspection;

    /**
     * What a step measured for the debugger: the training-mode logits, and on sampled steps every
     * trainable parameter's gradient and weight before the update and the ReLUs' statistics.
     */
    record Inspection(float[] logits, List<TensorStatistics> gradients, List<TensorStatistics> weights,
            List<ReluStatistics> relus, long nanos) {}

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
        return run(chw, labels, count, size, step, learningRate, false, false);
    }

    /**
     * Runs one step, measuring for the debugger as asked; {@link #lastInspection()} holds what was measured.
     *
     * @param inspect measure gradients, weights and ReLUs on this step
     * @param keepLogits keep the batch's training-mode logits
     */
    float run(float[] chw, float[] labels, int count, int size, long step, float learningRate,
            boolean inspect, boolean keepLogits) {
        lastInspection = null;
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
            float[] logitValues = null;
            List<ReluStatistics> relus = List.of();
            long inspectNanos = 0;
            if (inspect) {
                network.measureReluOnNextForward();
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = network.logits(images);
                NDArray lossArray = loss(logits, targets, positiveClassWeight);
                collector.backward(lossArray);
                loss = lossArray.getFloat();
                long start = System.nanoTime();
                if (inspect) {
                    relus = network.takeReluStatistics();
                }
                if (keepLogits) {
                    logitValues = logits.toFloatArray();
                }
                inspectNanos += System.nanoTime() - start;
            }
            List<TensorStatistics> gradients = new ArrayList<>();
            List<TensorStatistics> weights = new ArrayList<>();
            for (Map.Entry<String, Parameter> entry : trainable.entrySet()) {
                NDArray weight = entry.getValue().getArray();
                NDArray gradient = weight.getGradient();
                if (inspect) {
                    long start = System.nanoTime();
                    gradients.add(statistics(entry.getKey(), gradient));
                    weights.add(statistics(entry.getKey(), weight));
                    inspectNanos += System.nanoTime() - start;
                }
                try {
                    optimizer.update(entry.getKey(), weight, gradient);
                } finally {
                    gradient.close();
                }
            }
            if (inspect || keepLogits) {
                lastInspection = new Inspection(logitValues, gradients, weights, relus, inspectNanos);
            }
            return loss;
        }
    }

    /** @return what the last step measured, or null when it measured nothing */
    Inspection lastInspection() {
        return lastInspection;
    }

    /** Mean |x|; it is NaN when a value is NaN and infinite when one is infinite. */
    private static TensorStatistics statistics(String name, NDArray array) {
        // Both results are closed here: a weight's derived arrays would otherwise live as long as the network.
        // The L1 norm of a flat view, one pass without a copy of the tensor.
        try (NDArray flat = array.reshape(-1); NDArray l1 = flat.norm(1, new int[] {0}, false)) {
            double value = l1.getFloat() / Math.max(1, array.size());
            return new TensorStatistics(name, value, Double.isNaN(value), Double.isInfinite(value));
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
