package io.xray.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.batch.BatchResult;
import io.xray.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link BatchScore} on the shipped sample test split with the shared tiny model. */
@Timeout(120)
class BatchScoreTest {

    static final Path TEST = Path.of("..", "sample-data", "chest_xray", "test");

    @TempDir
    Path temp;

    @Test
    void batchScore_onSampleTestSplit_shouldScoreEveryImageAndPrintAConfusionMatrixOverAllOfThem() throws IOException {
        List<Path> images = images(TEST);
        Path output = temp.resolve("scores");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        BatchResult result = BatchScore.run(TinyModels.directory(), TEST, output,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        int n = images.size();
        assertThat(n).isEqualTo(80);
        assertThat(printed).startsWith(n + " images: " + n + " scored, 0 skipped (already scored), 0 failed, by "
                + result.modelId());
        assertThat(printed).contains(n + " labelled images at threshold ");
        for (Path image : images) {
            assertThat(output.resolve(TEST.relativize(image) + ".out")).isRegularFile();
        }
        assertThat(Files.readAllLines(output.resolve("summary.jsonl"))).hasSize(n);

        long[] matrix = printedConfusionMatrix(printed);
        long normal = images.stream().filter(p -> p.getParent().getFileName().toString().equals("NORMAL")).count();
        assertThat(matrix[0] + matrix[1]).as("NORMAL row").isEqualTo(normal);
        assertThat(matrix[2] + matrix[3]).as("PNEUMONIA row").isEqualTo(n - normal);
        assertThat(matrix).containsExactly(result.metrics().orElseThrow().confusion().trueNegatives(),
                result.metrics().orElseThrow().confusion().falsePositives(),
                result.metrics().orElseThrow().confusion().falseNegatives(),
                result.metrics().orElseThrow().confusion().truePositives());
        assertThat(printed).containsPattern("F1 \\d[.,]\\d{3} \\(precision \\d[.,]\\d{3}, recall \\d[.,]\\d{3}\\)");
    }

    @Test
    void batchScore_runAgain_shouldSkipEveryImageAlreadyScored() {
        Path output = temp.resolve("scores");
        BatchScore.run(TinyModels.directory(), TEST, output, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        BatchScore.run(TinyModels.directory(), TEST, output, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("80 images: 0 scored, 80 skipped (already scored), 0 failed");
    }

    private static List<Path> images(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.toString().endsWith(".jpeg")).sorted().toList();
        }
    }

    /** @return TN, FP, FN, TP as printed: the NORMAL row, then the PNEUMONIA row */
    private static long[] printedConfusionMatrix(String printed) {
        Matcher normal = Pattern.compile("(?m)^  NORMAL +(\\d+) +(\\d+)$").matcher(printed);
        Matcher pneumonia = Pattern.compile("(?m)^  PNEUMONIA +(\\d+) +(\\d+)$").matcher(printed);
        assertThat(normal.find()).as(printed).isTrue();
        assertThat(pneumonia.find()).as(printed).isTrue();
        return new long[] {Long.parseLong(normal.group(1)), Long.parseLong(normal.group(2)),
            Long.parseLong(pneumonia.group(1)), Long.parseLong(pneumonia.group(2))};
    }
}
