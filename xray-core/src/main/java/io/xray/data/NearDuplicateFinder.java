package io.xray.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds all pairs of 64-bit hashes within a Hamming distance. Up to {@value #BRUTE_FORCE_LIMIT}
 * distinct hashes it compares every pair (about 50 million cheap comparisons at most); above, it
 * uses the pigeonhole principle: split into {@code threshold + 1} bit ranges, two hashes within
 * {@code threshold} bits agree exactly on at least one range, so only hashes sharing a bucket are
 * compared.
 */
final class NearDuplicateFinder {
    static final int BRUTE_FORCE_LIMIT = 10_000;

    /** Receives one pair of indexes {@code i < j} into the hash array and their distance. */
    interface PairSink {
        void accept(int i, int j, int distance);
    }

    private NearDuplicateFinder() {}

    /**
     * Reports every pair {@code i < j} of distinct positions whose hashes differ in at most
     * {@code threshold} bits, exactly once.
     */
    static void findPairs(long[] hashes, int threshold, PairSink sink) {
        if (hashes.length <= BRUTE_FORCE_LIMIT || threshold >= 16) {
            bruteForce(hashes, threshold, sink);
        } else {
            buckets(hashes, threshold, sink);
        }
    }

    static void bruteForce(long[] hashes, int threshold, PairSink sink) {
        for (int i = 0; i < hashes.length; i++) {
            long a = hashes[i];
            for (int j = i + 1; j < hashes.length; j++) {
                int distance = Long.bitCount(a ^ hashes[j]);
                if (distance <= threshold) {
                    sink.accept(i, j, distance);
                }
            }
        }
    }

    static void buckets(long[] hashes, int threshold, PairSink sink) {
        int ranges = threshold + 1;
        long[] masks = new long[ranges];
        for (int r = 0; r < ranges; r++) {
            int from = r * 64 / ranges;
            int to = (r + 1) * 64 / ranges;
            masks[r] = to - from == 64 ? -1L : ((1L << (to - from)) - 1) << from;
        }
        for (int r = 0; r < ranges; r++) {
            Map<Long, List<Integer>> buckets = new HashMap<>();
            for (int i = 0; i < hashes.length; i++) {
                buckets.computeIfAbsent(hashes[i] & masks[r], key -> new ArrayList<>()).add(i);
            }
            for (List<Integer> bucket : buckets.values()) {
                for (int x = 0; x < bucket.size(); x++) {
                    int i = bucket.get(x);
                    for (int y = x + 1; y < bucket.size(); y++) {
                        int j = bucket.get(y);
                        int distance = Long.bitCount(hashes[i] ^ hashes[j]);
                        if (distance <= threshold && firstSharedRange(hashes[i], hashes[j], masks) == r) {
                            sink.accept(i, j, distance);
                        }
                    }
                }
            }
        }
    }

    private static int firstSharedRange(long a, long b, long[] masks) {
        for (int r = 0; r < masks.length; r++) {
            if ((a & masks[r]) == (b & masks[r])) {
                return r;
            }
        }
        return -1;
    }
}
