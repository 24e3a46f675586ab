/**
 * Wire formats shared by the model server, the prediction client and batch scoring: NumPy's
 * {@code .npy} tensors ({@link io.xray.codec.Npy}, never unpickling object arrays) and the
 * predictions JSON body ({@link io.xray.codec.PredictionsJson}).
 */
package io.xray.codec;
