package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneCommandTest {

    @TempDir
    Path temp;

    @Test
    void commandTrials_shouldPrintALinePerTrialAndATable_andResumeToMoreTrials() throws Exception {
        Path out = temp.resolve("run");
        CliRun first = run("tune", "--command", "echo Val_f1={x}; echo Val_f1=0.1", "--metric-regex", "Val_f1=([0-9.]+)",
                "--param", "x=lin:0.2:1", "--param", "mode=cat:a,b", "--trials", "4", "--parallel", "2",
                "--strategy", "random", "--out", out.toString());
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out().lines().filter(l -> l.startsWith("trial ") && l.contains(" done) "))).hasSize(4);
        assertThat(first.out()).contains("trial  x              mode           status     Val_f1     best-epoch",
                "COMPLETED", "Best: trial ");
        assertThat(out.resolve("tuning.json")).exists();
        assertThat(first.out()).contains("report:", out.resolve("report.html").toString(), "tensorboard:");
        assertThat(out.resolve("report.html")).isRegularFile();

        CliRun more = run("tune", "--command", "echo Val_f1={x}; echo Val_f1=0.1", "--metric-regex", "Val_f1=([0-9.]+)",
                "--param", "x=lin:0.2:1", "--param", "mode=cat:a,b", "--trials", "5", "--parallel", "2",
                "--strategy", "random", "--out", out.toString(), "--resume");
        assertThat(more.status()).as(more.err()).isZero();
        assertThat(more.out().lines().filter(l -> l.startsWith("trial ") && l.contains(" done) "))).hasSize(1);
        assertThat(more.out()).contains("Resuming: 4 trials finished before, best trial ");
        assertThat(more.out().lines().filter(l -> l.matches("^[1-5] .*COMPLETED.*"))).hasSize(5);

        CliRun warm = run("tune", "--command", "echo Val_f1={x}", "--metric-regex", "Val_f1=([0-9.]+)",
                "--param", "x=lin:0.2:1", "--trials", "1", "--warm-start", out.toString(), "--out",
                temp.resolve("warm").toString());
        assertThat(warm.status()).as(warm.err()).isZero();
        assertThat(java.nio.file.Files.readString(temp.resolve("warm/tuning.json"))).contains("\"warm-start\" : \""
                + out.toAbsolutePath().normalize());
    }

    @Test
    void hyperband_shouldBeRandomSuggestionsWithSuccessiveHalving() {
        // three epochs per trial, the value of trial N's epochs is x; asha:2:1 halves after epochs 1 and 2
        CliRun result = run("tune", "--command", "for e in 1 2 3; do echo Val_f1={x}; done", "--metric-regex",
                "Val_f1=([0-9.]+)", "--param", "x=lin:0:1", "--trials", "6", "--parallel", "1", "--strategy", "hyperband",
                "--early-stopping", "asha:2:1", "--out", temp.resolve("hb").toString());
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains(", random, 6 trials", "STOPPED", "COMPLETED");
        CliRun contradiction = run("tune", "--command", "echo Val_f1={x}", "--metric-regex", "Val_f1=([0-9.]+)",
                "--param", "x=lin:0:1", "--strategy", "hyperband", "--early-stopping", "median",
                "--out", temp.resolve("hb2").toString());
        assertThat(contradiction.status()).isEqualTo(2);
        assertThat(contradiction.err()).contains("--strategy hyperband stops trials by successive halving");
    }

    @Test
    void localTrials_shouldKeepTheBestTrialsModel() throws Exception {
        Path data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 12, 0);
        Path out = temp.resolve("local");
        CliRun result = run("tune", "--data", data.toString(), "--val-fraction", "0.34", "--param",
                "learning-rate=log:1e-3:1e-2", "--trials", "2", "--metric", "Val_loss", "--device", "cpu",
                "-H", "backbone=scratch:4,8,16,32", "-H", "image-size=32", "-H", "resize=36", "-H", "epochs=1",
                "-H", "batch-size=6", "-H", "augmentation=false", "--out", out.toString());
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains("minimize:Val_loss@best", "Best model: " + out.resolve("best-model"));
        assertThat(out.resolve("best-model/model.json")).exists();
        assertThat(out.resolve("report.html")).isRegularFile();
        assertThat(out.resolve("trials/trial-0001/report.html")).isRegularFile();
        assertThat(out.resolve("tensorboard/trial-0002")).isDirectory();
        assertThat(java.nio.file.Files.readString(out.resolve("report.html"))).contains("trials/trial-0001/report.html");
    }

    @Test
    void badInput_shouldExitTwoNamingWhatIsWrong() {
        CliRun noRegex = run("tune", "--command", "echo {x}", "--param", "x=lin:0:1", "--out", temp.resolve("a").toString());
        assertThat(noRegex.status()).isEqualTo(2);
        assertThat(noRegex.err()).contains("metric-regex: --command needs --metric-regex");
        CliRun badParam = run("tune", "--command", "echo {x}", "--metric-regex", "x=(.*)", "--param", "x=log:0:1",
                "--out", temp.resolve("b").toString());
        assertThat(badParam.status()).isEqualTo(2);
        assertThat(badParam.err()).contains("x: a log scale needs min > 0");
        CliRun badKey = run("tune", "--data", temp.toString(), "--param", "lr=log:1e-4:0.1", "--out",
                temp.resolve("c").toString());
        assertThat(badKey.status()).isEqualTo(2);
    }
}
