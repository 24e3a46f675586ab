package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.data.Split;
import io.xray.testing.SyntheticXrays;
import io.xray.train.TrainingRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real in-process training of tiny networks on synthetic X-rays: two trials of two epochs. */
class LocalTrialRunnerTest {

    @TempDir
    Path work;

    private static final TrainingRecipe TINY = TrainingRecipe.defaults().toBuilder()
            .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
            .preprocessing(SyntheticXrays.preprocessing())
            .noAugmentation()
            .batchSize(6)
            .epochs(2)
            .earlyStoppingPatience(0)
            .seed(3)
            .build();

    private Dataset dataset;

    private LocalTrialRunner runner() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(work.resolve("data"), 6, 3, 11));
        return LocalTrialRunner.builder().dataset(dataset).recipe(TINY).device(Device.cpu()).decodeThreads(1).build();
    }

    private HyperparameterTuner.Builder tuner(String folder, LocalTrialRunner runner) {
        return HyperparameterTuner.builder()
                .parameter(ContinuousParameter.log("learning-rate", 1e-3, 0.05))
                .objective(Objective.minimize("Val_loss"))
                .strategy(SearchStrategy.random())
                .maxTrials(2)
                .seed(4)
                .runDirectory(work.resolve(folder))
                .runner(runner);
    }

    private static List<String> summary(TuningResult result) {
        List<String> lines = new ArrayList<>();
        for (TrialRecord t : result.trials()) {
            lines.add(t.number() + " " + t.values() + " " + t.status() + " " + t.objective() + " " + t.bestEpoch() + " "
                    + t.epochs());
        }
        return lines;
    }

    @Test
    void trialsKilledDuringTrainingAndResumed_shouldEndAsAnUninterruptedRun() {
        LocalTrialRunner runner = runner();
        TuningResult whole = tuner("whole", runner).build().run();
        assertThat(whole.trials()).hasSize(2).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.COMPLETED);
            assertThat(t.epochs()).hasSize(2);
            assertThat(t.epochs().get(0)).containsKeys("Val_loss", "Val_f1", "Val_auc", "Train_loss");
            assertThat(Path.of(t.modelDirectory()).resolve("model.json")).exists();
        });
        assertThat(whole.runDirectory().resolve("best-model/model.json")).exists();

        HyperparameterTuner killed = tuner("killed", runner).resume(true).build();
        TuningListener killInTrial2Epoch2 = new TuningListener() {
            @Override
            public void onEpoch(int number, int epoch, double objectiveMetric, boolean stopping) {
                if (number == 2 && epoch == 2) {
                    throw new CurveRunner.Kill("killed during trial 2's second epoch");
                }
            }
        };
        assertThatThrownBy(() -> killed.run(killInTrial2Epoch2)).isInstanceOf(CurveRunner.Kill.class);
        assertThat(work.resolve("killed/trials/trial-0002/checkpoints/checkpoint.json")).exists();
        List<String> resumedTrials = new ArrayList<>();
        TuningResult resumed = killed.run(new TuningListener() {
            @Override
            public void onTrialStarted(int number, Map<String, String> values, boolean resumed) {
                resumedTrials.add(number + (resumed ? " resumed" : ""));
            }
        });
        assertThat(resumedTrials).containsExactly("2 resumed");
        assertThat(work.resolve("killed/trials/trial-0002/checkpoints")).doesNotExist();
        assertThat(work.resolve("killed/trials/trial-0002/model/model.json")).exists();
        assertThat(summary(resumed)).isEqualTo(summary(whole));
    }

    @Test
    void trials_shouldShareOneDecodingOfTheImages() {
        LocalTrialRunner runner = runner();
        TuningResult result = tuner("shared", runner).build().run();
        assertThat(result.trials()).hasSize(2);
        assertThat(runner.sharedImages().decodings()).as("the training and the validation images, decoded once")
                .isEqualTo(2);
        assertThat(runner.sharedImages().images())
                .isEqualTo(dataset.records(Split.TRAIN).size() + dataset.records(Split.VAL).size());
    }

    @Test
    void namesAndValuesTheRecipeCannotTake_shouldFailAtBuild() {
        LocalTrialRunner runner = runner();
        assertThatThrownBy(() -> tuner("a", runner).parameter(ContinuousParameter.log("learning_rate", 1e-3, 0.1)).build())
                .hasMessageStartingWith("parameters: 'learning_rate' is not a recipe hyperparameter");
        assertThatThrownBy(() -> tuner("b", runner).parameter(CategoricalParameter.of("batch-size", "1", "64")).build())
                .hasMessageStartingWith("parameters: batch-size=cat:1,64: the value 1 makes no valid recipe");
        assertThatThrownBy(() -> tuner("c", runner).objective(Objective.maximize("f1")).build())
                .hasMessageStartingWith("objective: 'f1' is not a metric the trainer reports");
        assertThatThrownBy(() -> LocalTrialRunner.builder().build()).hasMessageStartingWith("dataset:");
        assertThat(Files.exists(work.resolve("a"))).isFalse();
    }
}
