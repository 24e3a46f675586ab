package io.xray.sagemaker;

/**
 * One change in a training job's state, as {@link TrainingJob#waitForCompletion} reports it.
 *
 * @param jobName the job
 * @param status {@code InProgress}, {@code Completed}, {@code Failed}, {@code Stopping} or {@code Stopped}
 * @param secondaryStatus the finer state: {@code Starting}, {@code Downloading}, {@code Training},
 *     {@code Interrupted} (spot), {@code Uploading}, ...
 * @param message SageMaker's description of the secondary status, or empty
 */
public record TrainingJobProgress(String jobName, String status, String secondaryStatus, String message) {
}
