package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.xray.testing.SyntheticXrays;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests run with {@code ai.djl.offline=true}, so the ImageNet backbone cannot be downloaded: the
 * command line names its own options, not the library's {@code Backbone.torchScript(file)}.
 */
class BackboneAdviceTest {

    @TempDir
    static Path temp;

    static Path data;

    @BeforeAll
    static void data() {
        data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 12, 0);
    }

    @Test
    void trainWithTheImagenetBackboneOffline_shouldNameTheBackboneOption() {
        CliRun result = run("train", "--data", data.toString(), "--out", temp.resolve("train").toString(),
                "--backbone", "imagenet", "--batch-size", "8", "--val-fraction", "0.25", "--device", "cpu",
                "--progress-every", "0");

        assertThat(result.status()).as(result.err()).isEqualTo(XrayCli.EXIT_USAGE);
        assertThat(result.err()).startsWith("xray: the imagenet backbone could not be downloaded")
                .contains("--backbone torchscript:FILE", "--backbone scratch")
                .doesNotContain("Backbone.");
    }

    @Test
    void tuneWithTheImagenetBackboneOffline_shouldFailTheTrialNamingTheHyperparameterOption() throws Exception {
        Path out = temp.resolve("tune");
        CliRun result = run("tune", "--data", data.toString(), "--out", out.toString(), "--recipe", "quickstart",
                "-H", "backbone=imagenet", "--param", "learning-rate=log:1e-4:1e-2", "--trials", "1",
                "--val-fraction", "0.25", "--device", "cpu");

        assertThat(result.status()).as(result.err()).isEqualTo(1);
        assertThat(result.out()).contains("FAILED", "-H backbone=torchscript:FILE or -H backbone=scratch");
        assertThat(Files.readString(out.resolve("tuning.json"))).contains("-H backbone=torchscript:FILE")
                .doesNotContain("Backbone.");
    }
}
