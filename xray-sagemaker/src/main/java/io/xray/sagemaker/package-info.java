/**
 * xray on Amazon SageMaker, through the AWS SDK for Java v2.
 *
 * <ul>
 *   <li>{@link io.xray.sagemaker.SageMakerSession}: region, execution role, default bucket and the
 *       SDK clients (default credentials chain, throttling retried by the SDK's standard retry
 *       strategy, endpoint overrides for tests).
 *   <li>{@link io.xray.sagemaker.SageMakerContainer}: the container's two entrypoints,
 *       {@code train} and {@code serve}, over SageMaker's {@code /opt/ml} contract (the root is a
 *       parameter, so both run on any folder).
 *   <li>{@link io.xray.sagemaker.TuningJob}: SageMaker's own hyperparameter tuning job over an
 *       estimator, its result an {@link io.xray.tune.TuningResult} like local tuning's.
 *   <li>{@link io.xray.sagemaker.SageMakerTrialRunner}: xray's
 *       {@link io.xray.tune.HyperparameterTuner} with every trial a training job, per-epoch metrics
 *       from the job's CloudWatch Logs stream.
 *   <li>{@link io.xray.sagemaker.DatasetUpload}: a data set to S3, with checksums, skipping what is there.
 *   <li>{@link io.xray.sagemaker.EndpointDeployment}: model, endpoint configuration and endpoint; the
 *       {@link io.xray.sagemaker.Endpoint} it returns deletes them on close.
 *   <li>{@link io.xray.sagemaker.EndpointSweeper}: deletes xray's endpoints past their time-to-live or idle.
 *   <li>{@link io.xray.sagemaker.BatchTransformJob}: a transform job whose results come back as a
 *       {@link io.xray.batch.BatchResult}.
 *   <li>{@link io.xray.sagemaker.SageMakerRuntimeTransport}: the
 *       {@link io.xray.predict.EndpointTransport} that calls a SageMaker endpoint with
 *       {@code InvokeEndpoint}.
 *   <li>{@link io.xray.sagemaker.SageMakerEstimator}: a training job's definition (the
 *       estimator) built from a {@link io.xray.train.TrainingRecipe}, with managed spot,
 *       checkpoints and the metric definitions of {@link io.xray.sagemaker.TrainingMetrics};
 *       {@link io.xray.sagemaker.TrainingJob#waitForCompletion()} treats {@code Stopped} and
 *       {@code Failed} as failures.
 * </ul>
 */
package io.xray.sagemaker;
