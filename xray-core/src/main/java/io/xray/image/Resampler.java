package io.xray.image;

/**
 * Separable resampling of 8-bit gray images with an antialiased bilinear (triangle) filter, the
 * scheme of Pillow's {@code Image.resize(..., BILINEAR)} (and so of torchvision's {@code Resize}
 * on PIL images): when shrinking, the triangle's support widens by the scale factor, so each output
 * pixel averages all the input pixels it covers instead of sampling two of them; when enlarging it
 * is ordinary bilinear interpolation with pixel centres at {@code i + 0.5}. The horizontal pass
 * keeps float precision (Pillow rounds to 8 bits between the passes), so results agree with Pillow
 * to within one grey level. An axis whose size does not change is copied, not filtered.
 *
 * <p>Deterministic: plain loops over primitive arrays, no per-pixel objects.
 */
final class Resampler {

    private Resampler() {
    }

    /** Precomputed filter taps for one axis: output i reads inputs start[i] .. start[i]+count[i]-1. */
    private static final class Taps {
        final int[] start;
        final int[] count;
        final float[] weights; // out * maxCount, row i holds the weights of output i
        final int maxCount;

        Taps(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle's radius is 1 input pixel, widened when shrinking
            maxCount = (int) Math.ceil(support) * 2 + 1;
            start = new int[out];
            count = new int[out];
            weights = new float[out * maxCount];
            double[] w = new double[maxCount];
            for (int i = 0; i < out; i++) {
                double centre = (i + 0.5) * scale;
                int min = Math.max(0, (int) (centre - support + 0.5));
                int max = Math.min(in, (int) (centre + support + 0.5));
                int n = Math.min(max - min, maxCount);
                double total = 0;
                for (int k = 0; k < n; k++) {
                    double x = Math.abs((k + min - centre + 0.5) / filterScale);
                    w[k] = x < 1.0 ? 1.0 - x : 0.0;
                    total += w[k];
                }
                start[i] = min;
                count[i] = n;
                for (int k = 0; k < n; k++) {
                    weights[i * maxCount + k] = (float) (total > 0 ? w[k] / total : 0);
                }
            }
        }
    }

    /**
     * @param source the image to resample
     * @param width the output width, at least 1
     * @param height the output height, at least 1
     * @return a new image of the requested size (or {@code source} itself when the size is unchanged)
     */
    static GrayImage resize(GrayImage source, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("output size must be at least 1x1, was " + width + "x" + height);
        }
        int inW = source.width();
        int inH = source.height();
        if (width == inW && height == inH) {
            return source;
        }
        byte[] src = source.pixels();
        // Horizontal pass: inH rows of `width` floats.
        float[] horizontal = new float[inH * width];
        if (width == inW) {
            for (int i = 0; i < src.length; i++) {
                horizontal[i] = src[i] & 0xFF;
            }
        } else {
            Taps taps = new Taps(inW, width);
            for (int y = 0; y < inH; y++) {
                int rowIn = y * inW;
                int rowOut = y * width;
                for (int x = 0; x < width; x++) {
                    int s = rowIn + taps.start[x];
                    int w = x * taps.maxCount;
                    float sum = 0f;
                    for (int k = 0, n = taps.count[x]; k < n; k++) {
                        sum += (src[s + k] & 0xFF) * taps.weights[w + k];
                    }
                    horizontal[rowOut + x] = sum;
                }
            }
        }
        // Vertical pass, row by row so that memory is read sequentially.
        byte[] out = new byte[width * height];
        if (height == inH) {
            for (int i = 0; i < out.length; i++) {
                out[i] = toByte(horizontal[i]);
            }
            return new GrayImage(width, height, out);
        }
        Taps taps = new Taps(inH, height);
        float[] row = new float[width];
        for (int y = 0; y < height; y++) {
            java.util.Arrays.fill(row, 0f);
            int w = y * taps.maxCount;
            for (int k = 0, n = taps.count[y]; k < n; k++) {
                float weight = taps.weights[w + k];
                int in = (taps.start[y] + k) * width;
                for (int x = 0; x < width; x++) {
                    row[x] += horizontal[in + x] * weight;
                }
            }
            int base = y * width;
            for (int x = 0; x < width; x++) {
                out[base + x] = toByte(row[x]);
            }
        }
        return new GrayImage(width, height, out);
    }

    static byte toByte(float value) {
        int v = Math.round(value);
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
