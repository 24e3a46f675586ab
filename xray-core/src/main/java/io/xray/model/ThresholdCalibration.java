package io.xray.model;

import io.xray.metrics.BinaryMetrics;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The images a model's decision threshold was chosen on, when that was not its validation split:
 * a {@code calibration} split set aside from the test images (see
 * {@link io.xray.data.Dataset#withTestMovedToCalibration}). The model keeps their SHA-256 so that
 * whoever measures it on test can leave them out: an image that chose the threshold says nothing
 * honest about how well that threshold generalises.
 *
 * @param split the split the threshold was chosen on, {@code calibration}
 * @param images the number of images
 * @param pneumonia how many of them are PNEUMONIA
 * @param metrics the metrics on these images at the chosen threshold
 * @param sha256 the distinct SHA-256 of the images' bytes, sorted (byte-identical copies share one)
 */
public record ThresholdCalibration(
        String split, int images, int pneumonia, BinaryMetrics metrics, List<String> sha256) {

    /** Checks the counts; keeps each hash once, sorted. */
    public ThresholdCalibration {
        Objects.requireNonNull(split, "split");
        sha256 = sha256 == null ? List.of() : List.copyOf(new TreeSet<>(sha256));
        if (images < 1 || pneumonia < 0 || pneumonia > images) {
            throw new IllegalArgumentException("calibration counts out of range: " + images + " images, "
                    + pneumonia + " PNEUMONIA");
        }
    }

    /** @return the hashes as a set, for leaving these images out of an evaluation */
    public Set<String> sha256Set() {
        return Set.copyOf(sha256);
    }
}
