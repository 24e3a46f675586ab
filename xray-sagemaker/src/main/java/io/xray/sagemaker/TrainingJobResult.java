package io.xray.sagemaker;

import java.util.Map;
import java.util.Optional;

/**
 * A completed training job.
 *
 * @param jobName the job
 * @param modelArtifacts the S3 URI of its {@code model.tar.gz}
 * @param finalMetrics the final value of each metric definition, as SageMaker reports them
 *     ({@link TrainingMetrics} names)
 * @param trainingSeconds the job's training time
 * @param billableSeconds the billed time (less than the training time with managed spot)
 */
public record TrainingJobResult(String jobName, String modelArtifacts, Map<String, Double> finalMetrics,
        Integer trainingSeconds, Integer billableSeconds) {

    /** Copies the metrics. */
    public TrainingJobResult {
        finalMetrics = Map.copyOf(finalMetrics);
    }

    /**
     * @param name a metric name, e.g. {@link TrainingMetrics#BEST_VALIDATION_F1}
     * @return its final value, when SageMaker reported one
     */
    public Optional<Double> metric(String name) {
        return Optional.ofNullable(finalMetrics.get(name));
    }
}
