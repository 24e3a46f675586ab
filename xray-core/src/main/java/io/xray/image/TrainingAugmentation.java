package io.xray.image;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.xray.InvalidConfigurationException;
import java.awt.image.BufferedImage;
import java.util.Objects;
import java.util.Random;

/**
 * Training-only augmentation. It wraps a {@link Preprocessing} and never replaces it: the output
 * has the preprocessing's {@link Preprocessing#cropSize() crop size} and goes through the same
 * {@link Preprocessing#normalize}, so the network sees at training time exactly the tensor layout
 * and scale it will see when serving, with only the geometry and exposure varied.
 *
 * <p>{@link #augment} applies, in this order, drawing every random number from the caller's
 * {@link Random} (the same seed gives the same images, so training is reproducible):
 *
 * <ol>
 *   <li><b>random resized crop</b> (torchvision's {@code RandomResizedCrop} rule): a rectangle
 *       covering a uniform fraction {@code [minScale, maxScale]} of the image with an aspect ratio
 *       log-uniform in {@code [minAspectRatio, maxAspectRatio]}, placed uniformly; after 10 failed
 *       tries, the largest centred rectangle within the ratio range;
 *   <li><b>rotation</b> by a uniform angle in {@code ±maxRotationDegrees} about the rectangle's
 *       centre; parts that fall outside the image are filled with black;
 *   <li><b>horizontal flip</b> with probability ½, only when enabled — off by default, because a
 *       chest radiograph is not left/right symmetric (the heart lies on the left);
 *   <li>the rectangle is sampled onto a {@code cropSize × cropSize} grid with bilinear
 *       interpolation (crop, rotation and flip are one inverse mapping, so pixels are interpolated
 *       once);
 *   <li><b>brightness</b>: values multiplied by a uniform factor in {@code [1 - brightness, 1 + brightness]};
 *   <li><b>contrast</b>: values moved away from or towards their mean by a uniform factor in
 *       {@code [1 - contrast, 1 + contrast]}; results clamped to 0..255 and rounded;
 *   <li><b>gamma</b>, only when {@code gamma > 0}: each value {@code v} becomes
 *       {@code 255 (v / 255)^γ} with {@code γ} log-uniform in {@code [1 / (1 + gamma), 1 + gamma]},
 *       the non-linear change of exposure and film/detector response between machines that a
 *       linear brightness and contrast change cannot imitate.
 * </ol>
 *
 * <p>Defaults: scale 0.75–1.0, aspect ratio 3/4–4/3, rotation ±10°, brightness 0.1, contrast 0.1,
 * no gamma, no flip. Immutable and thread-safe (the state lives in the caller's {@code Random}).
 */
@JsonAutoDetect(
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"minScale", "maxScale", "minAspectRatio", "maxAspectRatio", "maxRotationDegrees",
    "brightness", "contrast", "gamma", "horizontalFlip"})
public final class TrainingAugmentation {

    private static final int CROP_ATTEMPTS = 10;

    private final Preprocessing preprocessing;
    private final double minScale;
    private final double maxScale;
    private final double minAspectRatio;
    private final double maxAspectRatio;
    private final double maxRotationDegrees;
    private final double brightness;
    private final double contrast;
    private final double gamma;
    private final boolean horizontalFlip;

    private TrainingAugmentation(Builder builder) {
        this.preprocessing = builder.preprocessing;
        this.minScale = builder.minScale;
        this.maxScale = builder.maxScale;
        this.minAspectRatio = builder.minAspectRatio;
        this.maxAspectRatio = builder.maxAspectRatio;
        this.maxRotationDegrees = builder.maxRotationDegrees;
        this.brightness = builder.brightness;
        this.contrast = builder.contrast;
        this.gamma = builder.gamma;
        this.horizontalFlip = builder.horizontalFlip;
    }

    /**
     * @param preprocessing the preprocessing to wrap
     * @return a builder with the default augmentation settings
     */
    public static Builder builder(Preprocessing preprocessing) {
        return new Builder(preprocessing);
    }

    /** @return a builder holding these settings */
    public Builder toBuilder() {
        return builderWith(preprocessing);
    }

    /**
     * @param other the preprocessing to wrap instead
     * @return these augmentation settings around another preprocessing
     */
    public TrainingAugmentation withPreprocessing(Preprocessing other) {
        return builderWith(other).build();
    }

