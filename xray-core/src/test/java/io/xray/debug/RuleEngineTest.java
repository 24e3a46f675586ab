package io.xray.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The rule engine on hand-made observations: configuration, windows, verdicts and the log line. */
class RuleEngineTest {

    static StepObservation step(long step, double loss) {
        return step(step, 1, loss);
    }

    static StepObservation step(long step, int epoch, double loss) {
        return new StepObservation(step, epoch, loss, new float[] {0, 1}, null, List.of(), List.of(), List.of());
    }

    @Test
    void unknownParameter_shouldFailNamingRuleAndParameter() {
        assertThatThrownBy(() -> DebugRule.of(RuleName.DEAD_RELU).withParameter("threshold", 1))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("DeadRelu.threshold")
                .hasMessageContaining("threshold_inactivity");
        assertThatThrownBy(() -> DebuggerConfig.builder().sampleEverySteps(0).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("sampleEverySteps");
    }

    @Test
    void defaults_shouldCarrySageMakersNamesAndValues() {
        assertThat(RuleName.VANISHING_GRADIENT.defaults()).containsEntry("threshold", 1e-7);
        assertThat(RuleName.DEAD_RELU.defaults()).containsEntry("threshold_inactivity", 1.0)
                .containsEntry("threshold_layer", 50.0);
        assertThat(RuleName.LOSS_NOT_DECREASING.defaults()).containsEntry("num_steps", 10.0)
                .containsEntry("diff_percent", 0.1);
        assertThat(RuleName.OVERFIT.defaults()).containsKeys("start_step", "patience", "ratio_threshold");
        assertThat(RuleName.fromSageMakerName("ClassImbalance")).isEqualTo(RuleName.CLASS_IMBALANCE);
        assertThat(DebuggerConfig.defaults().rules()).hasSize(RuleName.values().length);
    }

    @Test
    void decreasingLoss_shouldNotFire_flatLossShouldFireAfterPatienceWindows() {
        DebuggerConfig config = DebuggerConfig.builder()
                .rule(DebugRule.of(RuleName.LOSS_NOT_DECREASING).withParameter("num_steps", 5))
                .build();
        try (RuleEngine decreasing = new RuleEngine(config); RuleEngine flat = new RuleEngine(config)) {
            for (int s = 1; s <= 40; s++) {
                decreasing.observeStep(step(s, 1.0 / s + 0.02 * (s % 2)));
                flat.observeStep(step(s, 0.7 + 0.01 * (s % 5))); // every window's mean is the same
            }
            assertThat(decreasing.report().issues()).isEmpty();
            RuleVerdict verdict = flat.report().verdict(RuleName.LOSS_NOT_DECREASING).orElseThrow();
            assertThat(verdict.fired()).isTrue();
            // windows end at steps 5 (the first), 10, 15: two windows without a decrease
            assertThat(verdict.step()).isEqualTo(15);
        }
    }

    @Test
    void sampling_shouldCoverTheFirstStepsThenEveryKth() {
        try (RuleEngine engine = new RuleEngine(DebuggerConfig.defaults().toBuilder().sampleEverySteps(25).build())) {
            assertThat(engine.samples(1)).isTrue();
            assertThat(engine.samples(10)).isTrue(); // PoorWeightInitialization's steps
            assertThat(engine.samples(11)).isFalse();
            assertThat(engine.samples(50)).isTrue();
        }
        try (RuleEngine off = new RuleEngine(DebuggerConfig.disabled())) {
            assertThat(off.samples(1)).isFalse();
        }
    }

    @Test
    void ruleSetToStop_shouldAskToStopInTheEpochItFired_andTheLogLineShouldCountIssues() {
        DebuggerConfig config = DebuggerConfig.builder()
                .rule(DebugRule.of(RuleName.EXPLODING_TENSOR).stoppingTraining())
                .rule(DebugRule.of(RuleName.VANISHING_GRADIENT))
                .build();
        try (RuleEngine engine = new RuleEngine(config)) {
            engine.observeStep(step(1, 0.5));
            assertThat(engine.observeEpoch(new EpochObservation(1, 1, 0.5, Double.NaN, 0.6))).isFalse();
            engine.observeStep(step(2, 2, Double.NaN));
            assertThat(engine.observeEpoch(new EpochObservation(2, 2, 0.5, Double.NaN, 0.6))).isTrue();
            String line = engine.logLine(2);
            assertThat(line).isEqualTo("Debugger_epoch 2: Rule_issues=1; VanishingGradient=0; ExplodingTensor=1");
            Matcher issues = Pattern.compile("Rule_issues=([0-9]+)").matcher(line);
            assertThat(issues.find()).isTrue();
            assertThat(issues.group(1)).isEqualTo("1");
            assertThat(engine.report().verdict(RuleName.EXPLODING_TENSOR).orElseThrow().step()).isEqualTo(2);
        }
    }

    @Test
    void activationRulesWithoutActivations_shouldSayTheyWereNotEvaluated() {
        DebuggerConfig config = DebuggerConfig.builder()
                .rule(DebugRule.of(RuleName.DEAD_RELU))
                .rule(DebugRule.of(RuleName.POOR_WEIGHT_INITIALIZATION))
                .build();
        try (RuleEngine engine = new RuleEngine(config)) {
            engine.observeStep(step(1, 0.5));
            assertThat(engine.report().verdicts()).allSatisfy(v -> {
                assertThat(v.fired()).isFalse();
                assertThat(v.evidence()).startsWith("not evaluated: no ReLU activations");
            });
            ActivationStatistics alive = new ActivationStatistics("stem.relu", new float[] {0.5f, 0.4f}, 1.0);
            ActivationStatistics alsoAlive = new ActivationStatistics("layer1.0.relu1", new float[] {0.5f}, 2.0);
            engine.observeStep(new StepObservation(2, 1, 0.5, new float[] {0, 1}, null, List.of(), List.of(),
                    List.of(alive, alsoAlive)));
            assertThat(engine.report().verdicts()).allSatisfy(v -> assertThat(v.evidence()).isEqualTo("no issues found"));
        }
    }

    @Test
    void classImbalance_afterAnEpochWithoutSteps_shouldNotFire() {
        DebuggerConfig config = DebuggerConfig.builder().rule(DebugRule.of(RuleName.CLASS_IMBALANCE)).build();
        try (RuleEngine engine = new RuleEngine(config)) {
            // A head trained on cached features: epochs end, no step is observed.
            assertThat(engine.observeEpoch(new EpochObservation(1, 10, 0.5, Double.NaN, 0.6))).isFalse();

            assertThat(engine.report().verdict(RuleName.CLASS_IMBALANCE).orElseThrow().fired()).isFalse();
        }
    }
}
