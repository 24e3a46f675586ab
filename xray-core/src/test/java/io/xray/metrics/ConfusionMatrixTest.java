package io.xray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    private static final double EPS = 1e-12;

    // index:     0    1    2    3    4    5    6    7    8    9
    // score:    .95  .80  .60  .55  .50  .45  .40  .30  .20  .10
    // label:     1    1    0    1    0    1    0    0    1    0
    private static final double[] SCORES = {0.95, 0.80, 0.60, 0.55, 0.50, 0.45, 0.40, 0.30, 0.20, 0.10};
    private static final int[] LABELS = {1, 1, 0, 1, 0, 1, 0, 0, 1, 0};

    @Test
    void tenExamplesAtHalf_shouldCountByHand() {
        // threshold 0.5, positive when score >= 0.5: indices 0..4 predicted positive
        //   predicted positive: labels 1,1,0,1,0 -> tp 3, fp 2
        //   predicted negative: labels 1,0,0,1,0 -> fn 2, tn 3
        ConfusionMatrix cm = ConfusionMatrix.of(SCORES, LABELS, 0.5);

        assertThat(cm).isEqualTo(new ConfusionMatrix(3, 2, 3, 2));
        assertThat(cm.total()).isEqualTo(10);
        assertThat(cm.positives()).isEqualTo(5);
        assertThat(cm.negatives()).isEqualTo(5);
        assertThat(cm.accuracy()).isCloseTo(0.6, within(EPS));      // (3+3)/10
        assertThat(cm.precision()).isCloseTo(0.6, within(EPS));     // 3/(3+2)
        assertThat(cm.recall()).isCloseTo(0.6, within(EPS));        // 3/(3+2)
        assertThat(cm.specificity()).isCloseTo(0.6, within(EPS));   // 3/(3+2)
        assertThat(cm.f1()).isCloseTo(0.6, within(EPS));            // 2*3/(6+2+2)
    }

    @Test
    void unevenCounts_shouldGiveEachRatioItsOwnValue() {
        // tp 4, fp 1, tn 3, fn 2 (total 10)
        ConfusionMatrix cm = new ConfusionMatrix(4, 1, 3, 2);

        assertThat(cm.accuracy()).isCloseTo(0.7, within(EPS));           // 7/10
        assertThat(cm.precision()).isCloseTo(0.8, within(EPS));          // 4/5
        assertThat(cm.recall()).isCloseTo(4.0 / 6.0, within(EPS));       // 4/6
        assertThat(cm.specificity()).isCloseTo(0.75, within(EPS));       // 3/4
        // 2PR/(P+R) = 2*0.8*(2/3)/(0.8+2/3) = (16/15)/(22/15) = 8/11 = 2*4/(8+1+2)
        assertThat(cm.f1()).isCloseTo(8.0 / 11.0, within(EPS));
    }

    @Test
    void scoreEqualToThreshold_shouldBePredictedPositive() {
        ConfusionMatrix cm = ConfusionMatrix.of(new double[] {0.5, 0.5}, new int[] {1, 0}, 0.5);

        assertThat(cm).isEqualTo(new ConfusionMatrix(1, 1, 0, 0));
    }

    @Test
    void thresholdAboveEveryScore_shouldPredictNothingPositiveAndGiveZeroNotNaN() {
        // nothing predicted positive: tp 0, fp 0 -> precision 0/0 -> 0.0; f1 = 0/(0+0+2) = 0
        ConfusionMatrix cm = ConfusionMatrix.of(new double[] {0.2, 0.3, 0.9}, new int[] {1, 0, 1}, 0.95);

        assertThat(cm).isEqualTo(new ConfusionMatrix(0, 0, 1, 2));
        assertThat(cm.precision()).isZero();
        assertThat(cm.recall()).isZero();
        assertThat(cm.f1()).isZero();
        assertThat(cm.specificity()).isEqualTo(1.0);
    }

    @Test
    void noPositivesAndNoNegatives_shouldGiveZeroForUndefinedRatios() {
        ConfusionMatrix onlyNegatives = new ConfusionMatrix(0, 0, 5, 0);
        ConfusionMatrix onlyPositives = new ConfusionMatrix(5, 0, 0, 0);
        ConfusionMatrix empty = new ConfusionMatrix(0, 0, 0, 0);

        assertThat(onlyNegatives.recall()).isZero();        // 0/0
        assertThat(onlyNegatives.f1()).isZero();            // 0/0
        assertThat(onlyNegatives.accuracy()).isEqualTo(1.0);
        assertThat(onlyPositives.specificity()).isZero();   // 0/0
        assertThat(onlyPositives.f1()).isEqualTo(1.0);
        assertThat(empty.accuracy()).isZero();              // 0/0
        assertThat(new double[] {empty.accuracy(), empty.precision(), empty.recall(),
                empty.specificity(), empty.f1()}).doesNotContain(Double.NaN);
    }

    @Test
    void negativeCount_shouldBeRefusedNamingTheField() {
        assertThatThrownBy(() -> new ConfusionMatrix(1, 0, -1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trueNegatives")
                .hasMessageContaining("-1");
    }

    @Test
    void nonFiniteThreshold_shouldBeRefused() {
        assertThatThrownBy(() -> ConfusionMatrix.of(SCORES, LABELS, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold");
    }
}
