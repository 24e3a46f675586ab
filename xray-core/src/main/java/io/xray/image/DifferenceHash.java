package io.xray.image;

/**
 * A 64-bit difference hash (dHash) for finding visually identical images: the image is shrunk to
 * 9×8 gray pixels (antialiased, so every input pixel counts) and each of the 8×8 horizontal
 * neighbour pairs gives one bit, set when the right pixel is brighter than the left. Row 0,
 * column 0 is the most significant bit. The hash survives resizing, re-encoding and mild
 * brightness changes; the {@link #distance Hamming distance} between two hashes measures how
 * different two images look (0 to 64; near-duplicates typically differ by fewer than 5 bits).
 */
public final class DifferenceHash {

    private DifferenceHash() {
    }

    /**
     * @param image any gray image
     * @return its 64-bit difference hash
     */
    public static long of(GrayImage image) {
        GrayImage small = Resampler.resize(image, 9, 8);
        byte[] p = small.pixels();
        long hash = 0L;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int left = p[y * 9 + x] & 0xFF;
                int right = p[y * 9 + x + 1] & 0xFF;
                hash = (hash << 1) | (right > left ? 1L : 0L);
            }
        }
        return hash;
    }

    /**
     * @param a one hash
     * @param b another hash
     * @return the number of differing bits, 0 (same look) to 64
     */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }
}
