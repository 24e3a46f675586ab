package io.xray.model;

import io.xray.data.Label;

/**
 * One image's classification.
 *
 * @param label {@link Label#PNEUMONIA} when {@code probability >= threshold}, else {@link Label#NORMAL}
 * @param probability the model's probability of pneumonia
 * @param threshold the model's decision threshold
 */
public record Prediction(Label label, double probability, double threshold) {

    /**
     * @param probability the probability of pneumonia
     * @param threshold the decision threshold
     * @return the prediction those imply
     */
    public static Prediction of(double probability, double threshold) {
        return new Prediction(probability >= threshold ? Label.PNEUMONIA : Label.NORMAL, probability, threshold);
    }
}
