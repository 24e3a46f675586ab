package io.xray.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.tune.CategoricalParameter;
import io.xray.tune.ContinuousParameter;
import io.xray.tune.HyperparameterTuner;
import io.xray.tune.IntegerParameter;
import io.xray.tune.LocalTrialRunner;
import io.xray.tune.Objective;
import io.xray.tune.SearchStrategy;
import io.xray.tune.TrialOutcome;
import io.xray.tune.TrialRunner;
import io.xray.tune.TuningResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a tuning run of 20 trials, written by the real tuner: trials of 8 epochs that
 * report every metric the local trial runner reports, with values computed from the trial's
 * hyperparameters instead of by training (the report reads only {@code tuning.json}).
 */
class TuningReportTest {

    @TempDir
    static Path temp;

    static Path folder;
    static TuningResult result;

    /** Reports LocalTrialRunner's metrics for 8 epochs; Val_f1 peaks near a learning rate of 3e-3. */
    static final class MetricsRunner implements TrialRunner {
        @Override
        public TrialOutcome run(io.xray.tune.Trial trial) {
            double lr = Double.parseDouble(trial.values().get("learning-rate"));
            double optimizerPenalty = trial.values().get("optimizer").equals("sgd") ? 0.05 : 0;
            double target = 0.95 - 0.04 * Math.pow(Math.log10(lr / 3e-3), 2) - optimizerPenalty
                    - 0.01 * Double.parseDouble(trial.values().get("epochs-warmup"));
            for (int epoch = 1; epoch <= 8; epoch++) {
                double f1 = target * (1 - Math.exp(-epoch)) - 0.01 * Math.max(0, epoch - 5);
                Map<String, Double> metrics = new LinkedHashMap<>();
                for (String name : LocalTrialRunner.METRICS) {
                    metrics.put(name, f1 * 0.9 + name.length() * 1e-3);
                }
                metrics.put("Val_f1", f1);
                metrics.put("Val_loss", 1 - f1);
                if (!trial.reportEpoch(epoch, metrics)) {
                    break;
                }
            }
            return TrialOutcome.none();
        }
    }

    @BeforeAll
    static void tune() {
        folder = temp.resolve("tuning");
        result = tune(folder);
    }

    /**
     * @param folder the run folder
     * @return a random search of 20 trials over a learning rate (log), an optimiser (categorical) and an integer
     */
    static TuningResult tune(Path folder) {
        return HyperparameterTuner.builder()
                .parameter(ContinuousParameter.log("learning-rate", 1e-4, 1e-1))
                .parameter(CategoricalParameter.of("optimizer", "adam", "adamw", "sgd"))
                .parameter(IntegerParameter.linear("epochs-warmup", 0, 3))
                .objective(Objective.maximize("Val_f1"))
                .strategy(SearchStrategy.random())
                .maxTrials(20)
                .seed(3)
                .runDirectory(folder)
                .runner(new MetricsRunner())
                .build()
                .run();
    }

    @Test
    void twentyTrials_shouldMakeAReportUnderOneMegabyteWithEverySection() throws IOException {
        Path report = RunReport.write(folder);

        Files.createDirectories(Path.of("target"));
        Files.copy(report, Path.of("target", "tuning-report-20-trials.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long bytes = Files.size(report);
        System.out.printf("tuning report of 20 trials: %d bytes%n", bytes);
        assertThat(bytes).isLessThan(1_000_000);
        Document page = RunReportTest.parse(report);
        JsonNode data = RunReportTest.data(page);
        assertThat(data.get("kind").asText()).isEqualTo("tuning");
        for (String id : List.of("summary", "trials", "objective", "learning-curves")) {
            assertThat(page.getElementById(id)).as(id).isNotNull();
            assertThat(page.getElementById(id).select(".not-available")).as(id).isEmpty();
        }

        // the trial table: one row per trial, the best highlighted, objectives as the tuner scored them
        List<List<String>> rows = RunReportTest.rows(page.getElementById("trials").selectFirst("table"));
        assertThat(rows).hasSize(20);
        JsonNode trials = data.get("tuning").get("trials");
        assertThat(trials).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(trials.get(i).get("objective").asDouble()).isEqualTo(result.trials().get(i).objective());
            assertThat(trials.get(i).get("values").get("learning-rate").asText())
                    .isEqualTo(result.trials().get(i).values().get("learning-rate"));
            assertThat(trials.get(i).get("objectivePerEpoch")).hasSize(8);
        }
        int best = result.best().orElseThrow().number();
        Element highlighted = page.getElementById("trials").selectFirst("tr.highlight");
        assertThat(highlighted.selectFirst("td").text()).isEqualTo(Integer.toString(best));
        assertThat(data.get("tuning").get("bestTrial").asInt()).isEqualTo(best);

        // the objective against each hyperparameter: a log axis for the learning rate, categories for the optimiser
        JsonNode scatter = data.get("tuning").get("scatter");
        assertThat(scatter).extracting(s -> s.get("parameter").asText())
                .containsExactly("learning-rate", "optimizer", "epochs-warmup");
        JsonNode lr = data.get("charts").get(scatter.get(0).get("chart").asText());
        assertThat(lr.get("x").get("log").asBoolean()).isTrue();
        assertThat(lr.get("x").get("values")).hasSize(20);
        assertThat(lr.get("series").get(0).get("values")).hasSize(20);
        JsonNode optimizer = data.get("charts").get(scatter.get(1).get("chart").asText());
        assertThat(optimizer.get("x").get("categories")).extracting(JsonNode::asText).isSubsetOf("adam", "adamw", "sgd");
        assertThat(data.get("charts").get("curves").get("series")).hasSize(20);
        for (Element chart : page.select("[data-chart]")) {
            assertThat(data.get("charts").has(chart.attr("data-chart"))).as(chart.attr("data-chart")).isTrue();
        }
    }
}
