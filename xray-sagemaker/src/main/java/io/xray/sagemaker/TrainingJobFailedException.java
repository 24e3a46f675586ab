package io.xray.sagemaker;

import java.util.Optional;

/**
 * A training job that ended without a model: {@code Failed}, or {@code Stopped} (by
 * {@code StopTrainingJob}, the console, or its stopping condition), which is not a success either.
 */
public class TrainingJobFailedException extends SageMakerException {
    private static final long serialVersionUID = 1L;

    private final String jobName;
    private final String status;
    private final String failureReason;

    /**
     * @param jobName the job
     * @param status its final status, {@code Failed} or {@code Stopped}
     * @param secondaryStatus its last secondary status, or null
     * @param failureReason SageMaker's FailureReason (the first 1,024 characters of the container's
     *     {@code /opt/ml/output/failure}), or null
     */
    public TrainingJobFailedException(String jobName, String status, String secondaryStatus, String failureReason) {
        super("training job " + jobName + " ended " + status
                + (secondaryStatus != null && !secondaryStatus.equals(status) ? " (" + secondaryStatus + ")" : "")
                + (failureReason != null ? ": " + failureReason : "Stopped".equals(status)
                        ? ": it was stopped before it completed, so it has no model" : ""));
        this.jobName = jobName;
        this.status = status;
        this.failureReason = failureReason;
    }

    /** @return the job's name */
    public String jobName() {
        return jobName;
    }

    /** @return {@code Failed} or {@code Stopped} */
    public String status() {
        return status;
    }

    /** @return SageMaker's FailureReason, when it gave one */
    public Optional<String> failureReason() {
        return Optional.ofNullable(failureReason);
    }
}
