package io.xray.data;

import io.xray.InvalidConfigurationException;

/**
 * What {@link Dataset#audit(AuditOptions)} looks for beyond the counts, exact duplicates, rejected
 * files and shared patient ids it always reports.
 *
 * <pre>{@code
 * AuditOptions options = AuditOptions.builder().nearDuplicates(true).hammingThreshold(4).build();
 * }</pre>
 *
 * @param nearDuplicates whether to decode every image and look for visually identical images of
 *     different files (64-bit difference hash); off by default, as it decodes every file again
 * @param hammingThreshold the largest Hamming distance between two difference hashes that makes two
 *     images candidates, 0 to 64; default {@value #DEFAULT_HAMMING_THRESHOLD}
 * @param minCorrelation the smallest Pearson correlation of two candidates' 32x32 gray thumbnails
 *     that confirms them as visually identical, -1 to 1; default {@value #DEFAULT_MIN_CORRELATION}.
 *     Needed because chest X-rays look alike at the 9x8 scale of a difference hash: on the Kaggle
 *     data about 6% of all pairs of different images are within 4 bits, while resized, re-encoded
 *     or brightened copies correlate above 0.994 and different X-rays stay below 0.985. Set -1 to
 *     report every hash candidate.
 * @param maxNearDuplicatePairs the most near-duplicate pairs to list (all are counted); default
 *     {@value #DEFAULT_MAX_NEAR_DUPLICATE_PAIRS}
 */
public record AuditOptions(
        boolean nearDuplicates, int hammingThreshold, double minCorrelation, int maxNearDuplicatePairs) {
    /** The default Hamming threshold: at most 4 of 64 bits differ. */
    public static final int DEFAULT_HAMMING_THRESHOLD = 4;
    /** The default thumbnail correlation that confirms a candidate pair. */
    public static final double DEFAULT_MIN_CORRELATION = 0.99;
    /** The default number of near-duplicate pairs listed. */
    public static final int DEFAULT_MAX_NEAR_DUPLICATE_PAIRS = 10_000;

    /**
     * Validates the options.
     *
     * @throws InvalidConfigurationException naming the bad field
     */
    public AuditOptions {
        if (hammingThreshold < 0 || hammingThreshold > 64) {
            throw new InvalidConfigurationException("hammingThreshold", "must be between 0 and 64, got " + hammingThreshold);
        }
        if (!(minCorrelation >= -1.0 && minCorrelation <= 1.0)) {
            throw new InvalidConfigurationException("minCorrelation", "must be between -1 and 1, got " + minCorrelation);
        }
        if (maxNearDuplicatePairs < 0) {
            throw new InvalidConfigurationException(
                    "maxNearDuplicatePairs", "must be at least 0, got " + maxNearDuplicatePairs);
        }
    }

    /** @return no near-duplicate search, default threshold and limit */
    public static AuditOptions defaults() {
        return builder().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from these options */
    public Builder toBuilder() {
        return new Builder().nearDuplicates(nearDuplicates).hammingThreshold(hammingThreshold)
                .minCorrelation(minCorrelation).maxNearDuplicatePairs(maxNearDuplicatePairs);
    }

    /** Builds {@link AuditOptions}. */
    public static final class Builder {
        private boolean nearDuplicates;
        private int hammingThreshold = DEFAULT_HAMMING_THRESHOLD;
        private double minCorrelation = DEFAULT_MIN_CORRELATION;
        private int maxNearDuplicatePairs = DEFAULT_MAX_NEAR_DUPLICATE_PAIRS;

        private Builder() {}

        /**
         * @param nearDuplicates whether to search for visually identical images
         * @return this builder
         */
        public Builder nearDuplicates(boolean nearDuplicates) {
            this.nearDuplicates = nearDuplicates;
            return this;
        }

        /**
         * @param hammingThreshold the largest distance that counts as identical, 0 to 64
         * @return this builder
         */
        public Builder hammingThreshold(int hammingThreshold) {
            this.hammingThreshold = hammingThreshold;
            return this;
        }

        /**
         * @param minCorrelation the thumbnail correlation that confirms a candidate, -1 to 1
         * @return this builder
         */
        public Builder minCorrelation(double minCorrelation) {
            this.minCorrelation = minCorrelation;
            return this;
        }

        /**
         * @param maxNearDuplicatePairs the most pairs to list, at least 0
         * @return this builder
         */
        public Builder maxNearDuplicatePairs(int maxNearDuplicatePairs) {
            this.maxNearDuplicatePairs = maxNearDuplicatePairs;
            return this;
        }

        /**
         * @return the options
         * @throws InvalidConfigurationException naming the bad field
         */
        public AuditOptions build() {
            return new AuditOptions(nearDuplicates, hammingThreshold, minCorrelation, maxNearDuplicatePairs);
        }
    }
}
