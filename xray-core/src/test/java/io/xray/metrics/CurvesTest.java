package io.xray.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CurvesTest {

    private static final double[] TIED_SCORES = {0.1, 0.4, 0.4, 0.8};
    private static final int[] TIED_LABELS = {0, 0, 1, 1};

    @Test
    void tiedScores_shouldGiveOneRocPointPerDistinctScoreAfterTheOrigin() {
        // t just above .8: nothing positive (0,0) ; t=.8: tp 1 fp 0 (0,.5) ;
        // t=.4: tp 2 fp 1 (.5,1) ; t=.1: tp 2 fp 2 (1,1)
        RocCurve roc = Curves.roc(TIED_SCORES, TIED_LABELS);

        assertThat(roc.size()).isEqualTo(4);
        assertThat(roc.thresholds()).containsExactly(Math.nextUp(0.8), 0.8, 0.4, 0.1);
        assertThat(roc.falsePositiveRates()).containsExactly(0.0, 0.0, 0.5, 1.0);
        assertThat(roc.truePositiveRates()).containsExactly(0.0, 0.5, 1.0, 1.0);
    }

    @Test
    void tiedScores_shouldGivePrecisionAndRecallAtEachDistinctScore() {
        // t=.8: tp 1 fp 0 -> R .5 P 1 ; t=.4: tp 2 fp 1 -> R 1 P 2/3 ; t=.1: tp 2 fp 2 -> R 1 P .5
        PrecisionRecallCurve pr = Curves.precisionRecall(TIED_SCORES, TIED_LABELS);

        assertThat(pr.thresholds()).containsExactly(0.8, 0.4, 0.1);
        assertThat(pr.recalls()).containsExactly(0.5, 1.0, 1.0);
        assertThat(pr.precisions()).containsExactly(1.0, 2.0 / 3.0, 0.5);
    }

    @Test
    void randomScores_shouldGiveCurvesWhoseAreasAreTheMetricsAucs() {
        Random random = new Random(11);
        int n = 200;
        double[] scores = new double[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(3) == 0 ? 1 : 0;
            scores[i] = Math.round((random.nextDouble() + 0.4 * labels[i]) * 10) / 10.0;
        }
        BinaryMetrics metrics = BinaryMetrics.compute(scores, labels, 0.5);

        RocCurve roc = Curves.roc(scores, labels);
        PrecisionRecallCurve pr = Curves.precisionRecall(scores, labels);

        double[] x = roc.falsePositiveRates();
        double[] y = roc.truePositiveRates();
        double trapezoid = 0;
        for (int i = 1; i < x.length; i++) {
            trapezoid += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        double[] r = pr.recalls();
        double[] p = pr.precisions();
        double steps = r[0] * p[0];
        for (int i = 1; i < r.length; i++) {
            steps += (r[i] - r[i - 1]) * p[i];
        }
        assertThat(trapezoid).isCloseTo(metrics.rocAuc(), within(1e-12));
        assertThat(steps).isCloseTo(metrics.prAuc(), within(1e-12));
        assertThat(x[x.length - 1]).isEqualTo(1.0);
        assertThat(y[y.length - 1]).isEqualTo(1.0);
    }

    @Test
    void returnedArrays_shouldBeCopiesThatCannotChangeTheCurve() {
        RocCurve roc = Curves.roc(TIED_SCORES, TIED_LABELS);

        roc.truePositiveRates()[1] = 42.0;

        assertThat(roc.truePositiveRates()[1]).isEqualTo(0.5);
        assertThat(roc).isEqualTo(Curves.roc(TIED_SCORES, TIED_LABELS));
    }

    @Test
    void singleClass_shouldBeRefusedForRocAndNoPositivesForPrecisionRecall() {
        assertThatThrownBy(() -> Curves.roc(new double[] {0.1, 0.2}, new int[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both classes");
        assertThatThrownBy(() -> Curves.precisionRecall(new double[] {0.1, 0.2}, new int[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PNEUMONIA");
    }

    @Test
    void mismatchedArrays_shouldBeRefusedByTheRecord() {
        assertThatThrownBy(() -> new PrecisionRecallCurve(new double[2], new double[2], new double[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recalls and thresholds");
    }

    @Test
    void curvesAndThresholdChoice_shouldRoundTripThroughJsonEqual() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        RocCurve roc = Curves.roc(TIED_SCORES, TIED_LABELS);
        PrecisionRecallCurve pr = Curves.precisionRecall(TIED_SCORES, TIED_LABELS);
        ThresholdChoice choice = Thresholds.maxF1(TIED_SCORES, TIED_LABELS);

        assertThat(mapper.readValue(mapper.writeValueAsString(roc), RocCurve.class)).isEqualTo(roc);
        assertThat(mapper.readValue(mapper.writeValueAsString(pr), PrecisionRecallCurve.class)).isEqualTo(pr);
        assertThat(mapper.readValue(mapper.writeValueAsString(choice), ThresholdChoice.class)).isEqualTo(choice);
        assertThat(mapper.readTree(mapper.writeValueAsString(roc)).size()).isEqualTo(3);
    }
}
