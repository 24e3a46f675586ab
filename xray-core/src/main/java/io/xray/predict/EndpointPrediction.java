package io.xray.predict;

/**
 * One image's answer from an endpoint's JSON response.
 *
 * @param label {@code "PNEUMONIA"} or {@code "NORMAL"}
 * @param probability the probability of pneumonia
 * @param threshold the model's decision threshold
 * @param modelId the model that answered
 */
public record EndpointPrediction(String label, double probability, double threshold, String modelId) {
}
