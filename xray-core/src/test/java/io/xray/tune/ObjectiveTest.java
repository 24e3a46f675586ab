package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectiveTest {

    private static final List<Double> PEAKS_AT_TWO = List.of(0.70, 0.90, 0.80, 0.75);

    @Test
    void defaultObjective_shouldScoreTheBestEpochNotTheLast() {
        Objective.Score score = Objective.maximize("Val_f1").score(PEAKS_AT_TWO);
        assertThat(score.value()).isEqualTo(0.90);
        assertThat(score.bestEpoch()).isEqualTo(2);
    }

    @Test
    void lastAndMeanOfLast_shouldScoreAsTheirNamesSay() {
        assertThat(Objective.maximize("Val_f1").atLastEpoch().score(PEAKS_AT_TWO).value()).isEqualTo(0.75);
        assertThat(Objective.maximize("Val_f1").meanOfLast(2).score(PEAKS_AT_TWO).value()).isCloseTo(0.775,
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Objective.minimize("Val_loss").score(PEAKS_AT_TWO).bestEpoch()).isEqualTo(1);
        assertThat(Objective.maximize("m").score(List.of(Double.NaN, Double.NaN)).value()).isNaN();
    }

    @Test
    void textForm_shouldReadBack() {
        for (Objective o : List.of(Objective.maximize("Val_f1"), Objective.minimize("Val_loss").atLastEpoch(),
                Objective.maximize("x").meanOfLast(3))) {
            assertThat(Objective.parse(o.toString())).isEqualTo(o);
        }
        assertThatThrownBy(() -> Objective.parse("biggest:Val_f1")).hasMessageContaining("objective: 'biggest:Val_f1'");
    }
}
