package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.testing.SyntheticXrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xray seeds} on tiny synthetic X-rays: one run per seed, their summary, and a re-run that trains nothing. */
class SeedsCommandTest {

    @TempDir
    static Path temp;

    static Path data;
    static Path output;
    static CliRun first;

    static CliRun seeds(String seedList) {
        return run("seeds", "--data", data.toString(), "--output", output.toString(), "--seeds", seedList,
                "--val-fraction", "0.25", "--backbone", "scratch:4,8,16,32", "--image-size", "32", "--resize", "36",
                "--batch-size", "8", "--epochs", "2", "--learning-rate", "0.003", "--device", "cpu",
                "--progress-every", "0");
    }

    @BeforeAll
    static void train() {
        data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 20, 0);
        SyntheticXrays.writeImages(data.resolve("test"), 6, 5);
        output = temp.resolve("study");
        first = seeds("1,2,3");
    }

    @Test
    void seeds_shouldTrainOneRunPerSeedAndSummariseThem() throws IOException {
        assertThat(first.status()).as(first.err()).isZero();
        for (int seed = 1; seed <= 3; seed++) {
            assertThat(output.resolve("seed-" + seed).resolve("model").resolve("model.json")).isRegularFile();
            assertThat(first.out()).containsPattern("seed " + seed + ": best epoch \\d of 2");
        }
        assertThat(first.out()).contains("3 seeds, at each model's stored threshold", "val (", "test (12 images)");

        JsonNode json = new ObjectMapper().readTree(output.resolve("seeds.json").toFile());
        JsonNode runs = json.get("seeds");
        assertThat(runs).hasSize(3);
        assertThat(json.get("recipe").get("seed").asText()).isEqualTo("42");
        double[] testAuc = new double[3];
        for (int i = 0; i < 3; i++) {
            assertThat(runs.get(i).get("seed").asLong()).isEqualTo(i + 1);
            testAuc[i] = runs.get(i).get("evaluations").get("test").get("rocAuc").asDouble();
        }
        // The summary line is computed from the per-seed figures it lists.
        double mean = (testAuc[0] + testAuc[1] + testAuc[2]) / 3;
        String testBlock = first.out().substring(first.out().indexOf("test (12 images)"));
        String aucLine = testBlock.lines().filter(l -> l.trim().startsWith("ROC AUC")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(aucLine.trim().split("\\s+")[2])).isCloseTo(mean, within(5e-5));
    }

    @Test
    void seeds_runAgain_shouldTrainNothingAndPrintTheSameFigures() {
        CliRun again = seeds("1,2,3");

        assertThat(again.status()).as(again.err()).isZero();
        assertThat(summary(again.out())).isEqualTo(summary(first.out()));
    }

    private static List<String> summary(String out) {
        return out.lines().dropWhile(l -> !l.contains("seeds, at each model's")).filter(l -> !l.startsWith("training time"))
                .toList();
    }

    @Test
    void meanSdWorst_shouldUseTheSampleSdAndNameTheWorstSeed() {
        List<SeedsCommand.SeedResult> results = List.of(
                new SeedsCommand.SeedResult(7, 1, 1, 0.5, 1, java.util.Map.of()),
                new SeedsCommand.SeedResult(8, 1, 1, 0.5, 1, java.util.Map.of()),
                new SeedsCommand.SeedResult(9, 1, 1, 0.5, 1, java.util.Map.of()));

        assertThat(SeedsCommand.meanSdWorst(new double[] {0.9, 0.8, 1.0}, results))
                .isEqualTo("0.9000 ± 0.1000 (worst 0.8000, seed 8)");
    }

    @Test
    void seedOption_shouldBeRefusedPointingToSeeds() {
        CliRun run = run("seeds", "--data", data.toString(), "--output", temp.resolve("x").toString(), "--seeds", "1",
                "--seed", "5");

        assertThat(run.status()).isNotZero();
        assertThat(run.err()).contains("--seed 5 is not used by xray seeds", "--seeds");
    }
}
