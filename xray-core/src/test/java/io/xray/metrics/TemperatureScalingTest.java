package io.xray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TemperatureScalingTest {

    /** Labels drawn from sigmoid(z); the model reports 3z: three times over-confident. */
    private static double[][] overconfident(int n, double factor, long seed) {
        Random random = new Random(seed);
        double[] logits = new double[n];
        double[] labels = new double[n];
        for (int i = 0; i < n; i++) {
            double z = 2.0 * random.nextGaussian();
            labels[i] = random.nextDouble() < 1.0 / (1.0 + Math.exp(-z)) ? 1 : 0;
            logits[i] = factor * z;
        }
        return new double[][] {logits, labels};
    }

    private static int[] ints(double[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = (int) values[i];
        }
        return ints;
    }

    @Test
    void fit_onLogitsThreeTimesOverconfident_shouldRecoverTemperatureThree() {
        double[][] data = overconfident(20_000, 3.0, 1);
        int[] labels = ints(data[1]);

        double temperature = TemperatureScaling.fit(data[0], labels);

        assertThat(temperature).isCloseTo(3.0, within(0.15));
        double atFit = TemperatureScaling.negativeLogLikelihood(data[0], labels, temperature);
        assertThat(atFit).isLessThan(TemperatureScaling.negativeLogLikelihood(data[0], labels, 1.0));
        assertThat(atFit).isLessThanOrEqualTo(TemperatureScaling.negativeLogLikelihood(data[0], labels, temperature * 1.01));
        assertThat(atFit).isLessThanOrEqualTo(TemperatureScaling.negativeLogLikelihood(data[0], labels, temperature / 1.01));
    }

    @Test
    void fit_onUnderconfidentLogits_shouldSharpenThem() {
        double[][] data = overconfident(20_000, 0.5, 2);

        assertThat(TemperatureScaling.fit(data[0], ints(data[1]))).isCloseTo(0.5, within(0.03));
    }

    @Test
    void fit_shouldLowerTheExpectedCalibrationError() {
        double[][] data = overconfident(5_000, 3.0, 3);
        int[] labels = ints(data[1]);
        double temperature = TemperatureScaling.fit(data[0], labels);
        double[] before = new double[labels.length];
        double[] after = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            before[i] = TemperatureScaling.probability(data[0][i], 1.0);
            after[i] = TemperatureScaling.probability(data[0][i], temperature);
        }

        double eceBefore = ReliabilityTable.of(before, labels).expectedCalibrationError();
        double eceAfter = ReliabilityTable.of(after, labels).expectedCalibrationError();

        assertThat(eceBefore).isGreaterThan(0.05);
        assertThat(eceAfter).isLessThan(eceBefore / 2);
        assertThat(BinaryMetrics.compute(after, labels, 0.5).rocAuc())
                .isEqualTo(BinaryMetrics.compute(before, labels, 0.5).rocAuc());
    }

    @Test
    void fitWithOffset_onShiftedOverconfidentLogits_shouldRecoverTemperatureAndOffsetWhereTemperatureAloneCannot() {
        // The model reports 2z - 1.5 (a positive-class weight below 1 shifts logits down like this):
        // p = sigmoid(logit / 2 + 0.75) is calibrated.
        double[][] data = overconfident(20_000, 2.0, 4);
        int[] labels = ints(data[1]);
        double[] shifted = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            shifted[i] = data[0][i] - 1.5;
        }

        double[] platt = TemperatureScaling.fitWithOffset(shifted, labels);
        double temperature = TemperatureScaling.fit(shifted, labels);

        assertThat(platt[0]).isCloseTo(2.0, within(0.1));
        assertThat(platt[1]).isCloseTo(0.75, within(0.08));
        double[] plattProbabilities = new double[labels.length];
        double[] temperatureProbabilities = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            plattProbabilities[i] = TemperatureScaling.probability(shifted[i], platt[0], platt[1]);
            temperatureProbabilities[i] = TemperatureScaling.probability(shifted[i], temperature);
        }
        double plattEce = ReliabilityTable.of(plattProbabilities, labels).expectedCalibrationError();
        double temperatureEce = ReliabilityTable.of(temperatureProbabilities, labels).expectedCalibrationError();
        assertThat(plattEce).isLessThan(0.02).isLessThan(temperatureEce / 2);
        assertThat(BinaryMetrics.compute(plattProbabilities, labels, 0.5).rocAuc())
                .isEqualTo(BinaryMetrics.compute(shifted, labels, 0.0).rocAuc());
    }

    @Test
    void fitWithOffset_onSeparatedClasses_shouldStayFinite() {
        double[] platt = TemperatureScaling.fitWithOffset(new double[] {-2, -1, -0.5, 0.5, 1, 2}, new int[] {0, 0, 0, 1, 1, 1});

        assertThat(platt[0]).isBetween(TemperatureScaling.MIN_TEMPERATURE, TemperatureScaling.MAX_TEMPERATURE);
        assertThat(Double.isFinite(platt[1])).isTrue();
    }

    @Test
    void fit_onSeparatedClasses_shouldStayFiniteThanksToSmoothedLabels() {
        double[] logits = {-2, -1, -0.5, 0.5, 1, 2};
        int[] labels = {0, 0, 0, 1, 1, 1};

        double temperature = TemperatureScaling.fit(logits, labels);

        // Plain likelihood would fall all the way to the bound: every positive logit is above every negative one.
        assertThat(TemperatureScaling.negativeLogLikelihood(logits, labels, TemperatureScaling.MIN_TEMPERATURE))
                .isLessThan(TemperatureScaling.negativeLogLikelihood(logits, labels, temperature));
        // Targets 4/5 and 1/5: the optimum solves sum((sigmoid(z / T) - t) z) = 0, whose root (found by
        // bisection outside this code) is T = 1.00576.
        assertThat(temperature).isCloseTo(1.00576, within(1e-4));
    }

    @Test
    void fit_onLogitsThatAreAllZero_shouldKeepTemperatureOne() {
        assertThat(TemperatureScaling.fit(new double[] {0, 0, 0}, new int[] {0, 1, 1})).isEqualTo(1.0);
    }

    @Test
    void probability_atTemperatureOne_shouldBeThePlainSigmoid() {
        for (double logit : new double[] {-40, -3.5, -0.1, 0, 0.7f, 12, 40}) {
            assertThat(TemperatureScaling.probability(logit, 1.0)).isEqualTo(1.0 / (1.0 + Math.exp(-logit)));
        }
        assertThat(TemperatureScaling.probability(2.0, 2.0)).isEqualTo(1.0 / (1.0 + Math.exp(-1.0)));
    }

    @Test
    void negativeLogLikelihood_shouldMatchTheDefinitionAndStayFiniteForHugeLogits() {
        double[] logits = {2.0, -1.0};
        int[] labels = {1, 1};
        double expected = -(Math.log(1 / (1 + Math.exp(-1.0))) + Math.log(1 / (1 + Math.exp(0.5)))) / 2;
        assertThat(TemperatureScaling.negativeLogLikelihood(logits, labels, 2.0)).isCloseTo(expected, within(1e-12));
        assertThat(TemperatureScaling.negativeLogLikelihood(new double[] {-1000}, new int[] {1}, 1.0))
                .isCloseTo(1000, within(1e-9));
    }

    @Test
    void invalidInput_shouldBeRefusedNamingIt() {
        assertThatThrownBy(() -> TemperatureScaling.fit(new double[] {1, Double.NaN}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1]");
        assertThatThrownBy(() -> TemperatureScaling.negativeLogLikelihood(new double[] {1}, new int[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> TemperatureScaling.fit(new double[] {1}, new int[] {2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels[0]");
    }
}
