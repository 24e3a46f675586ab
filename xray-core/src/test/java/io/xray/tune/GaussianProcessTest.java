package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GaussianProcessTest {

    @Test
    void halfRankWarp_shouldKeepTheBetterHalfAndPullOutliersBelowTheMedianToWithinAFewSpreads() {
        double[] warped = GaussianProcess.halfRankWarp(new double[] {10, 9, 8, 7, -1000});

        // median 8; the better half's spread sqrt((4 + 1 + 0) / 3); ranks 1 and 0 of 5
        double sigma = Math.sqrt(5.0 / 3);
        assertThat(warped[0]).isEqualTo(10);
        assertThat(warped[1]).isEqualTo(9);
        assertThat(warped[2]).isEqualTo(8);
        assertThat(warped[3]).isCloseTo(8 - 0.5244005 * sigma, within(1e-6));
        assertThat(warped[4]).isCloseTo(8 - 1.2815516 * sigma, within(1e-6));
    }

    @Test
    void halfRankWarp_shouldKeepTheOrderAndNeverLowerAValue() {
        Random random = new Random(7);
        double[] y = new double[40];
        for (int i = 0; i < y.length; i++) {
            y[i] = -Math.exp(3 * random.nextGaussian()); // heavy tail of bad values, as a diverged rate gives
        }
        y[5] = y[6]; // a tie

        double[] warped = GaussianProcess.halfRankWarp(y);

        for (int i = 0; i < y.length; i++) {
            assertThat(warped[i]).isGreaterThanOrEqualTo(y[i]);
            for (int j = 0; j < y.length; j++) {
                if (y[i] < y[j]) {
                    assertThat(warped[i]).isLessThanOrEqualTo(warped[j]);
                }
            }
        }
        assertThat(warped[5]).isEqualTo(warped[6]);
        assertThat(min(warped)).isGreaterThan(min(y) / 100);
    }

    @Test
    void halfRankWarp_shouldLeaveEqualObservationsAlone() {
        assertThat(GaussianProcess.halfRankWarp(new double[] {0.5, 0.5, 0.5})).containsExactly(0.5, 0.5, 0.5);
    }

    @Test
    void fit_shouldModelTheWarpedObservations_soThatAFarOutlierDoesNotSetTheScale() {
        double[][] x = {{0.1}, {0.3}, {0.5}, {0.7}, {0.9}};
        double[] y = {0.80, 0.85, 0.90, 0.86, -1000}; // the last trial diverged

        GaussianProcess model = GaussianProcess.fit(x, y, 200);

        assertThat(model.mean(x[4])).isGreaterThan(0.5);
        assertThat(model.mean(x[2])).isGreaterThan(model.mean(x[0]));
    }

    @Test
    void fit_shouldKeepLengthScalesAtATenthOfTheRange_whenOneLuckyDrawStandsOutOfNoise() {
        // a flat function with noise, and one draw far above the rest: the model should call it noise
        // rather than a peak narrower than a tenth of the range
        Random random = new Random(11);
        double[][] x = new double[12][];
        double[] y = new double[12];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {i / 11.0, random.nextDouble()};
            y[i] = 0.01 * random.nextGaussian();
        }
        y[6] = 0.05;

        GaussianProcess model = GaussianProcess.fit(x, y, 200);

        for (double length : model.lengthScales()) {
            assertThat(length).isGreaterThanOrEqualTo(0.1 - 1e-9);
        }
    }

    private static double min(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
        }
        return min;
    }
}
