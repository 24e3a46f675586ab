package io.xray.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation-mode forward pass of a from-scratch ResNet18 ({@link Network#resNet18FromScratch})
 * with every BatchNorm folded into the convolution before it: in evaluation mode BatchNorm is the
 * affine map {@code y = gamma (x - mean) / sqrt(var + eps) + beta}, so the convolution's weights
 * are scaled by {@code s = gamma / sqrt(var + eps)} per output channel and given the bias
 * {@code beta - mean s}. One convolution with a bias replaces a convolution and a BatchNorm pass
 * over each activation, and the result is the same up to float rounding.
 *
 * <p>The folded weights are a snapshot of the trained parameters, computed in Java from DJL's
 * parameter arrays: a snapshot goes stale when the parameters change, so {@link Network} drops it
 * when it returns to training mode. Each intermediate activation is closed as soon as the next one
 * is computed, so a batch holds a few activations at a time rather than all of them.
 */
final class FoldedResNet implements AutoCloseable {

    record Conv(NDArray weight, NDArray bias, Shape stride, Shape padding) {
        NDArray apply(NDArray input) {
            return Conv2d.conv2d(input, weight, bias, stride, padding, new Shape(1, 1)).singletonOrThrow();
        }
    }

    /** A residual block: two convolutions and, when the shape changes, a 1x1 shortcut convolution (else null). */
    record BasicBlock(Conv first, Conv second, Conv shortcut) {}

    private final NDManager manager;
    private final Conv stem;
    private final List<BasicBlock> blocks;
    private final NDArray headWeight;
    private final NDArray headBias;

    private FoldedResNet(NDManager manager, Conv stem, List<BasicBlock> blocks, NDArray headWeight, NDArray headBias) {
        this.manager = manager;
        this.stem = stem;
        this.blocks = blocks;
        this.headWeight = headWeight;
        this.headBias = headBias;
    }

    /** @return the folded stem convolution */
    Conv stem() {
        return stem;
    }

    /** @return the residual blocks, in order */
    List<BasicBlock> blocks() {
        return blocks;
    }

    /** @return the head's weight, {@code (1, C)} */
    NDArray headWeight() {
        return headWeight;
    }

    /** @return the head's bias, {@code (1)} */
    NDArray headBias() {
        return headBias;
    }

    /**
     * Folds a network's current parameters.
     *
     * @param backbone the backbone as {@link Network} builds it for {@link BackboneKind#RESNET18_SCRATCH}
     * @param head the one-logit linear head
     * @param parent the manager under which the folded arrays are kept
     * @param epsilon the BatchNorm epsilon
     * @return the folded network
     * @throws IllegalArgumentException when the backbone is not laid out as expected
     */
    static FoldedResNet fold(Block backbone, Block head, NDManager parent, float epsilon) {
        NDManager manager = parent.newSubManager();
        try {
            BlockList top = backbone.getChildren();
            if (top.size() != 7) {
                throw new IllegalArgumentException("expected stem, 4 stages, pool and flatten; got " + top.size() + " blocks");
            }
            BlockList stemBlocks = top.get(0).getValue().getChildren();
            Conv stem = foldPair(stemBlocks.get(0).getValue(), stemBlocks.get(1).getValue(), manager, epsilon);
            List<BasicBlock> blocks = new ArrayList<>();
            for (int stage = 1; stage <= 4; stage++) {
                for (var pair : top.get(stage).getValue().getChildren()) {
                    if (!(pair.getValue() instanceof ParallelBlock parallel)) {
                        throw new IllegalArgumentException("expected a residual block, got " + pair.getValue());
                    }
                    BlockList branches = parallel.getChildren();
                    BlockList residual = branches.get(0).getValue().getChildren();
                    BlockList shortcut = branches.get(1).getValue().getChildren();
                    Conv first = foldPair(residual.get(0).getValue(), residual.get(1).getValue(), manager, epsilon);
                    Conv second = foldPair(residual.get(3).getValue(), residual.get(4).getValue(), manager, epsilon);
                    Conv down = shortcut.size() == 2
                            ? foldPair(shortcut.get(0).getValue(), shortcut.get(1).getValue(), manager, epsilon)
                            : null;
                    blocks.add(new BasicBlock(first, second, down));
                }
            }
            if (!(head instanceof Linear)) {
                throw new IllegalArgumentException("expected a linear head, got " + head);
            }
            NDArray headWeight;
            NDArray headBias;
            try (NDManager scratch = manager.newSubManager()) {
                headWeight = copy(parameter(head, "weight"), scratch).stopGradient();
                headBias = copy(parameter(head, "bias"), scratch).stopGradient();
                headWeight.attach(manager);
                headBias.attach(manager);
            }
            return new FoldedResNet(manager, stem, List.copyOf(blocks), headWeight, headBias);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Conv foldPair(Block convolution, Block normalization, NDManager manager, float epsilon) {
        if (!(convolution instanceof Conv2d conv) || !(normalization instanceof BatchNorm)) {
            throw new IllegalArgumentException("expected a convolution then a BatchNorm, got " + convolution + ", "
                    + normalization);
        }
        if (conv.isIncludeBias() || conv.getGroups() != 1 || conv.getDilation().get(0) != 1) {
            throw new IllegalArgumentException("expected a plain convolution without bias: " + conv);
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray weight = copy(parameter(conv, "weight"), scratch);
            NDArray gamma = copy(parameter(normalization, "gamma"), scratch);
            NDArray beta = copy(parameter(normalization, "beta"), scratch);
            NDArray mean = copy(parameter(normalization, "runningMean"), scratch);
            NDArray variance = copy(parameter(normalization, "runningVar"), scratch);
            NDArray scale = gamma.div(variance.add(epsilon).sqrt());
            // Detached: the snapshot must never join an autograd graph, whatever the thread's grad mode.
            NDArray foldedWeight = weight.mul(scale.reshape(-1, 1, 1, 1)).stopGradient();
            NDArray foldedBias = beta.sub(mean.mul(scale)).stopGradient();
            foldedWeight.attach(manager);
            foldedBias.attach(manager);
            return new Conv(foldedWeight, foldedBias, conv.getStride(), conv.getPadding());
        }
    }

    /**
     * Copies a parameter into a manager, so that every array computed from the copy is attached
     * there too (DJL attaches results to their first operand's manager), not to the network's.
     */
    private static NDArray copy(NDArray parameter, NDManager manager) {
        NDArray copy = parameter.duplicate();
        copy.attach(manager);
        return copy;
    }

    private static NDArray parameter(Block block, String name) {
        for (var pair : block.getParameters()) {
            if (pair.getKey().equals(name)) {
                Parameter parameter = pair.getValue();
                return parameter.getArray();
            }
        }
        throw new IllegalArgumentException(block + " has no parameter " + name);
    }

    /**
     * @param images {@code (N, 3, H, W)} float32; not closed
     * @return the logits, shape {@code (N)}, attached to the images' manager
     */
    NDArray logits(NDArray images) {
        NDArray features = features(images);
        NDArray logits = head(features);
        features.close();
        return logits;
    }

    /**
     * @param images {@code (N, 3, H, W)} float32; not closed
     * @return the last stage's ({@code layer4}'s) activation, {@code (N, C, h, w)}, after its ReLU
     */
    NDArray features(NDArray images) {
        NDArray x = stem.apply(images);
        // Max-pooling then ReLU equals ReLU then max-pooling (ReLU is monotonic), and the pooled
        // array is a quarter of the size: one pass over the largest activation saved.
        x = replace(x, Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false));
        x = replace(x, Activation.relu(x));
        for (BasicBlock block : blocks) {
            NDArray y = block.first().apply(x);
            y = replace(y, Activation.relu(y));
            y = replace(y, block.second().apply(y));
            if (block.shortcut() != null) {
                NDArray shortcut = block.shortcut().apply(x);
                y.addi(shortcut);
                shortcut.close();
            } else {
                y.addi(x);
            }
            x.close();
            x = replace(y, Activation.relu(y));
        }
        return x;
    }

    /**
     * @param features the last stage's activation, {@code (N, C, h, w)}; not closed
     * @return the logits, shape {@code (N)}: global average pool then the linear head
     */
    NDArray head(NDArray features) {
        long batch = features.getShape().get(0);
        NDArray x = Pool.globalAvgPool2d(features).reshape(batch, -1);
        NDArray logits = Linear.linear(x, headWeight, headBias).singletonOrThrow().reshape(batch);
        x.close();
        return logits;
    }

    /** Closes {@code old} (an intermediate no longer needed) and returns {@code next}. */
    private static NDArray replace(NDArray old, NDArray next) {
        if (old != next) {
            old.close();
        }
        return next;
    }

    @Override
    public void close() {
        manager.close();
    }
}
