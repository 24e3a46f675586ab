package io.xray.model;

import java.util.Locale;

/**
 * A reduced precision measured against float32 on the same labelled images: the guard's figures.
 *
 * @param precision the reduced precision measured
 * @param images how many images were scored
 * @param rocAucFp32 ROC AUC of the float32 probabilities
 * @param rocAuc ROC AUC of the reduced-precision probabilities
 * @param flipped images whose decision at the model's threshold differs between the two
 * @param largestProbabilityChange the largest absolute difference between an image's two probabilities
 * @param threshold the model's threshold the decisions are taken at
 * @param maxAucChange the largest ROC AUC change accepted
 * @param maxFlippedShare the largest share of flipped decisions accepted
 */
public record PrecisionCheck(
        Precision precision,
        int images,
        double rocAucFp32,
        double rocAuc,
        int flipped,
        double largestProbabilityChange,
        double threshold,
        double maxAucChange,
        double maxFlippedShare) {

    /** @return {@code |rocAuc - rocAucFp32|} */
    public double aucChange() {
        return Math.abs(rocAuc - rocAucFp32);
    }

    /** @return the share of images whose decision flipped */
    public double flippedShare() {
        return images == 0 ? 0 : (double) flipped / images;
    }

    /** @return true when both figures are within their limits */
    public boolean acceptable() {
        return aucChange() <= maxAucChange && flippedShare() <= maxFlippedShare;
    }

    /** @return the figures in one line, such as the refusal's message */
    public String summary() {
        return String.format(Locale.ROOT, "%s vs fp32 on %d images: ROC AUC %.4f vs %.4f (change %.4f, limit %.4f),"
                        + " %d decisions flipped at threshold %.4f (%.2f%%, limit %.2f%%), largest probability change %.4f",
                precision.label(), images, rocAuc, rocAucFp32, aucChange(), maxAucChange, flipped, threshold,
                100 * flippedShare(), 100 * maxFlippedShare, largestProbabilityChange);
    }
}
