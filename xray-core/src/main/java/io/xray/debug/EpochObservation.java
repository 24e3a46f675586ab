package io.xray.debug;

/**
 * What the training loop knows after one epoch's validation.
 *
 * @param epoch the 1-based epoch
 * @param step the global step at its end
 * @param trainLoss the mean loss of its training batches (under augmentation, in training mode)
 * @param comparableTrainLoss the loss on training images measured as validation is (no augmentation,
 *     evaluation mode), or NaN when not measured
 * @param validationLoss the validation loss
 */
public record EpochObservation(int epoch, long step, double trainLoss, double comparableTrainLoss, double validationLoss) {}
