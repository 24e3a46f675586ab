package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.metrics.BinaryMetrics;
import io.xray.train.EpochLogLine;
import io.xray.train.EpochResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandTrialRunnerTest {

    @TempDir
    Path work;

    /** Real {@code Val_epoch} lines, as the trainer logs them, for validation F1 that peaks at epoch 2. */
    private List<String> epochLines() {
        int[] labels = {0, 0, 0, 0, 1, 1, 1, 1};
        double[][] scores = {
            {0.6, 0.2, 0.3, 0.1, 0.7, 0.4, 0.3, 0.8},
            {0.1, 0.2, 0.3, 0.1, 0.7, 0.6, 0.9, 0.8},
            {0.6, 0.7, 0.3, 0.1, 0.7, 0.6, 0.9, 0.8},
        };
        List<String> lines = new ArrayList<>();
        for (int e = 0; e < scores.length; e++) {
            BinaryMetrics metrics = BinaryMetrics.compute(scores[e], labels, 0.5);
            EpochResult result = new EpochResult(e + 1, 0.5 - 0.1 * e, 0.6 - 0.05 * e, metrics, 1e-3,
                    new EpochResult.Timings(1, 10, 0.1, 0.8, 0.1), new EpochResult.BestSoFar(e + 1, metrics.f1(), metrics.f1(), 0));
            lines.add("INFO ResNetFineTuner - " + EpochLogLine.format(result));
        }
        return lines;
    }

    private HyperparameterTuner.Builder tuner(String folder, CommandTrialRunner runner, Parameter parameter) {
        return HyperparameterTuner.builder()
                .parameter(parameter)
                .objective(Objective.maximize("Val_f1"))
                .strategy(SearchStrategy.random())
                .maxTrials(1)
                .seed(1)
                .runDirectory(work.resolve(folder))
                .runner(runner);
    }

    @Test
    void sageMakerRegexOnRealEpochLines_shouldGiveOneEpochPerMatchingLine() throws Exception {
        Path log = work.resolve("training.log");
        List<String> lines = new ArrayList<>(List.of("Downloading nothing", "Epoch 1/3 [1/2] loss=0.7"));
        lines.addAll(epochLines());
        lines.add("Model of epoch 2 written");
        Files.write(log, lines);
        CommandTrialRunner runner = CommandTrialRunner.builder()
                .shellCommand("cat '" + log + "'; echo \"learning rate {learning-rate}\"")
                .metric("Val_f1", "Val_f1=([0-9\\.]+)")
                .metric("Val_loss", "Val_loss=([0-9\\.]+)")
                .build();
        TuningResult result = tuner("real", runner, ContinuousParameter.log("learning-rate", 1e-4, 0.1)).build().run();

        TrialRecord trial = result.trials().get(0);
        assertThat(trial.status()).isEqualTo(TrialStatus.COMPLETED);
        assertThat(trial.metric("Val_f1")).containsExactly(0.5714, 1.0, 0.8);
        assertThat(trial.metric("Val_loss")).containsExactly(0.6, 0.55, 0.5);
        assertThat(trial.bestEpoch()).isEqualTo(2);
        assertThat(trial.objective()).isEqualTo(1.0);
        Path directory = work.resolve("real/trials/trial-0001");
        assertThat(Files.readString(directory.resolve("output.log")))
                .contains("learning rate " + trial.values().get("learning-rate"));
        assertThat(Files.readString(directory.resolve("hyperparameters.json")))
                .contains("\"learning-rate\" : \"" + trial.values().get("learning-rate") + "\"");
        assertThat(Files.readAllLines(directory.resolve("metrics.jsonl"))).containsExactly(
                "{\"epoch\":1,\"Val_f1\":0.5714,\"Val_loss\":0.6}",
                "{\"epoch\":2,\"Val_f1\":1.0,\"Val_loss\":0.55}",
                "{\"epoch\":3,\"Val_f1\":0.8,\"Val_loss\":0.5}");
    }

    @Test
    void placeholders_shouldBeSubstitutedAndQuotedForTheShell() {
        CommandTrialRunner runner = CommandTrialRunner.builder()
                .shellCommand("echo Val_f1={x} {mode} trial {trial}")
                .metric("Val_f1", "Val_f1=([0-9.]+)")
                .build();
        List<String> line = runner.commandLine(Map.of("x", "0.25", "mode", "it's"), 3, work);
        assertThat(line).containsExactly("sh", "-c", "echo Val_f1=0.25 'it'\\''s' trial 3");
        TuningResult result = tuner("echo", runner, ContinuousParameter.linear("x", 0, 1))
                .parameter(CategoricalParameter.of("mode", "a b", "c")).build().run();
        assertThat(result.trials().get(0).objective()).isEqualTo(Double.parseDouble(result.trials().get(0).values().get("x")));
    }

    @Test
    void nonZeroExitAndTimeout_shouldFailTheTrialWithTheReason() {
        CommandTrialRunner failing = CommandTrialRunner.builder()
                .shellCommand("echo Val_f1={x}; echo 'CUDA out of memory' >&2; exit 3")
                .metric("Val_f1", "Val_f1=([0-9.]+)")
                .build();
        TrialRecord failed = tuner("exit", failing, ContinuousParameter.linear("x", 0, 1)).build().run().trials().get(0);
        assertThat(failed.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(failed.message()).startsWith("exited with status 3").contains("CUDA out of memory");
        assertThat(failed.objective()).isNaN();

        CommandTrialRunner slow = CommandTrialRunner.builder()
                .shellCommand("echo Val_f1={x}; sleep 30")
                .metric("Val_f1", "Val_f1=([0-9.]+)")
                .timeout(Duration.ofSeconds(2))
                .build();
        long start = System.nanoTime();
        TrialRecord timedOut = tuner("slow", slow, ContinuousParameter.linear("x", 0, 1)).build().run().trials().get(0);
        assertThat(timedOut.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(timedOut.message()).startsWith("timed out after PT2S").contains("Val_f1=");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);

        CommandTrialRunner silent = CommandTrialRunner.builder()
                .shellCommand("echo accuracy={x}")
                .metric("Val_f1", "Val_f1=([0-9.]+)")
                .build();
        TrialRecord nothing = tuner("silent", silent, ContinuousParameter.linear("x", 0, 1)).build().run().trials().get(0);
        assertThat(nothing.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(nothing.message()).isEqualTo("the runner reported no value of Val_f1");
    }

    @Test
    void stoppedTrial_shouldHaveItsProcessEnded() {
        CommandTrialRunner runner = CommandTrialRunner.builder()
                .shellCommand("for i in 1 2 3 4 5 6 7 8 9 10; do echo Val_f1=0.$i; sleep 1; done")
                .metric("Val_f1", "Val_f1=([0-9.]+)")
                .build();
        List<Integer> epochs = new ArrayList<>();
        Trial trial = new Trial(1, Map.of(), work, false, (t, epoch, metrics) -> {
            epochs.add(epoch);
            return epoch < 2;
        });
        long start = System.nanoTime();
        runner.run(trial);
        assertThat(epochs).containsExactly(1, 2);
        assertThat(trial.stopRequested()).isTrue();
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(6);
    }

    @Test
    void badOptions_shouldNameTheField() {
        assertThatThrownBy(() -> CommandTrialRunner.builder().metric("Val_f1", "Val_f1=([0-9.]+)").build())
                .hasMessageStartingWith("command:");
        assertThatThrownBy(() -> CommandTrialRunner.builder().shellCommand("x").metric("Val_f1", "Val_f1=[0-9.]+").build())
                .hasMessageStartingWith("metric: Val_f1: the regex 'Val_f1=[0-9.]+' has no group");
        assertThatThrownBy(() -> CommandTrialRunner.builder().shellCommand("x").metric("Val_f1", "(").build())
                .hasMessageContaining("is not a regular expression");
        CommandTrialRunner typo = CommandTrialRunner.builder().shellCommand("train --lr {lr}")
                .metric("Val_f1", "Val_f1=([0-9.]+)").build();
        assertThatThrownBy(() -> tuner("typo", typo, ContinuousParameter.log("learning-rate", 1e-4, 0.1)).build())
                .hasMessageStartingWith("command: the placeholder {lr} names no parameter");
        assertThatThrownBy(() -> tuner("other", typo, ContinuousParameter.log("lr", 1e-4, 0.1))
                .objective(Objective.maximize("Val_auc")).build())
                .hasMessageStartingWith("objective: 'Val_auc' is not a metric of the command runner");
    }
}
