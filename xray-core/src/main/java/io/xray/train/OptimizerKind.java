package io.xray.train;

/** The optimisers {@link ResNetFineTuner} offers. Each keeps its state where a checkpoint can save it. */
public enum OptimizerKind {
    /** Adam with L2 weight decay added to the gradient. */
    ADAM,
    /** Adam with decoupled weight decay (Loshchilov and Hutter), PyTorch's {@code AdamW}. */
    ADAMW,
    /** Stochastic gradient descent with momentum. */
    SGD_MOMENTUM
}
