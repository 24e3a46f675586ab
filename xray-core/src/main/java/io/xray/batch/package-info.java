/**
 * Batch scoring: {@link io.xray.batch.BatchTransformer} runs a model over a folder, manifest or
 * data set and writes SageMaker-style {@code <input>.out} results, a JSON Lines summary and, with
 * labels, metrics and a confusion-matrix picture; {@link io.xray.batch.BatchResult} says what a
 * run did. Runs resume: a re-run skips the inputs already scored by the same model.
 */
package io.xray.batch;
