package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.xray.testing.SyntheticXrays;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xray report}, and the report and event files that {@code xray train} writes at its end. */
class ReportCommandTest {

    @TempDir
    static Path temp;

    static Path data;
    static Path output;
    static CliRun trained;

    static final String[] TINY = {
        "--backbone", "scratch:4,8,16,32", "--image-size", "32", "--resize", "36", "--batch-size", "8",
        "--epochs", "2", "--learning-rate", "0.003", "--device", "cpu", "--progress-every", "0"
    };

    static CliRun train(Path data, Path output) {
        String[] base = {"train", "--data", data.toString(), "--output", output.toString(), "--seed", "3",
            "--val-fraction", "0.25"};
        String[] all = new String[base.length + TINY.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(TINY, 0, all, base.length, TINY.length);
        return run(all);
    }

    @BeforeAll
    static void trainOnce() {
        data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 20, 0);
        output = temp.resolve("run");
        trained = train(data, output);
    }

    static Document page(Path report) throws Exception {
        return Jsoup.parse(Files.readString(report, StandardCharsets.UTF_8));
    }

    @Test
    void train_shouldWriteTheReportTheScoresAndTheEventFiles() throws Exception {
        assertThat(trained.status()).as(trained.err()).isZero();
        assertThat(trained.out()).contains("report:", output.resolve("report.html").toString(), "tensorboard:");
        assertThat(output.resolve("validation-scores.json")).isRegularFile();
        try (var files = Files.list(output.resolve("tensorboard"))) {
            assertThat(files.map(p -> p.getFileName().toString())).singleElement().asString()
                    .startsWith("events.out.tfevents.");
        }
        Document page = page(output.resolve("report.html"));
        assertThat(page.select("section[id]").eachAttr("id")).containsExactly("summary", "training-curves", "roc-pr",
                "confusion-matrix", "thresholds", "debugger", "profiler");
        assertThat(page.select(".not-available")).isEmpty();
    }

    @Test
    void report_ofAnOlderRun_shouldSayWhatIsMissing_andScoreAgainWithItsData() throws Exception {
        Path older = temp.resolve("older");
        CliRun again = train(data, older);
        assertThat(again.status()).as(again.err()).isZero();
        Files.delete(older.resolve("validation-scores.json"));

        CliRun without = run("report", older.toString(), "--no-tensorboard");
        assertThat(without.status()).as(without.err()).isZero();
        assertThat(without.out()).contains("report:", older.resolve("report.html").toString()).doesNotContain("tensorboard:");
        assertThat(page(older.resolve("report.html")).getElementById("roc-pr").text())
                .contains("Not available", "validation-scores.json", "--data");

        CliRun with = run("report", older.toString(), "--data", data.toString(), "--val-fraction", "0.25");
        assertThat(with.status()).as(with.err()).isZero();
        assertThat(with.out()).contains("tensorboard:");
        Document page = page(older.resolve("report.html"));
        assertThat(page.select(".not-available")).isEmpty();
        assertThat(page.getElementById("roc-pr").text()).contains("rescored");
        assertThat(Files.readString(older.resolve("validation-scores.json"))).contains("\"source\":\"rescored\"");
    }

    @Test
    void report_ofAFolderWithoutARun_shouldExitTwoNamingIt() {
        Path empty = temp.resolve("nothing");
        CliRun result = run("report", empty.toString());
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("xray: " + empty, "is neither a training run folder");
    }
}
