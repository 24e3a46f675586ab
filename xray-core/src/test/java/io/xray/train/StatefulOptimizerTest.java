package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class StatefulOptimizerTest {

    /** Runs steps 1..steps on weight with a fixed gradient; returns the weight. */
    private static float[] train(StatefulOptimizer optimizer, NDArray weight, NDArray grad, int fromStep, int toStep) {
        for (int t = fromStep; t <= toStep; t++) {
            optimizer.setStep(t);
            optimizer.setLearningRate(0.01f);
            optimizer.update("layer.weight", weight, grad);
        }
        return weight.toFloatArray();
    }

    @Test
    void stateSavedAndRestored_shouldContinueExactlyAsWithoutInterruption() {
        for (OptimizerKind kind : OptimizerKind.values()) {
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray grad = manager.randomNormal(new Shape(4, 3));
                NDArray start = manager.randomNormal(new Shape(4, 3));

                NDArray straight = start.duplicate();
                StatefulOptimizer uninterrupted = StatefulOptimizer.create(kind, manager, 0.01f, 0.9f);
                float[] expected = train(uninterrupted, straight, grad, 1, 6);

                NDArray resumed = start.duplicate();
                StatefulOptimizer first = StatefulOptimizer.create(kind, manager, 0.01f, 0.9f);
                train(first, resumed, grad, 1, 3);
                byte[] saved = first.stateArrays().encode();
                StatefulOptimizer second = StatefulOptimizer.create(kind, manager, 0.01f, 0.9f);
                second.restoreState(NDList.decode(manager, saved));
                float[] actual = train(second, resumed, grad, 4, 6);

                assertThat(actual).as(kind.name()).containsExactly(expected);
                assertThat(actual).as(kind.name()).isNotEqualTo(start.toFloatArray());
            }
        }
    }

    @Test
    void adamW_shouldDecayWeightsEvenWithZeroGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weight = manager.ones(new Shape(2, 2));
            StatefulOptimizer adamW = StatefulOptimizer.create(OptimizerKind.ADAMW, manager, 0.5f, 0.9f);
            float[] after = train(adamW, weight, manager.zeros(new Shape(2, 2)), 1, 1);
            assertThat(after[0]).isEqualTo(1f - 0.01f * 0.5f);
        }
    }
}