    private Builder builderWith(Preprocessing wrapped) {
        return new Builder(wrapped)
                .randomResizedCrop(minScale, maxScale)
                .aspectRatio(minAspectRatio, maxAspectRatio)
                .maxRotationDegrees(maxRotationDegrees)
                .brightness(brightness)
                .contrast(contrast)
                .gamma(gamma)
                .horizontalFlip(horizontalFlip);
    }

    /** @return the wrapped preprocessing, which fixes the output size and the normalisation */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** @return the smallest fraction of the image area a crop covers */
    @JsonProperty("minScale")
    public double minScale() {
        return minScale;
    }

    /** @return the largest fraction of the image area a crop covers */
    @JsonProperty("maxScale")
    public double maxScale() {
        return maxScale;
    }

    /** @return the smallest crop aspect ratio (width / height) */
    @JsonProperty("minAspectRatio")
    public double minAspectRatio() {
        return minAspectRatio;
    }

    /** @return the largest crop aspect ratio (width / height) */
    @JsonProperty("maxAspectRatio")
    public double maxAspectRatio() {
        return maxAspectRatio;
    }

    /** @return the largest rotation either way, in degrees; 0 for none */
    @JsonProperty("maxRotationDegrees")
    public double maxRotationDegrees() {
        return maxRotationDegrees;
    }

    /** @return the brightness jitter: factors in {@code [1 - b, 1 + b]}; 0 for none */
    @JsonProperty("brightness")
    public double brightness() {
        return brightness;
    }

    /** @return the contrast jitter: factors in {@code [1 - c, 1 + c]}; 0 for none */
    @JsonProperty("contrast")
    public double contrast() {
        return contrast;
    }

    /** @return the gamma jitter: exponents log-uniform in {@code [1 / (1 + g), 1 + g]}; 0 for none */
    @JsonProperty("gamma")
    public double gamma() {
        return gamma;
    }

    /** @return whether half of the images are mirrored left/right */
    @JsonProperty("horizontalFlip")
    public boolean horizontalFlip() {
        return horizontalFlip;
    }

    /**
     * @param image any decoded image
     * @param random the source of randomness, owned by the caller (seed it for reproducibility)
     * @return {@code preprocessing.normalize(augment(preprocessing.resize(Grayscale.of(image)), random))}
     */
    public float[] toChw(BufferedImage image, Random random) {
        return toChw(preprocessing.resize(Grayscale.of(image)), random);
    }

    /**
     * @param resized a gray image already {@link Preprocessing#resize resized} (for instance cached)
     * @param random the source of randomness, owned by the caller
     * @return {@code preprocessing.normalize(augment(resized, random))}, {@code float[3 * cropSize * cropSize]}
     */
    public float[] toChw(GrayImage resized, Random random) {
        return preprocessing.normalize(augment(resized, random));
    }

    /**
     * Applies one random augmentation, as described on this class.
     *
     * @param resized a gray image, normally the output of {@link Preprocessing#resize}
     * @param random the source of randomness, owned by the caller
     * @return a new {@code cropSize × cropSize} image
     */
    public GrayImage augment(GrayImage resized, Random random) {
        Objects.requireNonNull(random, "random");
        int width = resized.width();
        int height = resized.height();
        int size = preprocessing.cropSize();

        // 1. The crop rectangle, as centre and size in source pixels.
        double cropWidth = -1;
        double cropHeight = -1;
        double left = 0;
        double top = 0;
        double area = (double) width * height;
        double logMin = Math.log(minAspectRatio);
        double logMax = Math.log(maxAspectRatio);
        for (int attempt = 0; attempt < CROP_ATTEMPTS; attempt++) {
            double target = area * uniform(random, minScale, maxScale);
            double ratio = Math.exp(uniform(random, logMin, logMax));
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                top = random.nextInt(height - h + 1);
                left = random.nextInt(width - w + 1);
                cropWidth = w;
                cropHeight = h;
                break;
            }
        }
        if (cropWidth < 0) {
            double ratio = (double) width / height;
            if (ratio < minAspectRatio) {
                cropWidth = width;
                cropHeight = Math.round(width / minAspectRatio);
            } else if (ratio > maxAspectRatio) {
                cropHeight = height;
                cropWidth = Math.round(height * maxAspectRatio);
            } else {
                cropWidth = width;
                cropHeight = height;
            }
            left = (width - cropWidth) / 2.0;
            top = (height - cropHeight) / 2.0;
        }
        double centreX = left + cropWidth / 2.0;
        double centreY = top + cropHeight / 2.0;

