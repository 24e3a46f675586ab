/**
 * Calling a model the way a client calls a SageMaker endpoint: {@code EndpointPredictor} with
 * pluggable serializers and deserializers over an in-process or HTTP transport. The wire formats
 * live in {@link io.xray.codec}, shared with the server and batch scoring.
 */
package io.xray.predict;
