package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code xray batch} over the shipped sample test folder with the shared tiny model. */
class BatchCommandTest {
    static final Path SAMPLE = Path.of("..", "sample-data", "chest_xray");

    @TempDir
    static Path temp;

    static Path model;

    @BeforeAll
    static void tinyModel() {
        model = TinyModels.directory();
    }

    @Test
    void batch_onSampleTestFolder_shouldScoreEveryImagePrintMetricsAndSkipEverythingWhenRunAgain() throws Exception {
        Path output = temp.resolve("scores");
        String[] args = {"batch", "--model", model.toString(), "--input", SAMPLE.resolve("test").toString(),
            "--output", output.toString(), "--threads", "2", "--batch-size", "16"};

        CliRun first = run(args);

        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).contains("inputs: 80  processed: 80  skipped: 0  failed: 0")
                .contains("metrics on 80 labelled images at threshold")
                .contains("confusion: TP ");
        try (Stream<Path> files = Files.walk(output)) {
            assertThat(files.filter(f -> f.toString().endsWith(".out"))).hasSize(80);
        }
        assertThat(output.resolve("NORMAL/IM-0015-0001.jpeg.out")).isRegularFile();
        assertThat(output.resolve("PNEUMONIA/person3_virus_15.jpeg.out")).isRegularFile();
        List<String> summary = Files.readAllLines(output.resolve("summary.jsonl"));
        assertThat(summary).hasSize(80);
        JsonNode metrics = new ObjectMapper().readTree(output.resolve("metrics.json").toFile());
        assertThat(metrics.path("metrics").path("count").asInt()).isEqualTo(80);
        assertThat(metrics.path("metrics").path("positives").asInt()).isEqualTo(40);
        assertThat(output.resolve("confusion-matrix.png")).isRegularFile();

        CliRun second = run(args);

        assertThat(second.status()).isZero();
        assertThat(second.out()).contains("inputs: 80  processed: 0  skipped: 80  failed: 0");
        assertThat(Files.readAllLines(output.resolve("summary.jsonl"))).isEqualTo(summary);
    }

    @Test
    void batchWithExplain_shouldWriteAnOverlayBesideEachOut() throws Exception {
        Path input = temp.resolve("few/NORMAL");
        Files.createDirectories(input);
        Files.copy(SAMPLE.resolve("test/NORMAL/IM-0015-0001.jpeg"), input.resolve("IM-0015-0001.jpeg"));
        Path output = temp.resolve("explained");
        CliRun result = run("batch", "--model", model.toString(), "--input", temp.resolve("few").toString(),
                "--output", output.toString(), "--explain");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(output.resolve("NORMAL/IM-0015-0001.jpeg.out")).isRegularFile();
        assertThat(javax.imageio.ImageIO.read(output.resolve("NORMAL/IM-0015-0001.jpeg.explain.png").toFile())).isNotNull();
    }

    @Test
    void batch_withZeroThreads_shouldExitTwoNamingTheField() {
        CliRun result = run("batch", "--model", model.toString(), "--input", SAMPLE.resolve("test").toString(),
                "--output", temp.resolve("never").toString(), "--threads", "0");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("threads");
        assertThat(temp.resolve("never")).doesNotExist();
    }

    @Test
    void batch_withMissingModelDirectory_shouldExitTwoNamingIt() {
        CliRun result = run("batch", "--model", temp.resolve("no-model").toString(),
                "--input", SAMPLE.resolve("test").toString(), "--output", temp.resolve("never").toString());

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("model").contains("no-model");
    }
}
