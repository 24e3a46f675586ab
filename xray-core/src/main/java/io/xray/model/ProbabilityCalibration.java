package io.xray.model;

import io.xray.metrics.ReliabilityTable;
import io.xray.metrics.TemperatureScaling;
import java.util.Objects;

/**
 * How a model's logits become calibrated probabilities of pneumonia: {@code p = sigmoid(logit /
 * temperature + offset)}, fitted at the end of training on the validation split, or on the
 * calibration split when the data had one. Method {@value #PLATT} (what training fits) has both
 * ({@link TemperatureScaling#fitWithOffset}); method {@value #TEMPERATURE} is temperature scaling
 * alone, offset 0 ({@link TemperatureScaling#fit}). {@link Classifier} applies it to every probability it returns, and the model's threshold
 * is in the same, calibrated, probability space. A model without it (made before xray fitted
 * temperatures) has temperature 1: plain {@code sigmoid(logit)}.
 *
 * <p>The expected calibration errors are over {@value ReliabilityTable#DEFAULT_BINS} equal-width
 * bins ({@link ReliabilityTable}), before (temperature 1) and after scaling. When the temperature
 * was fitted on validation, the figures on the fitted images and on validation are the same.
 *
 * @param method {@value #PLATT} or {@value #TEMPERATURE}
 * @param temperature the temperature, positive
 * @param offset added to {@code logit / temperature}; 0 for {@value #TEMPERATURE}
 * @param fittedOn the split the temperature was fitted on: {@code val} or {@code calibration}
 * @param images how many images it was fitted on
 * @param eceBefore the ECE on those images before scaling
 * @param eceAfter the ECE on those images after scaling
 * @param validationEceBefore the ECE on the validation split before scaling
 * @param validationEceAfter the ECE on the validation split after scaling
 */
public record ProbabilityCalibration(
        String method,
        double temperature,
        double offset,
        String fittedOn,
        int images,
        double eceBefore,
        double eceAfter,
        double validationEceBefore,
        double validationEceAfter) {

    /** The name of the temperature-scaling method in {@value ModelArtifact#FILE_NAME}. */
    public static final String TEMPERATURE = "temperature";
    /** The name of Platt scaling, a temperature and an offset, in {@value ModelArtifact#FILE_NAME}. */
    public static final String PLATT = "platt";

    /**
     * Refuses an unknown method or a temperature that is not positive and finite.
     *
     * @param method see {@link #method()}
     * @param temperature see {@link #temperature()}
     * @param offset see {@link #offset()}
     * @param fittedOn see {@link #fittedOn()}
     * @param images see {@link #images()}
     * @param eceBefore see {@link #eceBefore()}
     * @param eceAfter see {@link #eceAfter()}
     * @param validationEceBefore see {@link #validationEceBefore()}
     * @param validationEceAfter see {@link #validationEceAfter()}
     */
    public ProbabilityCalibration {
        if (!TEMPERATURE.equals(method) && !PLATT.equals(method)) {
            throw new IllegalArgumentException("probability calibration method '" + method + "' is not known to this"
                    + " xray (it knows '" + PLATT + "' and '" + TEMPERATURE + "'); upgrade xray");
        }
        if (!Double.isFinite(offset) || (TEMPERATURE.equals(method) && offset != 0)) {
            throw new IllegalArgumentException("offset is " + offset + "; it must be finite, and 0 for '"
                    + TEMPERATURE + "'");
        }
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature is " + temperature + "; it must be positive and finite");
        }
        Objects.requireNonNull(fittedOn, "fittedOn");
        if (images < 1) {
            throw new IllegalArgumentException("images is " + images + "; a temperature is fitted on at least one image");
        }
    }

    /**
     * @param logit the network's logit for an image
     * @return its calibrated probability of pneumonia, {@code sigmoid(logit / temperature + offset)}
     */
    public double probability(double logit) {
        return TemperatureScaling.probability(logit, temperature, offset);
    }
}
