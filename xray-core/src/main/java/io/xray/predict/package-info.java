/**
 * Calling a model the way a client calls a SageMaker endpoint: {@code EndpointPredictor} with
 * pluggable serializers and deserializers over an in-process or HTTP transport, and the
 * {@link io.xray.predict.Npy} reader/writer that both the client and the server use.
 */
package io.xray.predict;
