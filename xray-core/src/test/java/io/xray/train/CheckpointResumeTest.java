package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.InvalidConfigurationException;
import io.xray.data.Dataset;
import io.xray.image.Equalization;
import io.xray.testing.SyntheticXrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted between epochs, or killed in the middle of writing a checkpoint, resumes and
 * ends exactly as the same run without interruption.
 */
class CheckpointResumeTest {

    @TempDir
    static Path temp;

    static Dataset dataset;
    static FitResult reference;

    /** Simulates the process dying at a chosen point. */
    static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Killed(String where) {
            super("simulated kill " + where);
        }

        /** @return a listener that kills the run once the given epoch is committed */
        static FitListener afterEpoch(int epoch) {
            return new FitListener() {
                @Override
                public void onEpoch(EpochResult result, String logLine) {
                    if (result.epoch() == epoch) {
                        throw new Killed("after epoch " + epoch);
                    }
                }
            };
        }
    }

    static ResNetFineTuner tuner(Path output, boolean resume) {
        return ResNetFineTunerFitTest.tiny(output).epochs(4).progressEveryBatches(0).resume(resume).build();
    }

    @BeforeAll
    static void uninterrupted() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 16, 8, 5));
        reference = tuner(temp.resolve("reference"), false).fit(dataset);
    }

    @Test
    void runInterruptedBetweenEpochs_whenResumed_shouldFinishLikeTheUninterruptedRun() {
        Path output = temp.resolve("between");
        FitListener dieAfterEpoch2 = Killed.afterEpoch(2);
        assertThatThrownBy(() -> tuner(output, false).fit(dataset, dieAfterEpoch2)).isInstanceOf(Killed.class);

        FitResult resumed = tuner(output, true).fit(dataset);

        assertSameRun(resumed);
    }

    @Test
    void checkpointOfAnOlderFormat_whenResumed_shouldFailSayingToStartAfresh() throws IOException {
        Path checkpoints = temp.resolve("old-format").resolve("checkpoints");
        Files.createDirectories(checkpoints);
        Files.writeString(checkpoints.resolve("checkpoint.json"),
                "{\"formatVersion\":1,\"epochsCompleted\":2,\"bestEpoch\":2,\"patience\":0}");

        assertThatThrownBy(() -> tuner(temp.resolve("old-format"), true).fit(dataset))
                .hasMessageContaining("checkpoint format 1 is not the one this xray writes (2)")
                .hasMessageContaining("without --resume");
    }

    @Test
    void runKilledWhileWritingACheckpoint_whenResumed_shouldIgnoreTheTornFilesAndFinishLikeTheUninterruptedRun()
            throws IOException {
        Path output = temp.resolve("torn");
        CheckpointStore.Hook dieInEpoch3Commit = (stage, epoch) -> {
            if (epoch == 3 && stage == CheckpointStore.Stage.OPTIMIZER_WRITTEN) {
                throw new Killed("while committing epoch 3");
            }
        };
        assertThatThrownBy(() -> tuner(output, false).fit(dataset, null, dieInEpoch3Commit))
                .isInstanceOf(Killed.class);
        Path checkpoints = output.resolve("checkpoints");
        // What a kill at other instants leaves: a half-written temporary commit file and weight
        // file, and a torn weight file of the uncommitted epoch.
        Files.writeString(checkpoints.resolve("checkpoint.json.tmp"), "{\"formatVersion\":1,\"epochsCom");
        Files.write(checkpoints.resolve("epoch-0003-head.params.tmp"), new byte[] {1, 2, 3});
        Path torn = checkpoints.resolve("epoch-0003-network.params");
        byte[] whole = Files.readAllBytes(torn);
        Files.write(torn, Arrays.copyOf(whole, whole.length / 2));

        FitResult resumed = tuner(output, true).fit(dataset);

        assertSameRun(resumed);
        try (var files = Files.list(checkpoints)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void resume_withOtherOptions_shouldFailNamingResume() {
        Path output = temp.resolve("reference");
        ResNetFineTuner other = ResNetFineTunerFitTest.tiny(output).epochs(4).learningRate(1e-2).resume(true).build();
        assertThatThrownBy(() -> other.fit(dataset))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("learning-rate was 0.003, now 0.01")
                .extracting(e -> ((InvalidConfigurationException) e).field())
                .isEqualTo("resume");
    }

    @Test
    void resume_ofAFinishedRun_shouldRunNoEpochAndReturnTheSameModel() {
        FitResult again = tuner(temp.resolve("reference"), true).fit(dataset);
        assertThat(again.history()).isEqualTo(reference.history());
        assertThat(again.bestEpoch()).isEqualTo(reference.bestEpoch());
        assertThat(again.threshold()).isEqualTo(reference.threshold());
    }

    private static Path copyOfReference(String name) throws IOException {
        Path copy = temp.resolve(name);
        try (var files = Files.walk(temp.resolve("reference"))) {
            for (Path from : files.toList()) {
                Path to = copy.resolve(temp.resolve("reference").relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        return copy;
    }

    /** Rewrites the run's checkpoint as an xray that predates the {@code equalization} key wrote it. */
    private static void dropEqualizationKey(Path run) throws IOException {
        Path file = run.resolve("checkpoints").resolve("checkpoint.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode checkpoint = (ObjectNode) json.readTree(file.toFile());
        assertThat(((ObjectNode) checkpoint.get("hyperparameters")).remove("equalization")).isNotNull();
        json.writeValue(file.toFile(), checkpoint);
    }

    @Test
    void resume_ofACheckpointWithoutAKeyAddedSince_shouldTakeTheValueThatMeansWhatTrainingDidBefore()
            throws IOException {
        Path copy = copyOfReference("older-keys");
        dropEqualizationKey(copy);

        FitResult again = tuner(copy, true).fit(dataset);

        assertThat(again.history()).isEqualTo(reference.history());
        assertThatThrownBy(() -> ResNetFineTunerFitTest.tiny(copy).epochs(4).progressEveryBatches(0).resume(true)
                        .preprocessing(ResNetFineTunerFitTest.tiny(copy).build().preprocessing().toBuilder()
                                .equalization(Equalization.HISTOGRAM).build())
                        .build().fit(dataset))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("equalization was none, now histogram");
    }

    @Test
    void resume_ofAFinishedRunWithAnotherThresholdRule_shouldKeepTheNetworkAndChooseTheThresholdAnew()
            throws IOException {
        Path copy = copyOfReference("rethreshold");
        ThresholdRule everyPneumonia = ThresholdRule.parse("sensitivity>=1.0");

        FitResult again = ResNetFineTunerFitTest.tiny(copy).epochs(4).progressEveryBatches(0).resume(true)
                .thresholdRule(everyPneumonia).build().fit(dataset);

        assertThat(again.history()).isEqualTo(reference.history());
        assertThat(again.bestEpoch()).isEqualTo(reference.bestEpoch());
        assertThat(again.threshold().rule()).isEqualTo(everyPneumonia.toString());
        assertThat(again.validationMetrics().recall()).isEqualTo(1.0);
        assertThat(Files.readString(copy.resolve("model").resolve("model.json")))
                .contains("\"threshold-rule\" : \"sensitivity>=1.0\"");
    }

    private static void assertSameRun(FitResult resumed) {
        assertThat(resumed.history()).hasSize(4);
        assertThat(resumed.bestEpoch()).isEqualTo(reference.bestEpoch());
        List<Double> trainLoss = resumed.history().stream().map(EpochResult::trainLoss).toList();
        List<Double> referenceLoss = reference.history().stream().map(EpochResult::trainLoss).toList();
        assertThat(trainLoss).isEqualTo(referenceLoss);
        assertThat(resumed.history().stream().map(EpochResult::validationLoss).toList())
                .isEqualTo(reference.history().stream().map(EpochResult::validationLoss).toList());
        assertThat(resumed.validationMetrics()).isEqualTo(reference.validationMetrics());
        assertThat(resumed.threshold()).isEqualTo(reference.threshold());
    }
}
