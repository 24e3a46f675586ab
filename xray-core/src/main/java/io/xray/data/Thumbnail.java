package io.xray.data;

import io.xray.image.GrayImage;
import io.xray.image.Preprocessing;

/**
 * A {@value #SIZE}x{@value #SIZE} gray thumbnail (shorter side resized with the project's
 * antialiased resampler, then centre-cropped) with its mean and spread, to confirm that two images
 * whose difference hashes match really look the same: their Pearson correlation is close to 1 for a
 * resized, re-encoded or brightened copy (at least 0.994 in measurements on the chest X-ray data),
 * while two different chest X-rays stay below 0.985 even when their hashes are equal.
 */
final class Thumbnail {
    static final int SIZE = 32;
    private static final Preprocessing SHRINK = Preprocessing.builder().resizeShorterSide(SIZE).cropSize(SIZE).build();

    private final byte[] pixels;
    private final double mean;
    private final double norm;

    private Thumbnail(byte[] pixels) {
        this.pixels = pixels;
        long sum = 0;
        for (byte pixel : pixels) {
            sum += pixel & 0xFF;
        }
        this.mean = (double) sum / pixels.length;
        double squares = 0;
        for (byte pixel : pixels) {
            double centred = (pixel & 0xFF) - mean;
            squares += centred * centred;
        }
        this.norm = Math.sqrt(squares);
    }

    static Thumbnail of(GrayImage image) {
        return new Thumbnail(SHRINK.centreCrop(SHRINK.resize(image)).pixels());
    }

    /**
     * @return the Pearson correlation of the two thumbnails' pixels, -1 to 1; for a flat thumbnail
     *     (no spread) 1 if both are flat, else 0
     */
    double correlation(Thumbnail other) {
        if (norm == 0 || other.norm == 0) {
            return norm == other.norm ? 1.0 : 0.0;
        }
        long dot = 0;
        byte[] a = pixels;
        byte[] b = other.pixels;
        for (int i = 0; i < a.length; i++) {
            dot += (a[i] & 0xFF) * (b[i] & 0xFF);
        }
        double covariance = dot - a.length * mean * other.mean;
        return Math.max(-1.0, Math.min(1.0, covariance / (norm * other.norm)));
    }
}
