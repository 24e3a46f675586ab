package io.xray.model;

import io.xray.explain.ColorMap;
import io.xray.explain.ExplanationMethod;
import io.xray.explain.HeatMap;
import io.xray.explain.Overlay;
import io.xray.image.GrayImage;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Objects;

/**
 * Why a classifier scored an image as it did: its {@link Prediction} (the same as
 * {@link Classifier#predict(BufferedImage)} gives for the image), a {@link HeatMap} at the image's
 * own resolution saying where the evidence for pneumonia was, how that map was computed
 * ({@link ExplanationMethod}), and an overlay picture. Immutable; made by
 * {@link Classifier#explain(BufferedImage)}.
 */
public final class Explanation {

    private final Prediction prediction;
    private final ExplanationMethod method;
    private final HeatMap heatMap;
    private final GrayImage image;

    Explanation(Prediction prediction, ExplanationMethod method, HeatMap heatMap, GrayImage image) {
        this.prediction = Objects.requireNonNull(prediction, "prediction");
        this.method = Objects.requireNonNull(method, "method");
        this.heatMap = Objects.requireNonNull(heatMap, "heatMap");
        this.image = Objects.requireNonNull(image, "image");
        if (heatMap.width() != image.width() || heatMap.height() != image.height()) {
            throw new IllegalArgumentException("heat map " + heatMap.width() + "x" + heatMap.height()
                    + " does not match the image " + image.width() + "x" + image.height());
        }
    }

    /** @return the prediction: label, probability, threshold */
    public Prediction prediction() {
        return prediction;
    }

    /** @return the probability of pneumonia, {@code prediction().probability()} */
    public double probability() {
        return prediction.probability();
    }

    /** @return how the heat map was computed; never claims Grad-CAM where it was not */
    public ExplanationMethod method() {
        return method;
    }

    /** @return the heat map, at the explained image's width and height */
    public HeatMap heatMap() {
        return heatMap;
    }

    /**
     * @return a new RGB image: the X-ray (in gray, as the model saw it) with the heat map in
     *     viridis over it, and a legend strip on the right captioned with the method and probability
     */
    public BufferedImage overlay() {
        String caption = String.format(Locale.ROOT, "%s, p=%.3f", method.displayName(), prediction.probability());
        return Overlay.render(image, heatMap, ColorMap.viridis(), caption);
    }

    /** @return {@link #overlay()} encoded as PNG */
    public byte[] overlayPng() {
        return Overlay.toPng(overlay());
    }

    /** @return the heat map as an 8-bit gray PNG, 255 at the maximum */
    public byte[] heatMapPng() {
        return Overlay.toPng(heatMap.toGrayImage());
    }

    @Override
    public String toString() {
        return "Explanation[" + method.id() + ", " + prediction + ", " + heatMap + "]";
    }
}
