/**
 * Serving a model over HTTP with SageMaker's inference container contract: {@link
 * io.xray.serve.ModelServer} ({@code /ping}, {@code /invocations}, {@code /execution-parameters},
 * {@code /metrics}) on Undertow, with dynamic batching, bounded inputs and JSON errors; the
 * {@link io.xray.serve.InferenceModel} view of a classifier it depends on, with
 * {@link io.xray.serve.ClassifierModel} adapting a trained {@code Classifier} to it; and the
 * {@link io.xray.serve.UrlFetchPolicy} that governs the optional image-URL requests; and
 * {@link io.xray.serve.ServerEnvironment}, SageMaker's serving environment variables applied to a
 * server's builder.
 */
package io.xray.serve;
