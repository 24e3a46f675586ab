package io.xray.sagemaker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;

/**
 * A training job that exists on SageMaker, started by {@link SageMakerEstimator#fit()} or
 * attached by name with {@link #attach}. {@link #waitForCompletion()} polls it until it ends and
 * returns only for {@code Completed}: {@code Failed} and {@code Stopped} both throw
 * {@link TrainingJobFailedException} with SageMaker's FailureReason (the SDK's own waiter, like the
 * Python SDK's once did, counts {@code Stopped} as done).
 */
public final class TrainingJob {

    /** The default time between two DescribeTrainingJob calls. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    private final SageMakerSession session;
    private final String name;
    private final String arn;

    TrainingJob(SageMakerSession session, String name, String arn) {
        this.session = session;
        this.name = name;
        this.arn = arn;
    }

    /**
     * @param session the session
     * @param jobName an existing job's name
     * @return a handle on it (nothing is called yet)
     */
    public static TrainingJob attach(SageMakerSession session, String jobName) {
        Objects.requireNonNull(session, "session");
        return new TrainingJob(session, JobNames.require("jobName", jobName, JobNames.TRAINING_JOB_MAX), null);
    }

    /** @return the job's name */
    public String name() {
        return name;
    }

    /** @return the job's ARN, when it was started here */
    public String arn() {
        return arn;
    }

    /**
     * @return SageMaker's description of the job now
     * @throws SageMakerException when the call fails (a missing job is a {@code ValidationException})
     */
    public DescribeTrainingJobResponse describe() {
        try {
            return session.sageMaker().describeTrainingJob(r -> r.trainingJobName(name));
        } catch (SdkException e) {
            throw AwsErrors.translate("DescribeTrainingJob", name, e);
        }
    }

    /** Asks SageMaker to stop the job; the container gets SIGTERM and leaves its checkpoint. */
    public void stop() {
        try {
            session.sageMaker().stopTrainingJob(r -> r.trainingJobName(name));
        } catch (SdkException e) {
            throw AwsErrors.translate("StopTrainingJob", name, e);
        }
    }

    /**
     * Waits with {@link #DEFAULT_POLL_INTERVAL}, logging every change of state, without a time limit.
     *
     * @return the completed job
     * @throws TrainingJobFailedException when the job ends {@code Failed} or {@code Stopped}
     */
    public TrainingJobResult waitForCompletion() {
        return waitForCompletion(DEFAULT_POLL_INTERVAL, null, p -> { });
    }

    /**
     * Polls the job until it ends.
     *
     * @param pollInterval the time between two calls
     * @param timeout how long to wait at most; null for no limit
     * @param progress hears every change of status or secondary status
     * @return the completed job, with its model's S3 URI and final metrics
     * @throws TrainingJobFailedException when the job ends {@code Failed} or {@code Stopped}
     * @throws SageMakerException when it is still running after {@code timeout}, or a call fails
     */
    public TrainingJobResult waitForCompletion(Duration pollInterval, Duration timeout, Consumer<TrainingJobProgress> progress) {
        return waitForCompletion(pollInterval, timeout, progress, job -> { });
    }

    /**
     * The waiter, with a hook that sees every description before it is judged (the SageMaker trial
     * runner reads the job's log there, and may stop the job).
     */
    TrainingJobResult waitForCompletion(Duration pollInterval, Duration timeout, Consumer<TrainingJobProgress> progress,
            Consumer<DescribeTrainingJobResponse> eachPoll) {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(progress, "progress");
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        TrainingJobProgress last = null;
        while (true) {
            DescribeTrainingJobResponse job = describe();
            eachPoll.accept(job);
            TrainingJobProgress now = new TrainingJobProgress(name, job.trainingJobStatusAsString(),
                    job.secondaryStatusAsString(), lastMessage(job.secondaryStatusTransitions()));
            if (!now.equals(last)) {
                LOG.info("Training job {}: {} / {}{}", name, now.status(), now.secondaryStatus(),
                        now.message().isEmpty() ? "" : " - " + now.message());
                progress.accept(now);
                last = now;
            }
            String status = job.trainingJobStatusAsString();
            switch (status == null ? "" : status) {
                case "Completed" -> {
                    return result(job);
                }
                case "Failed", "Stopped" -> throw new TrainingJobFailedException(name, status,
                        job.secondaryStatusAsString(), job.failureReason());
                default -> {
                    // InProgress, Stopping: keep polling
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new SageMakerException("training job " + name + " is still " + status + " after " + timeout
                        + "; it keeps running (stop it with TrainingJob.stop())");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SageMakerException("interrupted while waiting for training job " + name + "; it keeps running", e);
            }
        }
    }

    private static String lastMessage(List<SecondaryStatusTransition> transitions) {
        if (transitions == null || transitions.isEmpty()) {
            return "";
        }
        String message = transitions.get(transitions.size() - 1).statusMessage();
        return message == null ? "" : message;
    }

    static TrainingJobResult result(DescribeTrainingJobResponse job) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (MetricData point : job.finalMetricDataList()) {
            if (point.metricName() != null && point.value() != null) {
                // SageMaker's values are 32-bit floats: keep their decimal spelling (0.9412, not 0.94120001...)
                metrics.put(point.metricName(), Double.valueOf(point.value().toString()));
            }
        }
        return new TrainingJobResult(job.trainingJobName(),
                job.modelArtifacts() == null ? null : job.modelArtifacts().s3ModelArtifacts(),
                metrics, job.trainingTimeInSeconds(), job.billableTimeInSeconds());
    }

    @Override
    public String toString() {
        return "TrainingJob{" + name + "}";
    }
}
