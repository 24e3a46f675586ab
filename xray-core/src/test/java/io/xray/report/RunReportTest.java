package io.xray.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.XrayException;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.debug.DebuggerConfig;
import io.xray.debug.ProfilerRuleName;
import io.xray.debug.RuleName;
import io.xray.metrics.ConfusionMatrix;
import io.xray.testing.SyntheticXrays;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.RunRecord;
import io.xray.train.ValidationScores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report of a real (tiny) training run, parsed with jsoup: every section is there with its
 * data, the numbers in the tables agree with the embedded JSON and with what training computed,
 * and the page needs nothing from the network.
 */
class RunReportTest {

    static final List<String> TRAINING_SECTIONS = List.of("summary", "training-curves", "roc-pr", "confusion-matrix",
            "thresholds", "debugger", "profiler");

    @TempDir
    static Path temp;

    static Dataset dataset;
    static FitResult result;
    static Path run;

    @BeforeAll
    static void train() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 16, 8, 3));
        run = temp.resolve("run");
        result = ResNetFineTuner.builder()
                .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
                .preprocessing(SyntheticXrays.preprocessing())
                .batchSize(8)
                .epochs(3)
                .learningRate(3e-3)
                .earlyStoppingPatience(0)
                .seed(7)
                .device(Device.cpu())
                .decodeThreads(1)
                .progressEveryBatches(0)
                .debugger(DebuggerConfig.defaults().toBuilder().sampleEverySteps(1).build())
                .outputDirectory(run)
                .runRecord(true)
                .build()
                .fit(dataset);
    }

    static Document parse(Path report) throws IOException {
        return Jsoup.parse(Files.readString(report, StandardCharsets.UTF_8));
    }

    static JsonNode data(Document page) throws IOException {
        Element block = page.getElementById("report-data");
        assertThat(block).as("the embedded JSON block").isNotNull();
        assertThat(block.attr("type")).isEqualTo("application/json");
        return new ObjectMapper().readTree(block.data());
    }

    static List<List<String>> rows(Element table) {
        List<List<String>> rows = new ArrayList<>();
        for (Element tr : table.select("tbody tr")) {
            rows.add(tr.select("td").eachText());
        }
        return rows;
    }

    @Test
    void trainingRun_shouldHaveEverySectionWithItsData() throws IOException {
        Path report = RunReport.write(run);

        assertThat(report).isEqualTo(run.resolve(RunReport.FILE));
        Document page = parse(report);
        JsonNode data = data(page);
        assertThat(data.get("kind").asText()).isEqualTo("training");
        for (String id : TRAINING_SECTIONS) {
            Element section = page.getElementById(id);
            assertThat(section).as("section " + id).isNotNull();
            assertThat(section.select(".not-available")).as("section " + id + " is available").isEmpty();
        }

        // training curves: one entry per epoch, as metrics.jsonl and the fit's history have them
        JsonNode epochs = data.get("epochs");
        assertThat(epochs).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(epochs.get(i).get("epoch").asInt()).isEqualTo(i + 1);
            assertThat(epochs.get(i).get("Val_loss").asDouble()).isEqualTo(result.history().get(i).validationLoss());
            assertThat(epochs.get(i).get("Train_loss").asDouble()).isEqualTo(result.history().get(i).trainLoss());
        }
        assertThat(rows(page.getElementById("training-curves").selectFirst("table.epochs"))).hasSize(3);
        for (String chart : List.of("loss", "validation-metrics", "learning-rate", "throughput")) {
            JsonNode spec = data.get("charts").get(chart);
            assertThat(spec).as(chart).isNotNull();
            assertThat(spec.get("x").get("values")).hasSize(3);
        }

        // confusion matrix at the stored threshold: the table, the JSON and training agree
        ConfusionMatrix expected = result.validationMetrics().confusion();
        JsonNode validation = data.get("validation");
        assertThat(validation.get("available").asBoolean()).isTrue();
        assertThat(validation.get("source").asText()).isEqualTo("training");
        assertThat(validation.get("threshold").asDouble()).isEqualTo(result.threshold().threshold());
        JsonNode confusion = validation.get("confusion");
        Element matrix = page.getElementById("confusion-matrix");
        for (String count : List.of("truePositives", "falsePositives", "trueNegatives", "falseNegatives")) {
            long value = switch (count) {
                case "truePositives" -> expected.truePositives();
                case "falsePositives" -> expected.falsePositives();
                case "trueNegatives" -> expected.trueNegatives();
                default -> expected.falseNegatives();
            };
            assertThat(confusion.get(count).asLong()).as(count).isEqualTo(value);
            assertThat(matrix.selectFirst("td[data-count=" + count + "]").text()).as(count).isEqualTo(Long.toString(value));
        }

        // ROC and PR curves from the saved scores
        assertThat(validation.get("images").asInt()).isEqualTo(16);
        assertThat(validation.get("rocAuc").asDouble()).isEqualTo(result.validationMetrics().rocAuc());
        JsonNode roc = validation.get("roc");
        assertThat(roc.get("falsePositiveRates").get(0).asDouble()).isZero();
        assertThat(roc.get("truePositiveRates").get(roc.get("truePositiveRates").size() - 1).asDouble()).isEqualTo(1.0);
        assertThat(data.get("charts").get("roc").get("series")).hasSize(2);
        assertThat(data.get("charts").get("pr").get("series")).hasSize(2);

        // thresholds: 19 fixed rows and the stored one, highlighted, with its sensitivity and specificity
        List<List<String>> thresholdRows = rows(page.getElementById("thresholds").selectFirst("table"));
        assertThat(thresholdRows).hasSizeBetween(19, 20);
        assertThat(validation.get("thresholds")).hasSize(thresholdRows.size());
        Element stored = page.getElementById("thresholds").selectFirst("tr.highlight");
        assertThat(stored).isNotNull();
        assertThat(Double.parseDouble(stored.select("td").get(0).text())).isCloseTo(result.threshold().threshold(),
                org.assertj.core.data.Offset.offset(1e-4));
        assertThat(Double.parseDouble(stored.select("td").get(1).text())).isCloseTo(expected.recall(),
                org.assertj.core.data.Offset.offset(1e-4));
        assertThat(Double.parseDouble(stored.select("td").get(2).text())).isCloseTo(expected.specificity(),
                org.assertj.core.data.Offset.offset(1e-4));

        // debugger: every rule's verdict
        List<List<String>> rules = rows(page.getElementById("debugger").selectFirst("table"));
        assertThat(rules).hasSize(RuleName.values().length);
        assertThat(rules).extracting(r -> r.get(0)).contains("VanishingGradient", "DeadRelu", "ClassImbalance");
        assertThat(rules).allSatisfy(r -> assertThat(r.get(1)).isIn("IssuesFound", "NoIssuesFound"));
        assertThat(data.get("debugger").get("sampledSteps").asLong()).isPositive();

        // profiler: rules, step-time histogram with every step, CPU and memory over time
        JsonNode profiler = data.get("profiler");
        assertThat(rows(page.getElementById("profiler").selectFirst("table"))).hasSize(ProfilerRuleName.values().length);
        double histogramSteps = 0;
        for (JsonNode count : profiler.get("stepHistogram").get("counts")) {
            histogramSteps += count.asDouble();
        }
        assertThat(histogramSteps).isEqualTo(profiler.get("steps").asDouble()).isEqualTo(3 * 4);
        assertThat(profiler.get("samples").get("residentMiB").size()).isPositive();
        assertThat(data.get("charts").fieldNames()).toIterable().contains("step-times", "cpu", "memory", "data-wait");

        // every chart placeholder has its specification, and nothing is fetched from elsewhere
        for (Element chart : page.select("[data-chart]")) {
            assertThat(data.get("charts").has(chart.attr("data-chart"))).as(chart.attr("data-chart")).isTrue();
        }
        assertThat(page.select("script[src], link[href], img[src]")).isEmpty();
        assertThat(page.select("script").stream().anyMatch(s -> s.data().contains("uPlot"))).isTrue();
        assertThat(page.selectFirst("style").data()).contains(".uplot");
    }

    @Test
    void olderRunWithoutScores_shouldSayNotAvailable_andWithItsDataScoreAgain() throws IOException {
        Path older = copy(run, temp.resolve("older"));
        ValidationScores trained = ValidationScores.read(older).orElseThrow();
        Files.delete(older.resolve(ValidationScores.FILE));

        Document without = parse(RunReport.write(older));
        for (String id : List.of("roc-pr", "confusion-matrix", "thresholds")) {
            assertThat(without.getElementById(id).select(".not-available").text()).as(id)
                    .contains(ValidationScores.FILE, "--data");
        }
        assertThat(data(without).get("validation").get("available").asBoolean()).isFalse();
        assertThat(without.getElementById("training-curves").select(".not-available")).isEmpty();

        Document with = parse(RunReport.write(older, dataset));
        JsonNode validation = data(with).get("validation");
        assertThat(validation.get("available").asBoolean()).isTrue();
        assertThat(validation.get("source").asText()).isEqualTo("rescored");
        ValidationScores rescored = ValidationScores.read(older).orElseThrow();
        assertThat(rescored.labels()).isEqualTo(trained.labels());
        assertThat(rescored.scores()).containsExactly(trained.scores(), org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void olderRunWithOtherData_shouldSayNotAvailableNamingTheMismatch() throws IOException {
        Path older = copy(run, temp.resolve("other-data"));
        Files.delete(older.resolve(ValidationScores.FILE));
        Dataset other = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("other"), 16, 8, 99));

        Document page = parse(RunReport.write(older, other));

        assertThat(page.getElementById("roc-pr").select(".not-available").text())
                .contains("not split as the model's training data", "manifest SHA-256", "seed (7)");
        assertThat(ValidationScores.read(older)).isEmpty();
    }

    @Test
    void folderWithoutARun_shouldBeRefusedNamingIt() {
        Path empty = temp.resolve("empty");
        assertThatThrownBy(() -> RunReport.write(empty)).isInstanceOf(XrayException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining(RunRecord.RUN_FILE);
    }

    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.naturalOrder())::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }
}
