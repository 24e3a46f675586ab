package io.xray.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * The ReLUs of a from-scratch network, measured on request: when armed, the next forward pass
 * records, for every ReLU, the share of positive outputs per channel and the variance of its
 * input. Disarmed, a ReLU is a plain ReLU. Recording happens on the training thread only.
 */
final class ReluProbe {

    private record Pending(String layer, NDArray channelActivity, NDArray inputMean, NDArray inputVariance) {}

    private boolean armed;
    private final List<Pending> pending = new ArrayList<>();

    /** @return a ReLU block (same name as DJL's, so saved parameters are unchanged) that reports here */
    Block reluBlock(String layer) {
        return new LambdaBlock(list -> new NDList(relu(layer, list.singletonOrThrow())), "ReLU");
    }

    /** ReLU of {@code x}, measured when armed. */
    NDArray relu(String layer, NDArray x) {
        NDArray y = x.getNDArrayInternal().relu();
        if (armed && x.getShape().dimension() == 4) {
            // Cheap reductions: the boolean mask summed per channel (no float copy of the activation),
            // and the variance as E[x^2] - E[x]^2.
            NDArray detached = x.stopGradient();
            ai.djl.ndarray.types.Shape shape = detached.getShape();
            float perChannel = shape.get(0) * shape.get(2) * shape.get(3);
            NDArray activity = detached.gt(0f).sum(new int[] {0, 2, 3}).toType(DataType.FLOAT32, false).div(perChannel);
            NDArray mean = detached.mean();
            NDArray variance = detached.square().mean().sub(mean.square());
            pending.add(new Pending(layer, activity, mean, variance));
        }
        return y;
    }

    /**
     * Moves the measurements taken so far into a manager, for a forward pass that closes each
     * layer's manager before {@link #take()} reads them.
     *
     * @param manager the manager that outlives the forward pass
     */
    void keepIn(NDManager manager) {
        for (Pending p : pending) {
            p.channelActivity().attach(manager);
            p.inputMean().attach(manager);
            p.inputVariance().attach(manager);
        }
    }

    void arm() {
        pending.clear();
        armed = true;
    }

    List<ReluStatistics> take() {
        armed = false;
        List<ReluStatistics> statistics = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            statistics.add(new ReluStatistics(p.layer(), p.channelActivity().toFloatArray(),
                    p.inputMean().getFloat(), p.inputVariance().getFloat()));
        }
        pending.clear();
        return List.copyOf(statistics);
    }
}
