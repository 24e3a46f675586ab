package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Label;
import io.xray.data.Split;
import io.xray.image.Preprocessing;
import io.xray.train.Backbone;
import io.xray.train.ResNetFineTuner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code xray batch} over the shipped sample test folder with a tiny model trained here. */
class BatchCommandTest {
    static final Path SAMPLE = Path.of("..", "sample-data", "chest_xray");

    @TempDir
    static Path temp;

    static Path model;

    private record Result(int status, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = XrayCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    /** One epoch at 32 px on 16 + 16 sample training images, validated on 8 + 8 others. */
    @BeforeAll
    static void trainTinyModel() {
        Dataset sample = Dataset.builder().root(SAMPLE).verifyImages(false).build();
        List<ImageRecord> records = new ArrayList<>();
        for (Label label : Label.values()) {
            List<ImageRecord> ofLabel = sample.records(Split.TRAIN).stream().filter(r -> r.label() == label).toList();
            records.addAll(ofLabel.subList(0, 16));
            ofLabel.subList(16, 24).forEach(r -> records.add(r.withSplit(Split.VAL)));
        }
        model = ResNetFineTuner.builder()
                .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
                .preprocessing(Preprocessing.builder().resizeShorterSide(36).cropSize(32).build())
                .batchSize(8)
                .epochs(1)
                .seed(3)
                .device(Device.cpu())
                .decodeThreads(1)
                .outputDirectory(temp.resolve("run"))
                .build()
                .fit(Dataset.of(records))
                .artifactDirectory();
    }

    @Test
    void batch_onSampleTestFolder_shouldScoreEveryImagePrintMetricsAndSkipEverythingWhenRunAgain() throws Exception {
        Path output = temp.resolve("scores");
        String[] args = {"batch", "--model", model.toString(), "--input", SAMPLE.resolve("test").toString(),
            "--output", output.toString(), "--threads", "2", "--batch-size", "16"};

        Result first = run(args);

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

        Result second = run(args);

        assertThat(second.status()).isZero();
        assertThat(second.out()).contains("inputs: 80  processed: 0  skipped: 80  failed: 0");
        assertThat(Files.readAllLines(output.resolve("summary.jsonl"))).isEqualTo(summary);
    }

    @Test
    void batch_withZeroThreads_shouldExitTwoNamingTheField() {
        Result result = run("batch", "--model", model.toString(), "--input", SAMPLE.resolve("test").toString(),
                "--output", temp.resolve("never").toString(), "--threads", "0");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("threads");
        assertThat(temp.resolve("never")).doesNotExist();
    }

    @Test
    void batch_withMissingModelDirectory_shouldExitTwoNamingIt() {
        Result result = run("batch", "--model", temp.resolve("no-model").toString(),
                "--input", SAMPLE.resolve("test").toString(), "--output", temp.resolve("never").toString());

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("model").contains("no-model");
    }
}
