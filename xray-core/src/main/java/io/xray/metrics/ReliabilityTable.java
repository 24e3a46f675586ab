package io.xray.metrics;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How well probabilities of pneumonia are calibrated: the images are put into equal-width bins of
 * predicted probability, and each bin compares the mean predicted probability with the share of
 * its images that are pneumonia. A calibrated model's probability of 0.8 means pneumonia about 80%
 * of the time, so every bin's two figures agree.
 *
 * <p>Bin {@code i} of {@code B} holds the probabilities in {@code [i/B, (i+1)/B)}; the last bin
 * also holds 1.0. The expected calibration error (ECE) is the mean over images of the gap in their
 * bin, {@code sum over bins of (count / N) * |meanProbability - positiveShare|}: 0 for a perfectly
 * calibrated model on these images, at most 1. Empty bins weigh nothing; their mean probability
 * and positive share are NaN ({@code null} in JSON).
 *
 * @param bins the bins, lowest probabilities first
 * @param count the number of images
 * @param expectedCalibrationError the ECE over {@code bins}
 */
public record ReliabilityTable(List<Bin> bins, long count, double expectedCalibrationError) {

    /** The number of bins of {@link #of(double[], int[])}: 15, as in Guo et al. (2017). */
    public static final int DEFAULT_BINS = 15;

    /**
     * One bin of the table.
     *
     * @param lower the lowest probability of the bin (inclusive)
     * @param upper the highest probability of the bin (exclusive, but inclusive for the last bin)
     * @param count the number of images whose probability falls in the bin
     * @param meanProbability their mean predicted probability of pneumonia; NaN (JSON null) when empty
     * @param positiveShare the share of them that are pneumonia; NaN (JSON null) when empty
     */
    public record Bin(
            double lower,
            double upper,
            long count,
            @JsonSerialize(using = NanAsNullJson.Serializer.class)
            @JsonDeserialize(using = NanAsNullJson.Deserializer.class)
            double meanProbability,
            @JsonSerialize(using = NanAsNullJson.Serializer.class)
            @JsonDeserialize(using = NanAsNullJson.Deserializer.class)
            double positiveShare) {

        /** @return {@code |meanProbability - positiveShare|}, 0 for an empty bin */
        public double gap() {
            return count == 0 ? 0.0 : Math.abs(meanProbability - positiveShare);
        }
    }

    /**
     * Copies the bins.
     *
     * @param bins see {@link #bins()}
     * @param count see {@link #count()}
     * @param expectedCalibrationError see {@link #expectedCalibrationError()}
     */
    public ReliabilityTable {
        bins = List.copyOf(Objects.requireNonNull(bins, "bins must not be null"));
    }

    /**
     * The table with {@value #DEFAULT_BINS} bins.
     *
     * @param probabilities probabilities of pneumonia, in [0, 1]
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as probabilities
     * @return the table
     * @throws IllegalArgumentException on invalid input (see the package's conventions) or a
     *     probability outside [0, 1], naming its index
     */
    public static ReliabilityTable of(double[] probabilities, int[] labels) {
        return of(probabilities, labels, DEFAULT_BINS);
    }

    /**
     * The table with {@code binCount} equal-width bins.
     *
     * @param probabilities probabilities of pneumonia, in [0, 1]
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as probabilities
     * @param binCount the number of bins, at least 1
     * @return the table
     * @throws IllegalArgumentException on invalid input, a probability outside [0, 1] or fewer than one bin
     */
    public static ReliabilityTable of(double[] probabilities, int[] labels, int binCount) {
        Inputs.validate(probabilities, labels);
        if (binCount < 1) {
            throw new IllegalArgumentException("binCount is " + binCount + "; it must be at least 1");
        }
        long[] counts = new long[binCount];
        double[] sums = new double[binCount];
        long[] positives = new long[binCount];
        for (int i = 0; i < probabilities.length; i++) {
            double p = probabilities[i];
            if (p < 0 || p > 1) {
                throw new IllegalArgumentException("probabilities[" + i + "] is " + p + "; probabilities must lie in [0, 1]");
            }
            int bin = Math.min(binCount - 1, (int) Math.floor(p * binCount));
            counts[bin]++;
            sums[bin] += p;
            positives[bin] += labels[i];
        }
        List<Bin> bins = new ArrayList<>(binCount);
        double ece = 0;
        for (int b = 0; b < binCount; b++) {
            long n = counts[b];
            Bin bin = new Bin((double) b / binCount, (double) (b + 1) / binCount, n,
                    n == 0 ? Double.NaN : sums[b] / n, n == 0 ? Double.NaN : (double) positives[b] / n);
            ece += (double) n / probabilities.length * bin.gap();
            bins.add(bin);
        }
        return new ReliabilityTable(bins, probabilities.length, ece);
    }
}
