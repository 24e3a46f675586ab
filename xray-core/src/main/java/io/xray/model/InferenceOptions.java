package io.xray.model;

import io.xray.InvalidConfigurationException;
import io.xray.data.ImageRecord;
import io.xray.data.Label;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Classifier} computes: its {@link Precision}, and the accuracy guard that a
 * reduced precision must pass before the classifier is handed out. The guard scores the given
 * validation images in float32 and in the reduced precision and refuses the classifier
 * ({@link PrecisionRejectedException}, with the figures) when the ROC AUC moves by more than
 * {@link #maxAucChange()} or the decisions at the model's threshold flip on more than
 * {@link #maxFlippedShare()} of the images.
 *
 * <pre>{@code
 * InferenceOptions options = InferenceOptions.builder()
 *         .precision(Precision.BF16)
 *         .guardImages(dataset.records(Split.VAL))
 *         .build();
 * try (Classifier classifier = Classifier.load(modelDirectory, options)) { ... }
 * }</pre>
 *
 * <p>A reduced precision needs guard images, or an explicit {@link Builder#skipGuard()}: nothing
 * runs in bfloat16 unchecked by accident. On a CPU without native bfloat16 ({@link
 * Precision#cpuHasBfloat16()}) the classifier falls back to float32 and says so; the guard then has
 * nothing to check.
 */
public final class InferenceOptions {

    /** The largest ROC AUC change the guard accepts by default. */
    public static final double DEFAULT_MAX_AUC_CHANGE = 0.002;
    /** The largest share of flipped decisions the guard accepts by default. */
    public static final double DEFAULT_MAX_FLIPPED_SHARE = 0.005;

    private static final InferenceOptions DEFAULTS = builder().build();

    private final Precision precision;
    private final List<ImageRecord> guardImages;
    private final boolean skipGuard;
    private final double maxAucChange;
    private final double maxFlippedShare;

    private InferenceOptions(Builder b) {
        this.precision = b.precision;
        this.guardImages = List.copyOf(b.guardImages);
        this.skipGuard = b.skipGuard;
        this.maxAucChange = b.maxAucChange;
        this.maxFlippedShare = b.maxFlippedShare;
    }

    /** @return float32, unguarded: what {@link Classifier#load(java.nio.file.Path)} uses */
    public static InferenceOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder with the defaults: float32, the default limits, no guard images */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.precision = precision;
        b.guardImages = guardImages;
        b.skipGuard = skipGuard;
        b.maxAucChange = maxAucChange;
        b.maxFlippedShare = maxFlippedShare;
        return b;
    }

    /** @return the precision asked for */
    public Precision precision() {
        return precision;
    }

    /** @return the labelled images the guard scores, empty when none */
    public List<ImageRecord> guardImages() {
        return guardImages;
    }

    /** @return true when a reduced precision is used without the guard */
    public boolean skipGuard() {
        return skipGuard;
    }

    /** @return the largest ROC AUC change accepted */
    public double maxAucChange() {
        return maxAucChange;
    }

    /** @return the largest share of guard images whose decision may flip */
    public double maxFlippedShare() {
        return maxFlippedShare;
    }

    /** Builds {@link InferenceOptions}; {@link #build()} validates and names the bad field. */
    public static final class Builder {
        private Precision precision = Precision.FP32;
        private List<ImageRecord> guardImages = List.of();
        private boolean skipGuard;
        private double maxAucChange = DEFAULT_MAX_AUC_CHANGE;
        private double maxFlippedShare = DEFAULT_MAX_FLIPPED_SHARE;

        private Builder() {}

        /**
         * @param precision the arithmetic to predict with (default {@link Precision#FP32})
         * @return this builder
         */
        public Builder precision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /**
         * @param images labelled validation images, both classes present, that the guard scores in
         *     float32 and in the reduced precision
         * @return this builder
         */
        public Builder guardImages(List<ImageRecord> images) {
            this.guardImages = List.copyOf(Objects.requireNonNull(images, "guardImages"));
            return this;
        }

        /**
         * Uses a reduced precision without checking it against float32: for a model whose
         * precision was checked elsewhere (with {@link Classifier#comparePrecision}).
         *
         * @return this builder
         */
        public Builder skipGuard() {
            this.skipGuard = true;
            return this;
        }

        /**
         * @param change the largest ROC AUC change accepted (default {@value #DEFAULT_MAX_AUC_CHANGE})
         * @return this builder
         */
        public Builder maxAucChange(double change) {
            this.maxAucChange = change;
            return this;
        }

        /**
         * @param share the largest share of images whose decision at the threshold may flip
         *     (default {@value #DEFAULT_MAX_FLIPPED_SHARE})
         * @return this builder
         */
        public Builder maxFlippedShare(double share) {
            this.maxFlippedShare = share;
            return this;
        }

        /**
         * @return the options
         * @throws InvalidConfigurationException naming the field: a limit outside [0, 1], guard
         *     images of one class only, or a reduced precision with neither guard images nor
         *     {@link #skipGuard()}
         */
        public InferenceOptions build() {
            if (!(maxAucChange >= 0 && maxAucChange <= 1)) {
                throw new InvalidConfigurationException("maxAucChange", "must be in [0, 1], was " + maxAucChange);
            }
            if (!(maxFlippedShare >= 0 && maxFlippedShare <= 1)) {
                throw new InvalidConfigurationException("maxFlippedShare", "must be in [0, 1], was " + maxFlippedShare);
            }
            if (!guardImages.isEmpty()) {
                boolean normal = guardImages.stream().anyMatch(r -> r.label() == Label.NORMAL);
                boolean pneumonia = guardImages.stream().anyMatch(r -> r.label() == Label.PNEUMONIA);
                if (!normal || !pneumonia) {
                    throw new InvalidConfigurationException("guardImages", "need both NORMAL and PNEUMONIA images for"
                            + " a ROC AUC; got " + guardImages.size() + " of " + (normal ? "NORMAL" : "PNEUMONIA")
                            + " only");
                }
            }
            if (precision.isReduced() && guardImages.isEmpty() && !skipGuard) {
                throw new InvalidConfigurationException("guardImages", precision.label() + " needs validation images"
                        + " to be checked against fp32 (guardImages), or skipGuard() to use it unchecked");
            }
            return new InferenceOptions(this);
        }
    }
}
