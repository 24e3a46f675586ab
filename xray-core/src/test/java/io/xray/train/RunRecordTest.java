package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.metrics.BinaryMetrics;
import io.xray.testing.SyntheticXrays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run record a fit writes: enough to rerun, one line per epoch, none repeated by a resume. */
class RunRecordTest {

    @TempDir
    static Path temp;

    static Dataset dataset;
    static ResNetFineTuner tuner;
    static FitResult result;

    static ResNetFineTuner.Builder tiny(Path output) {
        return ResNetFineTunerFitTest.tiny(output).epochs(3).progressEveryBatches(0).runRecord(true);
    }

    @BeforeAll
    static void train() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 16, 8, 3));
        tuner = tiny(temp.resolve("run")).learningRate(2.5e-3).build();
        result = tuner.fit(dataset);
    }

    @Test
    void finishedRun_shouldRecordRecipeEpochsEnvironmentAndModel() throws IOException {
        RunRecord record = RunRecord.read(temp.resolve("run"));

        assertThat(record.status()).isEqualTo(RunRecord.Status.COMPLETED);
        assertThat(record.name()).isEqualTo("run");
        assertThat(record.hyperparameters()).isEqualTo(tuner.hyperparameters());
        assertThat(record.epochs()).hasSize(3);
        assertThat(record.epochs()).extracting(e -> e.get("epoch").intValue()).containsExactly(1, 2, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(record.epochs().get(i).get("Val_f1")).isEqualTo(result.history().get(i).validation().f1());
            assertThat(record.epochs().get(i).get("Val_loss")).isEqualTo(result.history().get(i).validationLoss());
        }
        assertThat(record.bestEpoch()).isEqualTo(result.bestEpoch());
        assertThat(record.atBestEpoch("Val_auc")).hasValue(result.best().validation().rocAuc());
        assertThat(record.environment()).containsKeys("xray", "djl", "pytorch", "cpu", "cores", "threads", "os", "java");
        assertThat(record.environment().get("pytorch")).matches("\\d+\\.\\d+.*");
        assertThat(record.environment().get("cores")).isEqualTo(Integer.toString(Runtime.getRuntime().availableProcessors()));
        assertThat(record.modelDirectory()).hasValue(temp.resolve("run").resolve("model"));
        assertThat(record.threshold()).hasValue(result.threshold().threshold());
        assertThat(record.seconds()).isPositive();
        assertThat(record.finished()).isPresent();
        assertThat(Files.readAllLines(temp.resolve("run").resolve(RunRecord.METRICS_FILE))).hasSize(3)
                .allSatisfy(line -> assertThat(line).startsWith("{\"epoch\":"));
    }

    @Test
    void finishedRun_shouldSaveTheValidationScoresItsMetricsCameFrom() {
        ValidationScores saved = ValidationScores.read(temp.resolve("run")).orElseThrow();

        assertThat(saved.split()).isEqualTo("val");
        assertThat(saved.source()).isEqualTo("training");
        assertThat(saved.scores()).hasSize(dataset.records(io.xray.data.Split.VAL).size());
        BinaryMetrics recomputed = BinaryMetrics.compute(saved.scores(), saved.labels(), result.threshold().threshold());
        assertThat(recomputed.confusion()).isEqualTo(result.validationMetrics().confusion());
        assertThat(recomputed.rocAuc()).isEqualTo(result.validationMetrics().rocAuc());
    }

    @Test
    void validationScoresOfAnOlderRun_shouldBeEmpty_andABrokenFileNamed() throws IOException {
        Path older = Files.createDirectories(temp.resolve("older"));
        assertThat(ValidationScores.read(older)).isEmpty();

        Files.writeString(older.resolve(ValidationScores.FILE), "{\"format\":1,\"scores\":[0.5],\"labels\":[2]}");
        assertThatThrownBy(() -> ValidationScores.read(older)).isInstanceOf(XrayException.class)
                .hasMessageContaining(ValidationScores.FILE).hasMessageContaining("labels[0] is 2");
    }

    @Test
    void recordsHyperparametersAlone_shouldRebuildTheRecipeThatRan() {
        RunRecord record = RunRecord.read(temp.resolve("run"));

        assertThat(TrainingRecipe.fromHyperparameters(record.hyperparameters())).isEqualTo(tuner.recipe());
        assertThat(record.recipe()).isEqualTo(tuner.recipe());
        assertThat(record.differencesFrom(TrainingRecipe.defaults())).containsEntry("learning-rate", "0.0025")
                .containsEntry("epochs", "3").doesNotContainKey("optimizer");
    }

    @Test
    void runKilledAfterAnEpoch_whenResumed_shouldRecordEachEpochOnce() throws IOException {
        Path output = temp.resolve("killed");
        FitListener dieAfterEpoch2 = CheckpointResumeTest.Killed.afterEpoch(2);
        assertThatThrownBy(() -> tiny(output).build().fit(dataset, dieAfterEpoch2))
                .isInstanceOf(CheckpointResumeTest.Killed.class);
        assertThat(lines(output)).hasSize(2);
        assertThat(RunRecord.read(output).status()).isEqualTo(RunRecord.Status.FAILED);

        FitResult resumed = tiny(output).resume(true).build().fit(dataset);

        RunRecord record = RunRecord.read(output);
        assertThat(lines(output)).hasSize(3);
        assertThat(record.epochs()).extracting(e -> e.get("epoch").intValue()).containsExactly(1, 2, 3);
        assertThat(record.epochs().get(2).get("Val_f1")).isEqualTo(resumed.history().get(2).validation().f1());
        assertThat(record.status()).isEqualTo(RunRecord.Status.COMPLETED);
    }

    @Test
    void runWhoseCheckpointWasLost_whenResumed_shouldReplaceTheLinesItRunsAgain() throws IOException {
        Path output = temp.resolve("lost");
        FitListener dieAfterEpoch2 = CheckpointResumeTest.Killed.afterEpoch(2);
        assertThatThrownBy(() -> tiny(output).build().fit(dataset, dieAfterEpoch2))
                .isInstanceOf(CheckpointResumeTest.Killed.class);
        deleteTree(output.resolve("checkpoints"));
        // A torn last line, as a kill in the middle of appending leaves.
        Files.writeString(output.resolve(RunRecord.METRICS_FILE), "{\"epoch\":3,\"Val_", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        List<Integer> epochsAsTheyEnd = new java.util.ArrayList<>();

        tiny(output).resume(true).build().fit(dataset, new FitListener() {
            @Override
            public void onEpoch(EpochResult epoch, String logLine) {
                epochsAsTheyEnd.add(lines(output).size());
            }
        });

        assertThat(epochsAsTheyEnd).as("lines in the file as each epoch ends").containsExactly(1, 2, 3);
        assertThat(RunRecord.read(output).epochs()).extracting(e -> e.get("epoch").intValue()).containsExactly(1, 2, 3);
    }

    @Test
    void resumeWithAnotherRecipe_shouldFailAndLeaveTheRecordAsItWas() throws IOException {
        Path run = temp.resolve("run");
        String metricsBefore = Files.readString(run.resolve(RunRecord.METRICS_FILE));
        String runBefore = Files.readString(run.resolve(RunRecord.RUN_FILE));

        assertThatThrownBy(() -> tiny(run).learningRate(0.01).resume(true).build().fit(dataset))
                .isInstanceOf(io.xray.InvalidConfigurationException.class)
                .hasMessageContaining("learning-rate");

        assertThat(RunRecord.read(run).hyperparameters()).isEqualTo(tuner.hyperparameters());
        assertThat(Files.readString(run.resolve(RunRecord.METRICS_FILE))).isEqualTo(metricsBefore);
        assertThat(Files.readString(run.resolve(RunRecord.RUN_FILE))).isEqualTo(runBefore);
    }

    @Test
    void runRecordOff_shouldWriteNoRecord() {
        assertThat(RunRecord.isRunFolder(temp.resolve("data"))).isFalse();
        assertThatThrownBy(() -> RunRecord.read(temp.resolve("data")))
                .isInstanceOf(XrayException.class).hasMessageContaining("has no run.json");
        assertThat(ResNetFineTunerFitTest.tiny(temp.resolve("x")).build().runRecord()).isFalse();
    }

    @Test
    void findAll_shouldFindRunsBelowAFolder() {
        assertThat(RunRecord.findAll(temp)).extracting(RunRecord::name).contains("run");
        assertThat(RunRecord.findAll(temp)).noneMatch(r -> r.directory().equals(temp.resolve("data")));
    }

    private static List<String> lines(Path output) {
        try {
            return Files.readAllLines(output.resolve(RunRecord.METRICS_FILE)).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

}
