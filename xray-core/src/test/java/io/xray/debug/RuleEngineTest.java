package io.xray.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The rule engine on hand-made observations: configuration, windows, verdicts, the log line, and
 * its state carried over to a new engine as a resumed run's checkpoint carries it.
 */
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

    /** Every rule, with windows and patience short enough that what fires in epochs 3 and 4 depends on epochs 1 and 2. */
    static DebuggerConfig rulesWithMemory() {
        return DebuggerConfig.defaults().toBuilder()
                .rule(DebugRule.of(RuleName.OVERFIT).withParameter("patience", 2))
                .rule(DebugRule.of(RuleName.OVERTRAINING).withParameter("patience_validation", 2))
                .rule(DebugRule.of(RuleName.LOSS_NOT_DECREASING).withParameter("num_steps", 3).withParameter("patience", 1))
                .rule(DebugRule.of(RuleName.POOR_WEIGHT_INITIALIZATION).withParameter("steps", 10))
                .rule(DebugRule.of(RuleName.CLASS_IMBALANCE).withParameter("threshold_imbalance", 2)
                        .withParameter("samples", 6))
                .build();
    }

    /** Step {@code s} of a scripted run of 4 steps per epoch: every rule has something to see. */
    static StepObservation scriptedStep(int s) {
        int epoch = (s - 1) / 4 + 1;
        double loss = s <= 4 ? 1.0 - 0.1 * s : 0.7 + 0.01 * (s % 3); // falls, then flat
        List<TensorStatistics> gradients = List.of(
                new TensorStatistics("fc.weight", s == 2 ? 1e-9 : 0.01, false, false),
                new TensorStatistics("fc.bias", s == 3 ? Double.POSITIVE_INFINITY : 0.02, false, s == 3));
        List<ActivationStatistics> activations = List.of(
                new ActivationStatistics("stem.relu", s == 5 ? new float[] {0f, 0f} : new float[] {0.5f, 0.4f}, 1.0),
                new ActivationStatistics("layer1.0.relu1", new float[] {0.5f}, s % 2 == 0 ? 20.0 : 2.0));
        return new StepObservation(s, epoch, loss, new float[] {0, 0, 0, 1}, new float[] {-1, 1, -1, -1},
                gradients, List.of(), activations);
    }

    /** Epoch {@code e}'s validation: validation loss above training's in epochs 2 and 3, best in epoch 2. */
    static EpochObservation scriptedEpoch(int e) {
        double[] validation = {0.6, 0.5, 0.55, 0.56};
        double[] comparableTrain = {0.6, 0.3, 0.3, 0.55};
        return new EpochObservation(e, 4L * e, 0.9 - 0.1 * e, comparableTrain[e - 1], validation[e - 1]);
    }

    static void observeEpochs(RuleEngine engine, int first, int last) {
        for (int e = first; e <= last; e++) {
            for (int s = 4 * e - 3; s <= 4 * e; s++) {
                engine.observeStep(scriptedStep(s));
            }
            engine.observeEpoch(scriptedEpoch(e));
        }
    }

    /** A report without its timing, which differs between any two runs. */
    static DebugReport untimed(DebugReport report) {
        return new DebugReport(report.verdicts(), report.triggers(), report.sampledSteps(), 0);
    }

    @Test
    void stateAfterEpoch2_restoredThroughJsonIntoANewEngine_shouldEndWithTheVerdictsOfAnUninterruptedEngine()
            throws Exception {
        DebugReport uninterrupted;
        try (RuleEngine engine = new RuleEngine(rulesWithMemory())) {
            observeEpochs(engine, 1, 4);
            uninterrupted = untimed(engine.report());
        }
        String json;
        try (RuleEngine killed = new RuleEngine(rulesWithMemory())) {
            observeEpochs(killed, 1, 2);
            json = new ObjectMapper().writeValueAsString(killed.state()); // as the checkpoint holds it
        }
        DebugReport resumed;
        DebugReport afresh;
        try (RuleEngine engine = new RuleEngine(rulesWithMemory()); RuleEngine empty = new RuleEngine(rulesWithMemory())) {
            engine.restore(new ObjectMapper().readValue(json, RuleEngineState.class));
            observeEpochs(engine, 3, 4);
            observeEpochs(empty, 3, 4);
            resumed = untimed(engine.report());
            afresh = untimed(empty.report());
        }

        assertThat(resumed).isEqualTo(uninterrupted);
        // What the state carries: first triggers before the kill (VanishingGradient at step 2, the
        // infinite gradient at step 3), windows and patience spanning it, counts over the whole run.
        assertThat(uninterrupted.verdict(RuleName.VANISHING_GRADIENT).orElseThrow().step()).isEqualTo(2);
        assertThat(uninterrupted.verdict(RuleName.EXPLODING_TENSOR).orElseThrow().values())
                .containsEntry("mean_abs_gradient", Double.POSITIVE_INFINITY);
        assertThat(uninterrupted.verdict(RuleName.OVERFIT).orElseThrow().epoch()).isEqualTo(3);
        assertThat(uninterrupted.verdict(RuleName.OVERTRAINING).orElseThrow().epoch()).isEqualTo(4);
        assertThat(uninterrupted.sampledSteps()).isEqualTo(16);
        for (RuleName rule : List.of(RuleName.VANISHING_GRADIENT, RuleName.EXPLODING_TENSOR, RuleName.OVERFIT,
                RuleName.OVERTRAINING, RuleName.LOSS_NOT_DECREASING, RuleName.POOR_WEIGHT_INITIALIZATION,
                RuleName.DEAD_RELU, RuleName.CLASS_IMBALANCE)) {
            assertThat(afresh.verdict(rule).orElseThrow().equals(uninterrupted.verdict(rule).orElseThrow())
                            && afresh.triggers().get(rule).equals(uninterrupted.triggers().get(rule)))
                    .as("%s: an engine without the state should judge it otherwise", rule).isFalse();
        }
    }

    @Test
    void stateOfANewEngine_shouldSurviveJson_nanAndInfinityIncluded() throws Exception {
        try (RuleEngine engine = new RuleEngine(rulesWithMemory())) {
            RuleEngineState state = engine.state(); // LossNotDecreasing's windows NaN, Overtraining's bests infinite
            ObjectMapper json = new ObjectMapper();
            assertThat(json.readValue(json.writeValueAsString(state), RuleEngineState.class)).isEqualTo(state);
        }
    }

    @Test
    void restore_ofARuleWithOtherParametersOrNoState_shouldStartThatRuleAfresh() {
        RuleEngineState state;
        try (RuleEngine engine = new RuleEngine(rulesWithMemory())) {
            observeEpochs(engine, 1, 2);
            state = engine.state();
        }
        DebuggerConfig changed = rulesWithMemory().toBuilder()
                .rule(DebugRule.of(RuleName.VANISHING_GRADIENT).withParameter("threshold", 1e-10))
                .build();
        RuleEngineState withoutDeadRelu = new RuleEngineState(state.sampledSteps(), state.inspectionNanos(),
                state.rules().stream().filter(r -> r.rule() != RuleName.DEAD_RELU).toList());
        try (RuleEngine engine = new RuleEngine(changed)) {
            engine.restore(withoutDeadRelu);
            DebugReport report = engine.report();
            assertThat(report.verdict(RuleName.VANISHING_GRADIENT).orElseThrow().fired()).isFalse();
            assertThat(report.triggers()).containsEntry(RuleName.VANISHING_GRADIENT, 0).containsEntry(RuleName.DEAD_RELU, 0);
            assertThat(report.verdict(RuleName.EXPLODING_TENSOR).orElseThrow().step()).isEqualTo(3);
            assertThat(report.sampledSteps()).isEqualTo(8);
        }
    }
}
