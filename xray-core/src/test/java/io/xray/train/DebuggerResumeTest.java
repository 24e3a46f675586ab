package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.data.Dataset;
import io.xray.debug.DebugFiles;
import io.xray.debug.DebugReport;
import io.xray.debug.DebugRule;
import io.xray.debug.DebuggerConfig;
import io.xray.debug.RuleName;
import io.xray.testing.SyntheticXrays;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CheckpointResumeTest's kills with the debugger on: the rules' windows, counts and first triggers
 * are committed with each epoch, so a run killed between epochs or during one, and resumed, ends
 * with the verdicts and the {@code debug/debugger.json} of the same run without interruption.
 */
class DebuggerResumeTest {

    @TempDir
    static Path temp;

    static Dataset dataset;
    static FitResult reference;

    /**
     * Every rule, sampled on every step, with windows and patience that a 4-epoch run of 4 steps per
     * epoch fills across the kill after epoch 2: PoorWeightInitialization fires on each of the first
     * 12 steps, LossNotDecreasing's 3-step windows straddle epochs and it fires in epoch 3 against
     * a window of epoch 1 or 2.
     */
    static DebuggerConfig rulesAcrossEpochs() {
        return DebuggerConfig.defaults().toBuilder()
                .sampleEverySteps(1)
                .rule(DebugRule.of(RuleName.LOSS_NOT_DECREASING).withParameter("num_steps", 3).withParameter("patience", 1))
                .rule(DebugRule.of(RuleName.OVERTRAINING).withParameter("patience_validation", 1))
                .rule(DebugRule.of(RuleName.POOR_WEIGHT_INITIALIZATION).withParameter("threshold", 1)
                        .withParameter("steps", 12))
                .build();
    }

    static ResNetFineTuner tuner(Path output, boolean resume) {
        return CheckpointResumeTest.tuner(output, resume).toBuilder().debugger(rulesAcrossEpochs()).build();
    }

    @BeforeAll
    static void uninterrupted() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 16, 8, 5));
        reference = tuner(temp.resolve("reference"), false).fit(dataset);
        // What makes the comparisons below worth making: rules that fire across the kill.
        assertThat(reference.debugger().sampledSteps()).isEqualTo(16);
        assertThat(reference.debugger().triggers()).containsEntry(RuleName.POOR_WEIGHT_INITIALIZATION, 12);
        assertThat(reference.debugger().verdict(RuleName.POOR_WEIGHT_INITIALIZATION).orElseThrow().step()).isEqualTo(1);
        assertThat(reference.debugger().verdict(RuleName.LOSS_NOT_DECREASING).orElseThrow().epoch()).isEqualTo(3);
    }

    @Test
    void runKilledBetweenEpochs_whenResumed_shouldEndWithTheVerdictsOfTheUninterruptedRun() throws IOException {
        Path output = temp.resolve("between");
        FitListener dieAfterEpoch2 = CheckpointResumeTest.Killed.afterEpoch(2);
        assertThatThrownBy(() -> tuner(output, false).fit(dataset, dieAfterEpoch2))
                .isInstanceOf(CheckpointResumeTest.Killed.class);

        FitResult resumed = tuner(output, true).fit(dataset);

        assertSameVerdicts(resumed, output);
    }

    @Test
    void runKilledDuringAnEpoch_whenResumed_shouldForgetWhatTheRulesSawAfterTheCommitAndEndAsTheUninterruptedRun()
            throws IOException {
        Path output = temp.resolve("during");
        // Killed after two of epoch 3's steps: the rules saw steps 9 and 10, the checkpoint holds epoch 2.
        FitListener dieInEpoch3 = new FitListener() {
            @Override
            public void onBatch(int epoch, int batch, int batches, double loss) {
                if (epoch == 3 && batch == 2) {
                    throw new CheckpointResumeTest.Killed("in epoch 3");
                }
            }
        };
        assertThatThrownBy(() -> tuner(output, false).fit(dataset, dieInEpoch3))
                .isInstanceOf(CheckpointResumeTest.Killed.class);

        FitResult resumed = tuner(output, true).fit(dataset);

        assertSameVerdicts(resumed, output);
    }

    @Test
    void checkpointWithoutRuleState_whenResumed_shouldResumeWithTheRulesStartingAfresh() throws IOException {
        Path output = temp.resolve("older");
        FitListener dieAfterEpoch2 = CheckpointResumeTest.Killed.afterEpoch(2);
        assertThatThrownBy(() -> tuner(output, false).fit(dataset, dieAfterEpoch2))
                .isInstanceOf(CheckpointResumeTest.Killed.class);
        // What an xray that did not keep the rules' state wrote.
        Path checkpoint = output.resolve("checkpoints").resolve(CheckpointStore.COMMIT_FILE);
        ObjectMapper json = new ObjectMapper();
        ObjectNode tree = (ObjectNode) json.readTree(checkpoint.toFile());
        assertThat(tree.remove("debugger")).isNotNull();
        json.writeValue(checkpoint.toFile(), tree);

        FitResult resumed = tuner(output, true).fit(dataset);

        assertThat(losses(resumed)).isEqualTo(losses(reference));
        // The rules saw epochs 3 and 4 only: PoorWeightInitialization counts its 12 steps from step 9.
        assertThat(resumed.debugger().sampledSteps()).isEqualTo(8);
        assertThat(resumed.debugger().triggers()).containsEntry(RuleName.POOR_WEIGHT_INITIALIZATION, 8);
        assertThat(resumed.debugger().verdict(RuleName.POOR_WEIGHT_INITIALIZATION).orElseThrow().step()).isEqualTo(9);
    }

    /** A report without its timing, which differs between any two runs. */
    static DebugReport untimed(DebugReport report) {
        return new DebugReport(report.verdicts(), report.triggers(), report.sampledSteps(), 0);
    }

    static JsonNode untimedDebuggerFile(Path run) throws IOException {
        ObjectNode file = (ObjectNode) new ObjectMapper().readTree(
                run.resolve("debug").resolve(DebugFiles.DEBUGGER_FILE).toFile());
        file.remove("inspectionSeconds");
        return file;
    }

    /** Each epoch's training and validation loss: the same when training resumed exactly. */
    static List<List<Double>> losses(FitResult result) {
        return result.history().stream().map(e -> List.of(e.trainLoss(), e.validationLoss())).toList();
    }

    private static void assertSameVerdicts(FitResult resumed, Path output) throws IOException {
        assertThat(losses(resumed)).isEqualTo(losses(reference));
        assertThat(untimed(resumed.debugger())).isEqualTo(untimed(reference.debugger()));
        assertThat(untimedDebuggerFile(output)).isEqualTo(untimedDebuggerFile(temp.resolve("reference")));
    }
}
