package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParametersTest {

    @Test
    void textForms_shouldReadBackToEqualParameters() {
        for (String spec : List.of("learning-rate=log:0.0001:0.1", "x=lin:-5:10", "n=int:1:10", "w=intlog:1:1000",
                "batch-size=cat:32,64,128")) {
            assertThat(Parameter.parse(spec).toString()).isEqualTo(spec);
        }
        assertThat(Parameter.parse("learning-rate=log:1e-4:0.1")).isEqualTo(ContinuousParameter.log("learning-rate", 1e-4, 0.1));
    }

    @Test
    void logScale_shouldSpendEqualShareOnEachDecade() {
        ContinuousParameter lr = ContinuousParameter.log("learning-rate", 1e-4, 0.1);
        assertThat(lr.valueAt(0)).isEqualTo("0.0001");
        assertThat(lr.valueAt(1)).isEqualTo("0.1");
        assertThat(Double.parseDouble(lr.valueAt(1.0 / 3))).isCloseTo(1e-3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(lr.unitOf("0.01")).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void integerAndCategorical_shouldCoverEveryValue() {
        IntegerParameter n = IntegerParameter.linear("n", 1, 3);
        assertThat(List.of(n.valueAt(0), n.valueAt(0.5), n.valueAt(0.999), n.valueAt(1))).containsExactly("1", "2", "3", "3");
        CategoricalParameter b = CategoricalParameter.of("batch-size", "32", "64", "128");
        assertThat(List.of(b.valueAt(0.1), b.valueAt(0.5), b.valueAt(0.9))).containsExactly("32", "64", "128");
        double[] features = SearchSpace.of(n, b).features(java.util.Map.of("n", "3", "batch-size", "64"));
        assertThat(features).containsExactly(1.0, 0.0, 1.0, 0.0);
    }

    @Test
    void badSpecs_shouldNameWhatIsWrong() {
        assertThatThrownBy(() -> Parameter.parse("lr=log:0:0.1")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("lr: a log scale needs min > 0");
        assertThatThrownBy(() -> Parameter.parse("lr=exp:1:2")).hasMessageContaining("'exp' is not a kind");
        assertThatThrownBy(() -> Parameter.parse("lr")).hasMessageContaining("is not NAME=lin:MIN:MAX");
        assertThatThrownBy(() -> Parameter.parse("b=cat:32,32")).hasMessageContaining("'32' is listed twice");
        assertThatThrownBy(() -> Parameter.parse("x=lin:1:a")).hasMessageContaining("are not numbers");
        assertThatThrownBy(() -> SearchSpace.of(ContinuousParameter.linear("x", 0, 1), ContinuousParameter.linear("x", 0, 2)))
                .hasMessageContaining("'x' is given twice");
    }
}
