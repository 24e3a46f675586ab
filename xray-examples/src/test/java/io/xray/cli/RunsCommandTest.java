package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.xray.testing.SyntheticXrays;
import io.xray.train.RunRecord;
import io.xray.train.TrainingRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xray runs list} and {@code compare} over the records that {@code train} and {@code tune} write. */
class RunsCommandTest {

    @TempDir
    static Path temp;

    static Path runs;
    static Path tuning;

    private static final String[] TINY = {
        "--backbone", "scratch:4,8,16,32", "--image-size", "32", "--resize", "36", "--batch-size", "6",
        "--epochs", "2", "--device", "cpu", "--progress-every", "0", "--no-augmentation", "--val-fraction", "0.34"
    };

    @BeforeAll
    static void trainAndTune() {
        Path data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 12, 0);
        runs = temp.resolve("runs");
        for (String lr : List.of("0.003", "0.01")) {
            String[] head = {"train", "--data", data.toString(), "--output", runs.resolve("lr-" + lr).toString(),
                "--learning-rate", lr};
            String[] all = new String[head.length + TINY.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(TINY, 0, all, head.length, TINY.length);
            CliRun trained = run(all);
            assertThat(trained.status()).as(trained.err()).isZero();
        }
        tuning = temp.resolve("tuning");
        CliRun tuned = run("tune", "--data", data.toString(), "--val-fraction", "0.34", "--param",
                "learning-rate=log:1e-3:1e-2", "--trials", "2", "--device", "cpu", "-H", "backbone=scratch:4,8,16,32",
                "-H", "image-size=32", "-H", "resize=36", "-H", "epochs=1", "-H", "batch-size=6",
                "-H", "augmentation=false", "--out", tuning.toString());
        assertThat(tuned.status()).as(tuned.err()).isZero();
    }

    @Test
    void list_shouldPrintOneRowPerRunWithItsRecipeDifferencesAndFigures() {
        CliRun listed = run("runs", "list", runs.toString());

        assertThat(listed.status()).as(listed.err()).isZero();
        List<String> lines = listed.out().lines().toList();
        assertThat(lines.get(0)).startsWith("run").contains("date", "status", "best epoch", "val F1", "val AUC", "time",
                "recipe vs default");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).startsWith("lr-0.003").contains("completed", "/2", "learning-rate=0.003",
                "augmentation=false", "epochs=2");
        assertThat(lines.get(2)).startsWith("lr-0.01").contains("learning-rate=0.01");
        RunRecord record = RunRecord.read(runs.resolve("lr-0.01"));
        assertThat(lines.get(2)).contains(String.format(java.util.Locale.ROOT, "%.4f",
                record.atBestEpoch("Val_f1").getAsDouble()));
    }

    @Test
    void listOfATuningRun_shouldShowEveryTrialAsARun_eachEnoughToRerun() {
        CliRun listed = run("runs", "list", tuning.toString());

        assertThat(listed.status()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("trials/trial-0001", "trials/trial-0002");
        RunRecord trial = RunRecord.read(tuning.resolve("trials/trial-0001"));
        TrainingRecipe rerun = TrainingRecipe.fromHyperparameters(trial.hyperparameters());
        assertThat(rerun.epochs()).isEqualTo(1);
        assertThat(trial.hyperparameters().get("learning-rate")).isEqualTo(rerun.toHyperparameters().get("learning-rate"));
        assertThat(trial.epochs()).hasSize(1);
        assertThat(trial.modelDirectory()).isPresent();
    }

    @Test
    void compare_shouldPutRunsSideBySideWithTheValuesThatDiffer() {
        CliRun compared = run("runs", "compare", runs.resolve("lr-0.003").toString(), runs.resolve("lr-0.01").toString());

        assertThat(compared.status()).as(compared.err()).isZero();
        List<String> lines = compared.out().lines().toList();
        assertThat(lines.get(0)).contains("lr-0.003", "lr-0.01");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("learning-rate").contains("0.003", "0.01"));
        assertThat(lines).noneSatisfy(l -> assertThat(l).startsWith("batch-size"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("best epoch"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("val F1"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("pytorch"));
    }

    @Test
    void compareOfAFolderWithoutRecord_shouldExitTwoNamingIt() throws Exception {
        Files.createDirectories(temp.resolve("empty"));
        CliRun compared = run("runs", "compare", temp.resolve("empty").toString());

        assertThat(compared.status()).isEqualTo(2);
        assertThat(compared.err()).contains("empty is not a run folder: it has no run.json");
    }
}
