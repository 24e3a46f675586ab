package io.xray.image;

import io.xray.InvalidConfigurationException;
import java.util.Locale;

/**
 * A per-image intensity normalisation applied by {@link Preprocessing#normalize} to the crop the
 * network sees, before the mean and standard deviation: images from another scanner or exposure
 * reach the network with the same spread of gray values. Part of the {@link Preprocessing}, so it is
 * saved in the model and serving and batch scoring apply it as training did.
 */
public enum Equalization {
    /** Gray values as decoded. */
    NONE,
    /**
     * Histogram equalisation of the whole crop (OpenCV's {@code equalizeHist}): gray value {@code v}
     * becomes {@code round(255 (cdf(v) - cdf_min) / (n - cdf_min))}, so any increasing change of
     * exposure (brightness, contrast, gamma) leaves the result unchanged.
     */
    HISTOGRAM;

    /**
     * @param text {@code none} or {@code histogram}, any case
     * @return the equalisation
     * @throws InvalidConfigurationException naming {@code equalization} when the text is neither
     */
    public static Equalization parse(String text) {
        String value = text == null ? "" : text.toLowerCase(Locale.ROOT);
        return switch (value) {
            case "none" -> NONE;
            case "histogram" -> HISTOGRAM;
            default -> throw new InvalidConfigurationException("equalization",
                    "expected none or histogram, got '" + text + "'");
        };
    }

    /** @return the name {@link #parse} reads: {@code none} or {@code histogram} */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param pixels 8-bit gray values (unsigned in the bytes)
     * @return {@code lookup[v]}, the equalised value of each gray value {@code v}, or null for {@link #NONE}
     */
    int[] lookup(byte[] pixels) {
        if (this == NONE) {
            return null;
        }
        int[] histogram = new int[256];
        for (byte p : pixels) {
            histogram[p & 0xFF]++;
        }
        int[] lookup = new int[256];
        int first = 0;
        while (first < 255 && histogram[first] == 0) {
            first++;
        }
        int below = histogram[first];
        int rest = pixels.length - below;
        if (rest == 0) {
            // One gray value throughout: nothing to spread; keep it.
            for (int v = 0; v < 256; v++) {
                lookup[v] = v;
            }
            return lookup;
        }
        int cumulative = 0;
        for (int v = 0; v < 256; v++) {
            cumulative += histogram[v];
            lookup[v] = v < first ? 0 : (int) Math.round(255.0 * (cumulative - below) / rest);
        }
        return lookup;
    }
}