        // 2-3. Rotation and flip, then 5-6. brightness and contrast factors, always in this order.
        double angle = maxRotationDegrees > 0 ? Math.toRadians(uniform(random, -maxRotationDegrees, maxRotationDegrees)) : 0;
        boolean flip = horizontalFlip && random.nextBoolean();
        double brightnessFactor = brightness > 0 ? uniform(random, 1 - brightness, 1 + brightness) : 1;
        double contrastFactor = contrast > 0 ? uniform(random, 1 - contrast, 1 + contrast) : 1;
        // 7. Drawn last and only when enabled, so that settings without gamma draw what they always drew.
        byte[] curve = gamma > 0 ? gammaCurve(Math.exp(uniform(random, -Math.log1p(gamma), Math.log1p(gamma)))) : null;

        // 4. Inverse mapping: output pixel centre -> source position, bilinear interpolation, black outside.
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double stepX = cropWidth / size * (flip ? -1 : 1);
        double stepY = cropHeight / size;
        float[] values = new float[size * size];
        byte[] src = resized.pixels();
        double sum = 0;
        for (int oy = 0; oy < size; oy++) {
            double v = (oy + 0.5) * stepY - cropHeight / 2.0;
            for (int ox = 0; ox < size; ox++) {
                double u = (ox + 0.5 - size / 2.0) * stepX;
                double sx = centreX + cos * u - sin * v - 0.5;
                double sy = centreY + sin * u + cos * v - 0.5;
                float value = (float) (sample(src, width, height, sx, sy) * brightnessFactor);
                values[oy * size + ox] = value;
                sum += value;
            }
        }
        float mean = (float) (sum / values.length);
        float factor = (float) contrastFactor;
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Resampler.toByte(mean + factor * (Math.min(values[i], 255f) - mean));
        }
        if (curve != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] = curve[out[i] & 0xFF];
            }
        }
        return new GrayImage(size, size, out);
    }

    /** @return the 256 rounded values of {@code 255 (v / 255)^exponent} */
    private static byte[] gammaCurve(double exponent) {
        byte[] curve = new byte[256];
        for (int v = 0; v < 256; v++) {
            curve[v] = Resampler.toByte((float) (255 * Math.pow(v / 255.0, exponent)));
        }
        return curve;
    }

    private static double uniform(Random random, double min, double max) {
        return min + (max - min) * random.nextDouble();
    }

    /** Bilinear interpolation at (x, y) in pixel-index coordinates; pixels outside the image are 0. */
    private static double sample(byte[] src, int width, int height, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        double top = (1 - fx) * pixel(src, width, height, x0, y0) + fx * pixel(src, width, height, x0 + 1, y0);
        double bottom = (1 - fx) * pixel(src, width, height, x0, y0 + 1) + fx * pixel(src, width, height, x0 + 1, y0 + 1);
        return (1 - fy) * top + fy * bottom;
    }

    private static int pixel(byte[] src, int width, int height, int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return 0;
        }
        return src[y * width + x] & 0xFF;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainingAugmentation that
                && preprocessing.equals(that.preprocessing)
                && minScale == that.minScale && maxScale == that.maxScale
                && minAspectRatio == that.minAspectRatio && maxAspectRatio == that.maxAspectRatio
                && maxRotationDegrees == that.maxRotationDegrees
                && brightness == that.brightness && contrast == that.contrast && gamma == that.gamma
                && horizontalFlip == that.horizontalFlip;
    }

    @Override
    public int hashCode() {
        return Objects.hash(preprocessing, minScale, maxScale, minAspectRatio, maxAspectRatio,
                maxRotationDegrees, brightness, contrast, gamma, horizontalFlip);
    }

    @Override
    public String toString() {
        return "TrainingAugmentation[scale=" + minScale + ".." + maxScale + ", aspectRatio=" + minAspectRatio
                + ".." + maxAspectRatio + ", maxRotationDegrees=" + maxRotationDegrees + ", brightness="
                + brightness + ", contrast=" + contrast + ", gamma=" + gamma + ", horizontalFlip=" + horizontalFlip + ", preprocessing="
                + preprocessing + "]";
    }

    /** Builds a {@link TrainingAugmentation}; validated in {@link #build()}. */
    public static final class Builder {
        private final Preprocessing preprocessing;
        private double minScale = 0.75;
        private double maxScale = 1.0;
        private double minAspectRatio = 3.0 / 4.0;
        private double maxAspectRatio = 4.0 / 3.0;
        private double maxRotationDegrees = 10;
        private double brightness = 0.1;
        private double contrast = 0.1;
        private double gamma;
        private boolean horizontalFlip;

        private Builder(Preprocessing preprocessing) {
            this.preprocessing = preprocessing;
        }

        /**
         * @param minScale smallest fraction of the area to keep, in (0, maxScale]; default 0.75
         * @param maxScale largest fraction of the area to keep, in [minScale, 1]; default 1
         * @return this builder
         */
        public Builder randomResizedCrop(double minScale, double maxScale) {
            this.minScale = minScale;
            this.maxScale = maxScale;
            return this;
        }

        /**
         * @param minAspectRatio smallest crop width / height, positive; default 3/4
         * @param maxAspectRatio largest crop width / height, at least the minimum; default 4/3
         * @return this builder
         */
        public Builder aspectRatio(double minAspectRatio, double maxAspectRatio) {
            this.minAspectRatio = minAspectRatio;
            this.maxAspectRatio = maxAspectRatio;
            return this;
        }

        /**
         * @param maxRotationDegrees largest rotation either way, 0 to 180; default 10
         * @return this builder
         */
        public Builder maxRotationDegrees(double maxRotationDegrees) {
            this.maxRotationDegrees = maxRotationDegrees;
            return this;
        }

        /**
         * @param brightness brightness jitter in [0, 1); default 0.1
         * @return this builder
         */
        public Builder brightness(double brightness) {
            this.brightness = brightness;
            return this;
        }

        /**
         * @param contrast contrast jitter in [0, 1); default 0.1
         * @return this builder
         */
        public Builder contrast(double contrast) {
            this.contrast = contrast;
            return this;
        }

        /**
         * @param gamma gamma jitter in [0, 1): exponents log-uniform in {@code [1 / (1 + gamma), 1 + gamma]};
         *     default 0 (none)
         * @return this builder
         */
        public Builder gamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /**
         * @param horizontalFlip whether to mirror half of the images; default false (radiographs
         *     are not left/right symmetric)
         * @return this builder
         */
        public Builder horizontalFlip(boolean horizontalFlip) {
            this.horizontalFlip = horizontalFlip;
            return this;
        }

        /**
         * @return the augmentation
         * @throws InvalidConfigurationException naming the first invalid field
         */
        public TrainingAugmentation build() {
            if (preprocessing == null) {
                throw new InvalidConfigurationException("preprocessing", "must not be null");
            }
            if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
                throw new InvalidConfigurationException("randomResizedCrop",
                        "need 0 < minScale <= maxScale <= 1, were " + minScale + " and " + maxScale);
            }
            if (!(minAspectRatio > 0 && minAspectRatio <= maxAspectRatio && Double.isFinite(maxAspectRatio))) {
                throw new InvalidConfigurationException("aspectRatio",
                        "need 0 < min <= max (finite), were " + minAspectRatio + " and " + maxAspectRatio);
            }
            if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) {
                throw new InvalidConfigurationException("maxRotationDegrees",
                        "must be between 0 and 180, was " + maxRotationDegrees);
            }
            if (!(brightness >= 0 && brightness < 1)) {
                throw new InvalidConfigurationException("brightness", "must be in [0, 1), was " + brightness);
            }
            if (!(contrast >= 0 && contrast < 1)) {
                throw new InvalidConfigurationException("contrast", "must be in [0, 1), was " + contrast);
            }
            if (!(gamma >= 0 && gamma < 1)) {
                throw new InvalidConfigurationException("gamma", "must be in [0, 1), was " + gamma);
            }
            return new TrainingAugmentation(this);
        }
    }
}
