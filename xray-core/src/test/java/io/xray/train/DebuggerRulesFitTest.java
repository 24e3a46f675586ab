package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.nn.Parameter;
import io.xray.XrayException;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.debug.DebugReport;
import io.xray.debug.DebugRule;
import io.xray.debug.DebuggerConfig;
import io.xray.debug.ProfilerRuleName;
import io.xray.debug.RuleName;
import io.xray.debug.RuleStatus;
import io.xray.debug.RuleVerdict;
import io.xray.internal.Network;
import io.xray.testing.SyntheticXrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each fault injected into a tiny from-scratch run makes its debugger rule fire within the first
 * epoch; a healthy run fires none of those rules.
 */
class DebuggerRulesFitTest {

    @TempDir
    static Path temp;

    /** 96 synthetic images per class, batch 8: 24 steps per epoch. */
    static Dataset balanced;

    @BeforeAll
    static void writeData() {
        balanced = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("balanced"), 96, 8, 3));
    }

    static ResNetFineTuner.Builder tinyRun(String name) {
        return ResNetFineTunerFitTest.tiny(temp.resolve(name))
                .epochs(1)
                .noAugmentation()
                .progressEveryBatches(0)
                .debugger(DebuggerConfig.defaults().toBuilder().sampleEverySteps(1).build());
    }

    static RuleVerdict verdict(FitResult result, RuleName rule) {
        return result.debugger().verdict(rule).orElseThrow();
    }

    /** LossNotDecreasing over windows of 3 steps (SageMaker's 10 leave two windows in a 24-step epoch). */
    static DebuggerConfig shortLossWindows() {
        return DebuggerConfig.defaults().toBuilder()
                .sampleEverySteps(1)
                .rule(DebugRule.of(RuleName.LOSS_NOT_DECREASING).withParameter("num_steps", 3))
                .build();
    }

    @Test
    void learningRate10_shouldFireExplodingTensorOrLossNotDecreasingInTheFirstEpoch() {
        FitResult result;
        try {
            result = tinyRun("lr10").learningRate(10).debugger(shortLossWindows()).build().fit(balanced);
        } catch (XrayException diverged) {
            // The loss became NaN: the run stops at once, and the message carries the verdict.
            assertThat(diverged.getMessage()).contains("EXPLODING_TENSOR", "ISSUES_FOUND");
            return;
        }
        RuleVerdict exploding = verdict(result, RuleName.EXPLODING_TENSOR);
        RuleVerdict notDecreasing = verdict(result, RuleName.LOSS_NOT_DECREASING);
        assertThat(exploding.fired() || notDecreasing.fired())
                .as("ExplodingTensor %s, LossNotDecreasing %s", exploding, notDecreasing).isTrue();
        assertThat(Stream.of(exploding, notDecreasing).filter(RuleVerdict::fired).mapToInt(RuleVerdict::epoch))
                .containsOnly(1);
    }

    @Test
    void learningRate1e9_shouldFireLossNotDecreasingInTheFirstEpoch() {
        FitResult result = tinyRun("lr1e-9").learningRate(1e-9).debugger(shortLossWindows()).build().fit(balanced);

        RuleVerdict verdict = verdict(result, RuleName.LOSS_NOT_DECREASING);
        assertThat(verdict.status()).isEqualTo(RuleStatus.ISSUES_FOUND);
        assertThat(verdict.epoch()).isEqualTo(1);
        assertThat(verdict.step()).isBetween(9L, 24L);
        assertThat(verdict.values()).containsKeys("window_loss", "best_window_loss");
    }

    @Test
    void zeroWeightInitialisation_shouldFirePoorWeightInitializationAndVanishingGradientAtTheFirstStep() {
        FitResult result = tinyRun("zero-init").build().fit(balanced, null, network -> scaleWeights(network, 0f));

        RuleVerdict poor = verdict(result, RuleName.POOR_WEIGHT_INITIALIZATION);
        RuleVerdict vanishing = verdict(result, RuleName.VANISHING_GRADIENT);
        assertThat(poor.fired()).as("%s", poor).isTrue();
        assertThat(poor.step()).isEqualTo(1);
        assertThat(vanishing.fired()).as("%s", vanishing).isTrue();
        assertThat(vanishing.step()).isEqualTo(1);
        assertThat(vanishing.values().get("min_mean_abs_gradient")).isLessThan(1e-7);
    }

    @Test
    void largeNegativeBiasBeforeAReLU_shouldFireDeadRelu() {
        FitResult result = tinyRun("dead-relu").build().fit(balanced, null, network ->
                network.parameters().forEach((name, parameter) -> {
                    if (name.startsWith("stem.") && parameter.getType() == Parameter.Type.BETA) {
                        parameter.getArray().subi(100f);
                    }
                }));

        RuleVerdict dead = verdict(result, RuleName.DEAD_RELU);
        assertThat(dead.fired()).as("%s", dead).isTrue();
        assertThat(dead.step()).isEqualTo(1);
        assertThat(dead.evidence()).contains("stem.relu");
    }

    @Test
    void oneToTwentyClassSubsample_shouldFireClassImbalanceInTheFirstEpoch() throws IOException {
        Path root = SyntheticXrays.write(temp.resolve("imbalanced"), 40, 8, 11);
        try (Stream<Path> pneumonia = Files.list(root.resolve("train/PNEUMONIA")).sorted()) {
            List<Path> files = pneumonia.toList();
            for (Path file : files.subList(2, files.size())) {
                Files.delete(file);
            }
        }
        FitResult result = tinyRun("imbalanced").build().fit(Dataset.fromDirectory(root));

        RuleVerdict imbalance = verdict(result, RuleName.CLASS_IMBALANCE);
        assertThat(imbalance.fired()).as("%s", imbalance).isTrue();
        assertThat(imbalance.epoch()).isEqualTo(1);
        assertThat(imbalance.values()).containsEntry("normal", 40.0).containsEntry("pneumonia", 2.0);
    }

    @Test
    void ruleSetToStopTraining_shouldStopAfterItsEpoch_andLeaveAResumableCheckpoint() {
        DebuggerConfig debugger = DebuggerConfig.builder()
                .rule(DebugRule.of(RuleName.DEAD_RELU).stoppingTraining())
                .build();
        ResNetFineTuner.Builder run = tinyRun("stop").epochs(3).debugger(debugger);
        FitResult stopped = run.build().fit(balanced, null, network -> scaleWeights(network, 0f));

        assertThat(stopped.history()).hasSize(1);
        assertThat(stopped.stoppedEarly()).isTrue();
        assertThat(verdict(stopped, RuleName.DEAD_RELU).fired()).isTrue();
        FitResult resumed = run.resume(true).build().fit(balanced);
        assertThat(resumed.history()).isEqualTo(stopped.history());
        assertThat(resumed.stoppedEarly()).isTrue();
    }

    @Test
    void healthyRun_shouldFireNoneOfTheFaultRules_andWriteTheVerdicts() throws IOException {
        // The default recipe (its ResNet18 widths 32-256, AdamW, one-cycle, augmentation, batch 32
        // here 16) on 40 px synthetic images cropped to 32 (the default's 128 px would take minutes
        // on two shared cores), 3 epochs, rules at SageMaker's defaults except sampling every step.
        FitResult result = ResNetFineTuner.builder()
                .recipe(TrainingRecipe.defaults())
                .preprocessing(SyntheticXrays.preprocessing())
                .batchSize(16)
                .epochs(3)
                .device(Device.cpu())
                .decodeThreads(1)
                .progressEveryBatches(0)
                .outputDirectory(temp.resolve("healthy"))
                .debugger(DebuggerConfig.defaults().toBuilder().sampleEverySteps(1).build())
                .build()
                .fit(balanced);

        DebugReport report = result.debugger();
        assertThat(report.sampledSteps()).isEqualTo(36);
        for (RuleName rule : List.of(RuleName.EXPLODING_TENSOR, RuleName.LOSS_NOT_DECREASING,
                RuleName.POOR_WEIGHT_INITIALIZATION, RuleName.VANISHING_GRADIENT, RuleName.DEAD_RELU,
                RuleName.CLASS_IMBALANCE, RuleName.STALLED_TRAINING)) {
            assertThat(verdict(result, rule).status()).as("%s", verdict(result, rule)).isEqualTo(RuleStatus.NO_ISSUES_FOUND);
        }
        assertThat(report.verdicts()).hasSize(RuleName.values().length);

        JsonNode written = new ObjectMapper().readTree(temp.resolve("healthy/debug/debugger.json").toFile());
        assertThat(written.get("sampledSteps").asLong()).isEqualTo(36);
        assertThat(written.get("rules")).hasSize(RuleName.values().length);
        JsonNode deadRelu = written.get("rules").get(RuleName.DEAD_RELU.ordinal());
        assertThat(deadRelu.get("rule").asText()).isEqualTo("DeadRelu");
        assertThat(deadRelu.get("status").asText()).isEqualTo("NoIssuesFound");
        JsonNode profiler = new ObjectMapper().readTree(temp.resolve("healthy/debug/profiler.json").toFile());
        assertThat(profiler.get("stepSeconds")).hasSize(36);
        assertThat(profiler.get("rules")).hasSize(ProfilerRuleName.values().length);
    }

    @Test
    void defaultRecipeOnTheShippedSamples_shouldFireNoneOfTheFaultRules() {
        // What `xray train --data sample-data/chest_xray` runs: the default recipe (128 px, 8 epochs of
        // batch 32, debugger and profiler at their defaults) with a validation tenth carved from train.
        // About 40 s on two cores. Overfit, not a fault rule, may fire here: 252 training images fit
        // better than 28 validation images generalise.
        Dataset samples = Dataset.fromDirectory(Path.of("..", "sample-data", "chest_xray"))
                .withValidationFromTrain(0.1, TrainingRecipe.defaults().seed());
        FitResult result = ResNetFineTuner.builder()
                .recipe(TrainingRecipe.defaults())
                .device(Device.cpu())
                .progressEveryBatches(0)
                .outputDirectory(temp.resolve("default-on-samples"))
                .build()
                .fit(samples);

        assertThat(result.history()).hasSize(TrainingRecipe.defaults().epochs());
        for (RuleName rule : List.of(RuleName.EXPLODING_TENSOR, RuleName.LOSS_NOT_DECREASING,
                RuleName.POOR_WEIGHT_INITIALIZATION, RuleName.VANISHING_GRADIENT, RuleName.DEAD_RELU,
                RuleName.CLASS_IMBALANCE)) {
            assertThat(verdict(result, rule).status()).as("%s", verdict(result, rule)).isEqualTo(RuleStatus.NO_ISSUES_FOUND);
        }
        for (ProfilerRuleName rule : List.of(ProfilerRuleName.IO_BOTTLENECK, ProfilerRuleName.MEMORY_INCREASE)) {
            assertThat(result.profiler().verdict(rule).orElseThrow().fired())
                    .as("%s", result.profiler().verdict(rule)).isFalse();
        }
    }

    static void scaleWeights(Network network, float factor) {
        for (Map.Entry<String, Parameter> entry : network.parameters().entrySet()) {
            if (entry.getValue().getType() == Parameter.Type.WEIGHT) {
                entry.getValue().getArray().muli(factor);
            }
        }
    }
}
