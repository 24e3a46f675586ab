/**
 * Not public API: the network (DJL blocks, TorchScript and model-zoo backbones, weight files),
 * its BatchNorm-folded inference path, native buffers and atomic file writes. Classes here may
 * change in any release; use {@code io.xray.model.Classifier} and {@code io.xray.train} instead.
 * The architecture tests keep the command line and the examples off this package.
 */
package io.xray.internal;
