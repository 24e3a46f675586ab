package io.xray.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.training.optimizer.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DJL optimiser whose state (moment estimates, momentum buffers) lives in maps keyed by the
 * parameter's stable name, so that a checkpoint can save it and a resumed run can restore it.
 * DJL's own optimisers keep that state private. The update itself is the engine's fused native
 * Adam or SGD kernel, as in DJL's optimisers, so it is no slower than theirs.
 *
 * <p>The learning rate is set by the trainer before each step ({@link #setLearningRate(float)});
 * the step count, which Adam's bias correction needs, is the trainer's global step.
 */
abstract class StatefulOptimizer extends Optimizer {

    /** Slot name to (parameter name to state array). */
    private final Map<String, Map<String, NDArray>> slots = new LinkedHashMap<>();
    private final NDManager stateManager;
    private final float weightDecay;
    private float learningRate;
    private long step;

    StatefulOptimizer(NDManager stateManager, float weightDecay) {
        super(new NoOptionsBuilder());
        this.stateManager = stateManager;
        this.weightDecay = weightDecay;
    }

    static StatefulOptimizer create(OptimizerKind kind, NDManager stateManager, float weightDecay, float momentum) {
        return switch (kind) {
            case ADAM -> new Adam(stateManager, weightDecay, false);
            case ADAMW -> new Adam(stateManager, weightDecay, true);
            case SGD_MOMENTUM -> new SgdMomentum(stateManager, weightDecay, momentum);
        };
    }

    /** @param learningRate the learning rate of the coming updates */
    void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    float learningRate() {
        return learningRate;
    }

    /** @param step the 1-based number of the update about to be applied */
    void setStep(long step) {
        this.step = step;
    }

    long step() {
        return step;
    }

    /**
     * Weight decay applies to convolution and linear weights only, not to biases nor BatchNorm
     * scales and shifts (one-dimensional parameters), as is usual for ResNets.
     */
    float weightDecayFor(NDArray weight) {
        return weight.getShape().dimension() > 1 ? weightDecay : 0f;
    }

    NDArray state(String slot, String parameterName, NDArray weight) {
        return slots.computeIfAbsent(slot, k -> new LinkedHashMap<>()).computeIfAbsent(parameterName, k -> {
            NDArray zeros = stateManager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
            zeros.setName(slot + "/" + parameterName);
            return zeros;
        });
    }

    /** @return every state array, named {@code slot/parameter}, in a stable order */
    NDList stateArrays() {
        NDList list = new NDList();
        for (Map.Entry<String, Map<String, NDArray>> slot : new TreeMap<>(slots).entrySet()) {
            for (Map.Entry<String, NDArray> entry : new TreeMap<>(slot.getValue()).entrySet()) {
                NDArray array = entry.getValue();
                array.setName(slot.getKey() + "/" + entry.getKey());
                list.add(array);
            }
        }
        return list;
    }

    /**
     * Replaces the state by arrays that {@link #stateArrays()} returned in an earlier run.
     *
     * @param arrays named state arrays
     */
    void restoreState(NDList arrays) {
        for (Map<String, NDArray> slot : slots.values()) {
            slot.values().forEach(NDArray::close);
        }
        slots.clear();
        for (NDArray array : arrays) {
            String name = array.getName();
            int slash = name.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("optimizer state array without slot: " + name);
            }
            array.attach(stateManager);
            slots.computeIfAbsent(name.substring(0, slash), k -> new LinkedHashMap<>())
                    .put(name.substring(slash + 1), array);
        }
    }

    /** Adam, or AdamW with decoupled weight decay, on the engine's fused kernel. */
    static final class Adam extends StatefulOptimizer {
        private static final float BETA1 = 0.9f;
        private static final float BETA2 = 0.999f;
        private static final float EPSILON = 1e-8f;
        private final boolean decoupled;

        Adam(NDManager stateManager, float weightDecay, boolean decoupled) {
            super(stateManager, weightDecay);
            this.decoupled = decoupled;
        }

        @Override
        public void update(String parameterName, NDArray weight, NDArray grad) {
            long t = Math.max(1, step());
            double correction1 = 1.0 - Math.pow(BETA1, t);
            double correction2 = 1.0 - Math.pow(BETA2, t);
            float lr = learningRate();
            float biasCorrected = (float) (lr * Math.sqrt(correction2) / correction1);
            NDArray mean = state("mean", parameterName, weight);
            NDArray variance = state("variance", parameterName, weight);
            NDArrayEx ex = weight.getNDArrayInternal();
            ex.adamUpdate(
                    new NDList(weight, grad, mean, variance),
                    new NDList(weight),
                    lr,
                    biasCorrected,
                    weightDecayFor(weight),
                    1f,
                    -1f,
                    BETA1,
                    BETA2,
                    EPSILON,
                    true,
                    decoupled);
        }
    }

    /** SGD with momentum: {@code v = momentum * v + lr * (g + wd * w); w -= v}. */
    static final class SgdMomentum extends StatefulOptimizer {
        private final float momentum;

        SgdMomentum(NDManager stateManager, float weightDecay, float momentum) {
            super(stateManager, weightDecay);
            this.momentum = momentum;
        }

        @Override
        public void update(String parameterName, NDArray weight, NDArray grad) {
            NDArray velocity = state("momentum", parameterName, weight);
            weight.getNDArrayInternal()
                    .sgdUpdate(
                            new NDList(weight, grad, velocity),
                            new NDList(weight),
                            learningRate(),
                            weightDecayFor(weight),
                            1f,
                            -1f,
                            momentum,
                            true);
        }
    }

    /** DJL's optimiser builder, with its own options unused (this class applies its own). */
    private static final class NoOptionsBuilder extends OptimizerBuilder<NoOptionsBuilder> {
        @Override
        protected NoOptionsBuilder self() {
            return this;
        }
    }
}
