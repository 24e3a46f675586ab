package io.xray.image;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * The one preprocessing between a decoded image and the network. It is a value: training saves it
 * inside every model (as {@link #toJson() JSON}) and {@code Classifier}, the model server and batch
 * scoring load it from there, so nobody re-types sizes, means or deviations.
 *
 * <p>The steps, each public so that callers can cache intermediate results:
 *
 * <ol>
 *   <li>{@link Grayscale#of}: any image to 8-bit luminance;
 *   <li>{@link #resize}: the shorter side becomes {@link #resizeShorterSide()} and the longer one
 *       {@code floor(resizeShorterSide × longer / shorter)} (torchvision's rule), with an
 *       antialiased bilinear filter (Pillow's {@code BILINEAR}: area-weighted when shrinking,
 *       bilinear when enlarging; deterministic, over the byte array);
 *   <li>{@link #centreCrop}: the central {@link #cropSize()} square, its offset
 *       {@code round((size - crop) / 2)} with ties to even, as torchvision's {@code CenterCrop};
 *   <li>{@link #normalize}: when an {@link #equalization()} is set, the crop's gray values
 *       equalised first; then the gray value replicated into 3 channels, each
 *       {@code (v / 255 - mean[c]) / std[c]} in float32, laid out channel-major (CHW).
 * </ol>
 *
 * <p>With the defaults (256, 224, ImageNet mean and standard deviation) this is the classic
 * {@code Resize(256) → CenterCrop(224) → ToTensor → Normalize} of the seed notebook, applied to a
 * grayscale radiograph replicated to three channels.
 *
 * <p>Immutable and thread-safe. Build variations with {@link #toBuilder()}.
 */
@JsonAutoDetect(
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"resizeShorterSide", "cropSize", "mean", "std", "equalization"})
public final class Preprocessing {

    /** Default shorter side after resizing: 256. */
    public static final int DEFAULT_RESIZE_SHORTER_SIDE = 256;
    /** Default crop size: 224. */
    public static final int DEFAULT_CROP_SIZE = 224;
    /** The largest accepted {@link #resizeShorterSide()}: 4096. */
    public static final int MAX_SIZE = 4096;

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final int CHANNELS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Preprocessing DEFAULTS = new Builder().build();

    private final int resizeShorterSide;
    private final int cropSize;
    private final float[] mean;
    private final float[] std;
    private final Equalization equalization;
    /** lookup[c][v] = (v / 255 - mean[c]) / std[c]: every normalised value, computed once. */
    private final float[][] lookup;

    private Preprocessing(Builder builder) {
        this.resizeShorterSide = builder.resizeShorterSide;
        this.cropSize = builder.cropSize;
        this.mean = builder.mean.clone();
        this.std = builder.std.clone();
        this.equalization = builder.equalization;
        this.lookup = new float[CHANNELS][256];
        for (int c = 0; c < CHANNELS; c++) {
            for (int v = 0; v < 256; v++) {
                lookup[c][v] = ((float) v / 255f - mean[c]) / std[c];
            }
        }
    }

    @JsonCreator
    static Preprocessing fromJsonProperties(
            @JsonProperty(value = "resizeShorterSide", required = true) int resizeShorterSide,
            @JsonProperty(value = "cropSize", required = true) int cropSize,
            @JsonProperty(value = "mean", required = true) float[] mean,
            @JsonProperty(value = "std", required = true) float[] std,
            @JsonProperty("equalization") String equalization) {
        return new Builder().resizeShorterSide(resizeShorterSide).cropSize(cropSize).mean(mean).std(std)
                .equalization(equalization == null ? Equalization.NONE : Equalization.parse(equalization)).build();
    }

    /**
     * Refuses properties this version does not know: a model saved by a newer xray may need a step
     * that this one would silently skip.
     */
    @JsonAnySetter
    void unknownProperty(String name, Object value) {
        throw new InvalidConfigurationException(name, "unknown preprocessing property (saved by a newer xray?)");
    }

    /** @return 256 / 224 with ImageNet mean and standard deviation */
    public static Preprocessing defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this preprocessing's values */
    public Builder toBuilder() {
        return new Builder().resizeShorterSide(resizeShorterSide).cropSize(cropSize).mean(mean).std(std)
                .equalization(equalization);
    }

    /** @return the length of the shorter side after {@link #resize} */
    @JsonProperty("resizeShorterSide")
    public int resizeShorterSide() {
        return resizeShorterSide;
    }

    /** @return the side of the square that {@link #centreCrop} keeps, and the network's input size */
    @JsonProperty("cropSize")
    public int cropSize() {
        return cropSize;
    }

    /** @return a copy of the per-channel means (R, G, B order; on the 0..1 scale) */
    @JsonProperty("mean")
    public float[] mean() {
        return mean.clone();
    }

    /** @return a copy of the per-channel standard deviations (R, G, B order; on the 0..1 scale) */
    @JsonProperty("std")
    public float[] std() {
        return std.clone();
    }

    /** @return the per-image intensity normalisation of {@link #normalize}; {@link Equalization#NONE} by default */
    public Equalization equalization() {
        return equalization;
    }

    /** Written only when set, so that models without it read in xray versions that predate it. */
    @JsonProperty("equalization")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private String equalizationJson() {
        return equalization == Equalization.NONE ? null : equalization.toString();
    }

    /** @return this preprocessing as one line of JSON */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + this, e);
        }
    }

    /**
     * @param json what {@link #toJson()} wrote (also accepted when nested by another Jackson mapper)
     * @return the preprocessing it describes
     * @throws InvalidConfigurationException when a value is missing, invalid or unknown, naming the field
     */
    public static Preprocessing fromJson(String json) {
        try {
            return JSON.readValue(json, Preprocessing.class);
        } catch (JsonProcessingException e) {
            // Validation failures inside the creator or the any-setter arrive wrapped by Jackson.
            if (e.getCause() instanceof InvalidConfigurationException invalid) {
                throw invalid;
            }
            throw new InvalidConfigurationException("preprocessing", "invalid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Resizes so that the shorter side is {@link #resizeShorterSide()}, keeping the aspect ratio
     * (longer side {@code floor(resizeShorterSide × longer / shorter)}), with the antialiased
     * bilinear filter described on this class.
     *
     * @param gray any gray image
     * @return the resized image ({@code gray} itself when its shorter side already has the size)
     */
    public GrayImage resize(GrayImage gray) {
        int width = gray.width();
        int height = gray.height();
        int newWidth;
        int newHeight;
        if (width <= height) {
            newWidth = resizeShorterSide;
            newHeight = (int) Math.max(1, (long) resizeShorterSide * height / width);
        } else {
            newHeight = resizeShorterSide;
            newWidth = (int) Math.max(1, (long) resizeShorterSide * width / height);
        }
        return Resampler.resize(gray, newWidth, newHeight);
    }

    /**
     * @param resized an image at least {@link #cropSize()} on each side (as {@link #resize} returns)
     * @return the central {@code cropSize × cropSize} square
     * @throws IllegalArgumentException when the image is smaller than the crop
     */
    public GrayImage centreCrop(GrayImage resized) {
        int width = resized.width();
        int height = resized.height();
        if (width < cropSize || height < cropSize) {
            throw new IllegalArgumentException("cannot crop " + cropSize + "x" + cropSize + " from a "
                    + width + "x" + height + " image; resize it first");
        }
        if (width == cropSize && height == cropSize) {
            return resized;
        }
        int top = (int) Math.rint((height - cropSize) / 2.0);
        int left = (int) Math.rint((width - cropSize) / 2.0);
        byte[] src = resized.pixels();
        byte[] out = new byte[cropSize * cropSize];
        for (int y = 0; y < cropSize; y++) {
            System.arraycopy(src, (top + y) * width + left, out, y * cropSize, cropSize);
        }
        return new GrayImage(cropSize, cropSize, out);
    }

    /**
     * Normalises a gray image into a CHW float array: the gray value {@code v} (after the
     * {@link #equalization()}, if any) is replicated into 3 channels and channel {@code c} holds
     * {@code (v / 255 - mean[c]) / std[c]}.
     *
     * @param crop a gray image, normally {@code cropSize × cropSize}
     * @return {@code float[3 * height * width]}, channel-major then row-major
     */
    public float[] normalize(GrayImage crop) {
        byte[] pixels = crop.pixels();
        int plane = pixels.length;
        int[] equalized = equalization.lookup(pixels);
        float[] out = new float[CHANNELS * plane];
        for (int c = 0; c < CHANNELS; c++) {
            float[] table = lookup[c];
            int offset = c * plane;
            if (equalized == null) {
                for (int i = 0; i < plane; i++) {
                    out[offset + i] = table[pixels[i] & 0xFF];
                }
            } else {
                for (int i = 0; i < plane; i++) {
                    out[offset + i] = table[equalized[pixels[i] & 0xFF]];
                }
            }
        }
        return out;
    }

    /**
     * @param gray a gray image of any size
     * @return {@code normalize(centreCrop(resize(gray)))}, {@code float[3 * cropSize * cropSize]}
     */
    public float[] toChw(GrayImage gray) {
        return normalize(centreCrop(resize(gray)));
    }

    /**
     * @param image any decoded image
     * @return {@code normalize(centreCrop(resize(Grayscale.of(image))))}, {@code float[3 * cropSize * cropSize]}
     */
    public float[] toChw(BufferedImage image) {
        return toChw(Grayscale.of(image));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Preprocessing that
                && resizeShorterSide == that.resizeShorterSide
                && cropSize == that.cropSize
                && Arrays.equals(mean, that.mean)
                && Arrays.equals(std, that.std)
                && equalization == that.equalization;
    }

    @Override
    public int hashCode() {
        return Objects.hash(resizeShorterSide, cropSize, Arrays.hashCode(mean), Arrays.hashCode(std), equalization);
    }

    @Override
    public String toString() {
        return "Preprocessing[resizeShorterSide=" + resizeShorterSide + ", cropSize=" + cropSize
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std)
                + (equalization == Equalization.NONE ? "" : ", equalization=" + equalization) + "]";
    }

    /** Builds a {@link Preprocessing}; validated in {@link #build()}. */
    public static final class Builder {
        private int resizeShorterSide = DEFAULT_RESIZE_SHORTER_SIDE;
        private int cropSize = DEFAULT_CROP_SIZE;
        private float[] mean = IMAGENET_MEAN.clone();
        private float[] std = IMAGENET_STD.clone();
        private Equalization equalization = Equalization.NONE;

        private Builder() {
        }

        /**
         * @param equalization the per-image intensity normalisation before the mean and standard
         *     deviation; default {@link Equalization#NONE}
         * @return this builder
         */
        public Builder equalization(Equalization equalization) {
            this.equalization = equalization;
            return this;
        }

        /**
         * @param resizeShorterSide the shorter side after resizing, 1 to {@value #MAX_SIZE}; default 256
         * @return this builder
         */
        public Builder resizeShorterSide(int resizeShorterSide) {
            this.resizeShorterSide = resizeShorterSide;
            return this;
        }

        /**
         * @param cropSize the side of the centre crop, 1 to {@code resizeShorterSide}; default 224
         * @return this builder
         */
        public Builder cropSize(int cropSize) {
            this.cropSize = cropSize;
            return this;
        }

        /**
         * @param mean three finite per-channel means on the 0..1 scale; default ImageNet's
         * @return this builder
         */
        public Builder mean(float... mean) {
            this.mean = mean == null ? null : mean.clone();
            return this;
        }

        /**
         * @param std three finite, positive per-channel standard deviations; default ImageNet's
         * @return this builder
         */
        public Builder std(float... std) {
            this.std = std == null ? null : std.clone();
            return this;
        }

        /**
         * @return the preprocessing
         * @throws InvalidConfigurationException naming the first invalid field
         */
        public Preprocessing build() {
            if (resizeShorterSide < 1 || resizeShorterSide > MAX_SIZE) {
                throw new InvalidConfigurationException("resizeShorterSide",
                        "must be between 1 and " + MAX_SIZE + ", was " + resizeShorterSide);
            }
            if (cropSize < 1 || cropSize > resizeShorterSide) {
                throw new InvalidConfigurationException("cropSize",
                        "must be between 1 and resizeShorterSide (" + resizeShorterSide + "), was " + cropSize);
            }
            checkChannels("mean", mean, false);
            checkChannels("std", std, true);
            if (equalization == null) {
                throw new InvalidConfigurationException("equalization", "must not be null (use NONE)");
            }
            return new Preprocessing(this);
        }

        private static void checkChannels(String field, float[] values, boolean positive) {
            if (values == null || values.length != CHANNELS) {
                throw new InvalidConfigurationException(field, "must have exactly 3 values (R, G, B), had "
                        + (values == null ? "none" : values.length));
            }
            for (float value : values) {
                if (!Float.isFinite(value) || (positive && value <= 0f)) {
                    throw new InvalidConfigurationException(field, "values must be finite"
                            + (positive ? " and positive" : "") + ", was " + Arrays.toString(values));
                }
            }
        }
    }
}
