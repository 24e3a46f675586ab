package io.xray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    private static final double EPS = 1e-12;

    @Test
    void tiedScores_shouldGiveRocAucOfMannWhitneyWithHalfForTies() {
        // scores [0.1, 0.4, 0.4, 0.8], labels [0, 0, 1, 1]; P = 2, N = 2
        // pairs (positive, negative): (0.8, 0.1) 1, (0.8, 0.4) 1, (0.4, 0.1) 1, (0.4, 0.4) 1/2 -> 3.5 / 4
        // trapezoid: points (0,0) (0,.5) [t=.8] (.5,1) [t=.4] (1,1) [t=.1]
        //   0*(.25) + .5*(.5+1)/2 + .5*(1+1)/2 = .375 + .5 = .875
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.1, 0.4, 0.4, 0.8}, new int[] {0, 0, 1, 1}, 0.5);

        assertThat(m.rocAuc()).isCloseTo(0.875, within(EPS));
    }

    @Test
    void tiedScores_shouldGiveEveryOtherValueByHand() {
        // threshold 0.5: only 0.8 predicted positive -> tp 1, fp 0, tn 2, fn 1
        // AP: t=.8 tp 1 fp 0: R .5 P 1 -> .5*1 ; t=.4 tp 2 fp 1: R 1 P 2/3 -> .5*2/3 ; t=.1 dR 0
        //     = 1/2 + 1/3 = 5/6
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.1, 0.4, 0.4, 0.8}, new int[] {0, 0, 1, 1}, 0.5);

        assertThat(m.threshold()).isEqualTo(0.5);
        assertThat(m.confusion()).isEqualTo(new ConfusionMatrix(1, 0, 2, 1));
        assertThat(m.accuracy()).isCloseTo(0.75, within(EPS));     // 3/4
        assertThat(m.precision()).isCloseTo(1.0, within(EPS));     // 1/1
        assertThat(m.recall()).isCloseTo(0.5, within(EPS));        // 1/2
        assertThat(m.specificity()).isCloseTo(1.0, within(EPS));   // 2/2
        assertThat(m.f1()).isCloseTo(2.0 / 3.0, within(EPS));      // 2/(2+0+1)
        assertThat(m.prAuc()).isCloseTo(5.0 / 6.0, within(EPS));
        assertThat(m.naiveF1()).isCloseTo(2.0 / 3.0, within(EPS)); // p=.5: 2*.5/1.5
        assertThat(m.count()).isEqualTo(4);
        assertThat(m.positives()).isEqualTo(2);
    }

    @Test
    void sklearnDocumentationExample_shouldGiveItsPublishedValues() {
        // y = [0,0,1,1], s = [0.1,0.4,0.35,0.8]: roc_auc_score 0.75, average_precision_score 0.8333
        // ROC pairs: (.8,.1) 1 (.8,.4) 1 (.35,.1) 1 (.35,.4) 0 -> 3/4
        // AP: t=.8 R .5 P 1 -> .5 ; t=.4 no new positive ; t=.35 R 1 P 2/3 -> 1/3 ; = 5/6
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.1, 0.4, 0.35, 0.8}, new int[] {0, 0, 1, 1}, 0.5);

        assertThat(m.rocAuc()).isCloseTo(0.75, within(EPS));
        assertThat(m.prAuc()).isCloseTo(5.0 / 6.0, within(EPS));
    }

    @Test
    void eightDistinctScores_shouldGiveAveragePrecisionAsMeanPrecisionAtEachPositive() {
        // ranked by descending score the labels are 1 0 1 1 0 0 1 0 (P = 4, N = 4)
        // precision at each positive: rank1 1/1, rank3 2/3, rank4 3/4, rank7 4/7
        //   AP = (1 + 2/3 + 3/4 + 4/7) / 4 = (84 + 56 + 63 + 48) / 84 / 4 = 251/336
        // ROC: negatives ranked below each positive: 4, 3, 3, 1 -> 11/16
        double[] scores = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2};
        int[] labels = {1, 0, 1, 1, 0, 0, 1, 0};

        BinaryMetrics m = BinaryMetrics.compute(scores, labels, 0.5);

        assertThat(m.prAuc()).isCloseTo(251.0 / 336.0, within(EPS));
        assertThat(m.rocAuc()).isCloseTo(11.0 / 16.0, within(EPS));
    }

    @Test
    void positiveTiedWithNegativeAtTop_shouldGroupTheTieInAveragePrecision() {
        // scores [.9,.9,.5,.3], labels [1,0,1,0]
        // grouped: t=.9 tp 1 fp 1: R .5 P .5 -> .25 ; t=.5 tp 2 fp 1: R 1 P 2/3 -> 1/3 ; = 7/12
        // (breaking the tie positive-first would wrongly give .5*1 + .5*2/3 = 5/6)
        // ROC: (.9p,.9n) 1/2, (.9p,.3n) 1, (.5p,.9n) 0, (.5p,.3n) 1 -> 2.5/4 = .625
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.9, 0.9, 0.5, 0.3}, new int[] {1, 0, 1, 0}, 0.5);

        assertThat(m.prAuc()).isCloseTo(7.0 / 12.0, within(EPS));
        assertThat(m.rocAuc()).isCloseTo(0.625, within(EPS));
    }

    @Test
    void perfectlySeparated_shouldGiveAucsOfOne() {
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.1, 0.2, 0.8, 0.9}, new int[] {0, 0, 1, 1}, 0.5);

        assertThat(m.rocAuc()).isEqualTo(1.0);
        assertThat(m.prAuc()).isEqualTo(1.0);
        assertThat(m.accuracy()).isEqualTo(1.0);
    }

    @Test
    void perfectlyInverted_shouldGiveRocAucZeroAndAveragePrecisionByHand() {
        // labels by descending score: 0 0 1 1 (scores .9 .8 .2 .1)
        // AP: t=.2 tp 1 fp 2: R .5 P 1/3 ; t=.1 tp 2 fp 2: R 1 P 1/2 -> .5/3 + .5/2 = 5/12
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.1, 0.2, 0.8, 0.9}, new int[] {1, 1, 0, 0}, 0.5);

        assertThat(m.rocAuc()).isEqualTo(0.0);
        assertThat(m.prAuc()).isCloseTo(5.0 / 12.0, within(EPS));
        assertThat(m.accuracy()).isEqualTo(0.0);
    }

    @Test
    void allScoresEqual_shouldGiveRocAucOneHalfAndApEqualToPrevalence() {
        // one group: points (0,0) (1,1) -> .5 ; AP: R 1 at P = 3/5
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.7, 0.7, 0.7, 0.7, 0.7}, new int[] {1, 0, 1, 1, 0}, 0.5);

        assertThat(m.rocAuc()).isCloseTo(0.5, within(EPS));
        assertThat(m.prAuc()).isCloseTo(0.6, within(EPS));
    }

    @Test
    void threeOfTenPositive_shouldGiveNaiveF1OfAllPneumoniaPrediction() {
        // all predicted pneumonia: tp 3, fp 7 -> F1 = 2*3/(6+7+0) = 6/13 ; 2p/(1+p) = .6/1.3 = 6/13
        double[] scores = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
        int[] labels = {0, 0, 0, 0, 1, 0, 0, 1, 0, 1};

        BinaryMetrics m = BinaryMetrics.compute(scores, labels, 0.5);

        assertThat(m.naiveF1()).isCloseTo(6.0 / 13.0, within(EPS));
        assertThat(m.positives()).isEqualTo(3);
    }

    @Test
    void onlyNegativeLabels_shouldLeaveBothAucsUndefinedAsNaN() {
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.2, 0.6}, new int[] {0, 0}, 0.5);

        assertThat(m.rocAuc()).isNaN();
        assertThat(m.prAuc()).isNaN();
        assertThat(m.naiveF1()).isZero();   // tp 0, fp 2, fn 0 -> 0/(0+2) = 0
        assertThat(m.recall()).isZero();    // 0/0 -> 0.0
    }

    @Test
    void onlyPositiveLabels_shouldLeaveRocAucUndefinedButDefineAveragePrecision() {
        BinaryMetrics m = BinaryMetrics.compute(new double[] {0.2, 0.6}, new int[] {1, 1}, 0.5);

        assertThat(m.rocAuc()).isNaN();
        assertThat(m.prAuc()).isEqualTo(1.0);  // precision 1 at every threshold
        assertThat(m.naiveF1()).isEqualTo(1.0);
        assertThat(m.specificity()).isZero();  // 0/0 -> 0.0
    }

    @Test
    void randomScoresWithTies_shouldMatchBruteForceDefinitions() {
        Random random = new Random(7);
        int n = 300;
        double[] scores = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextDouble() < 0.4 ? 1 : 0;
            // rounded to 0.05 so that many scores tie, within and across classes
            scores[i] = Math.round((random.nextDouble() * 0.6 + 0.3 * labels[i]) * 20) / 20.0;
        }

        BinaryMetrics m = BinaryMetrics.compute(scores, labels, 0.5);

        assertThat(m.rocAuc()).isCloseTo(bruteForceMannWhitney(scores, labels), within(1e-12));
        assertThat(m.prAuc()).isCloseTo(bruteForceAveragePrecision(scores, labels), within(1e-12));
    }

    @Test
    void differentLengths_shouldBeRefusedNamingBothLengths() {
        assertThatThrownBy(() -> BinaryMetrics.compute(new double[] {0.1, 0.2}, new int[] {1}, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same length")
                .hasMessageContaining("2 scores")
                .hasMessageContaining("1 labels");
    }

    @Test
    void emptyInput_shouldBeRefused() {
        assertThatThrownBy(() -> BinaryMetrics.compute(new double[0], new int[0], 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void labelOtherThanZeroOrOne_shouldBeRefusedNamingTheIndex() {
        assertThatThrownBy(() -> BinaryMetrics.compute(new double[] {0.1, 0.2, 0.3}, new int[] {0, 1, 2}, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels[2] is 2");
    }

    @Test
    void nanOrInfiniteScore_shouldBeRefusedNamingTheIndex() {
        assertThatThrownBy(() -> BinaryMetrics.compute(new double[] {0.1, Double.NaN}, new int[] {0, 1}, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scores[1] is NaN");
        assertThatThrownBy(() -> BinaryMetrics.compute(
                        new double[] {Double.NEGATIVE_INFINITY, 0.3}, new int[] {0, 1}, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scores[0] is -Infinity");
    }

    @Test
    void nullArrays_shouldBeRefusedNamingTheArgument() {
        assertThatThrownBy(() -> BinaryMetrics.compute(null, new int[] {0}, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scores");
        assertThatThrownBy(() -> BinaryMetrics.compute(new double[] {0.1}, null, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels");
    }

    @Test
    void ratioDisagreeingWithConfusion_shouldBeRefusedByTheConstructor() {
        ConfusionMatrix cm = new ConfusionMatrix(1, 0, 2, 1);

        assertThatThrownBy(() -> new BinaryMetrics(0.5, cm, 0.9, 1.0, 0.5, 1.0, 2.0 / 3.0,
                        0.875, 5.0 / 6.0, 2.0 / 3.0, 4, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accuracy is 0.9");
    }

    /** P(score of a random positive > that of a random negative) + 1/2 P(equal), over all pairs. */
    private static double bruteForceMannWhitney(double[] scores, int[] labels) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.length; i++) {
            for (int j = 0; j < scores.length; j++) {
                if (labels[i] == 1 && labels[j] == 0) {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
                }
            }
        }
        return wins / pairs;
    }

    /** sum over distinct thresholds (descending) of (R_n - R_{n-1}) P_n, each by a full rescan. */
    private static double bruteForceAveragePrecision(double[] scores, int[] labels) {
        double[] distinct = java.util.Arrays.stream(scores).distinct().sorted().toArray();
        double ap = 0;
        double previousRecall = 0;
        for (int k = distinct.length - 1; k >= 0; k--) {
            ConfusionMatrix cm = ConfusionMatrix.of(scores, labels, distinct[k]);
            ap += (cm.recall() - previousRecall) * cm.precision();
            previousRecall = cm.recall();
        }
        return ap;
    }
}
