package io.xray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThresholdsTest {

    // Sorted by descending score; P = 5. At each threshold t (positive when score >= t):
    //   t     tp fp  F1 = 2tp / (tp + fp + P)   recall
    //  .95    1  0   2/6  = .333                .2
    //  .80    2  0   4/7  = .571                .4
    //  .60    2  1   4/8  = .500                .4
    //  .55    3  1   6/9  = .667                .6
    //  .50    3  2   6/10 = .600                .6
    //  .45    4  2   8/11 = .727  <- max        .8
    //  .40    4  3   8/12 = .667                .8
    //  .30    4  4   8/13 = .615                .8
    //  .20    5  4  10/14 = .714                1
    //  .10    5  5  10/15 = .667                1
    private static final double[] SCORES = {0.95, 0.80, 0.60, 0.55, 0.50, 0.45, 0.40, 0.30, 0.20, 0.10};
    private static final int[] LABELS = {1, 1, 0, 1, 0, 1, 0, 0, 1, 0};

    @Test
    void tenExamples_shouldChooseTheThresholdOfMaximumF1ByHand() {
        ThresholdChoice choice = Thresholds.maxF1(SCORES, LABELS);

        assertThat(choice.threshold()).isEqualTo(0.45);
        assertThat(choice.rule()).isEqualTo("max-f1");
        assertThat(choice.confusion()).isEqualTo(new ConfusionMatrix(4, 2, 3, 1));
        assertThat(choice.confusion().f1()).isEqualTo(8.0 / 11.0);
    }

    @Test
    void shuffledInput_shouldChooseTheSameThreshold() {
        double[] scores = {0.30, 0.95, 0.10, 0.55, 0.45, 0.80, 0.20, 0.60, 0.50, 0.40};
        int[] labels = {0, 1, 0, 1, 1, 1, 1, 0, 0, 0};

        assertThat(Thresholds.maxF1(scores, labels)).isEqualTo(Thresholds.maxF1(SCORES, LABELS));
    }

    @Test
    void equalF1AtTwoThresholds_shouldChooseTheHigher() {
        // scores .9 .8 .7 .6 labels 1 0 0 1 (P = 2):
        //   .9: tp 1 fp 0 -> 2/3 ; .8: 2/4 ; .7: 2/5 ; .6: tp 2 fp 2 -> 4/6 = 2/3 (tie with .9)
        ThresholdChoice choice = Thresholds.maxF1(new double[] {0.9, 0.8, 0.7, 0.6}, new int[] {1, 0, 0, 1});

        assertThat(choice.threshold()).isEqualTo(0.9);
        assertThat(choice.confusion()).isEqualTo(new ConfusionMatrix(1, 0, 2, 1));
    }

    @Test
    void tiedScores_shouldBeDecidedTogether() {
        // .7 holds a positive and a negative: t=.7 tp 1 fp 1 -> 2/4 ; t=.3 tp 2 fp 1 -> 4/5
        ThresholdChoice choice = Thresholds.maxF1(new double[] {0.7, 0.7, 0.3}, new int[] {1, 0, 1});

        assertThat(choice.threshold()).isEqualTo(0.3);
        assertThat(choice.confusion()).isEqualTo(new ConfusionMatrix(2, 1, 0, 0));
    }

    @Test
    void targetSensitivity_shouldGiveTheHighestThresholdReachingItByHand() {
        // from the table: recall >= .8 first (from the top) at .45 ; >= .9 needs tp 5 -> .20
        ThresholdChoice at80 = Thresholds.forSensitivity(SCORES, LABELS, 0.8);
        ThresholdChoice at90 = Thresholds.forSensitivity(SCORES, LABELS, 0.9);

        assertThat(at80.threshold()).isEqualTo(0.45);
        assertThat(at80.rule()).isEqualTo("sensitivity>=0.8");
        assertThat(at80.confusion()).isEqualTo(new ConfusionMatrix(4, 2, 3, 1));
        assertThat(at90.threshold()).isEqualTo(0.20);
        assertThat(at90.confusion()).isEqualTo(new ConfusionMatrix(5, 4, 1, 0));
    }

    @Test
    void targetExactlyReached_shouldCountAsReached() {
        // recall 3/5 == 0.6 first at .55, so .55 and not the lower .45
        ThresholdChoice choice = Thresholds.forSensitivity(SCORES, LABELS, 0.6);

        assertThat(choice.threshold()).isEqualTo(0.55);
        assertThat(choice.confusion().recall()).isEqualTo(0.6);
    }

    @Test
    void extremeTargets_shouldGiveTheHighestScoreAndTheLowestPositiveScore() {
        assertThat(Thresholds.forSensitivity(SCORES, LABELS, 0.0).threshold()).isEqualTo(0.95);
        assertThat(Thresholds.forSensitivity(SCORES, LABELS, 1.0).threshold()).isEqualTo(0.20);
    }

    @Test
    void chosenThreshold_shouldGiveTheReportedConfusionWhenApplied() {
        ThresholdChoice choice = Thresholds.forSensitivity(SCORES, LABELS, 0.75);

        assertThat(ConfusionMatrix.of(SCORES, LABELS, choice.threshold())).isEqualTo(choice.confusion());
    }

    @Test
    void noPositiveLabel_shouldBeRefusedByBothRules() {
        double[] scores = {0.1, 0.9};
        int[] labels = {0, 0};

        assertThatThrownBy(() -> Thresholds.maxF1(scores, labels))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no PNEUMONIA");
        assertThatThrownBy(() -> Thresholds.forSensitivity(scores, labels, 0.9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no PNEUMONIA");
    }

    @Test
    void targetOutsideUnitInterval_shouldBeRefused() {
        assertThatThrownBy(() -> Thresholds.forSensitivity(SCORES, LABELS, 1.01))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetSensitivity is 1.01");
        assertThatThrownBy(() -> Thresholds.forSensitivity(SCORES, LABELS, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetSensitivity is NaN");
    }

    @Test
    void invalidLabels_shouldBeRefused() {
        assertThatThrownBy(() -> Thresholds.maxF1(new double[] {0.1, 0.2}, new int[] {1, -1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels[1] is -1");
    }
}
