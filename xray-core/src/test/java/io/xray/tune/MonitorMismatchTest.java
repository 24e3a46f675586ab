package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.data.Dataset;
import io.xray.testing.SyntheticXrays;
import io.xray.train.TrainingRecipe;
import io.xray.train.ValidationMetric;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warning that a trial's score and its kept model come from different epochs. */
class MonitorMismatchTest {

    private static final SearchSpace LEARNING_RATE = SearchSpace.of(ContinuousParameter.log("learning-rate", 1e-4, 1e-2));

    private static TrainingRecipe monitoring(ValidationMetric monitor) {
        return TrainingRecipe.defaults().toBuilder().monitor(monitor).build();
    }

    @Test
    void defaultRecipeTunedForF1_shouldNameBothAndBothFixes() {
        Optional<String> warning = LocalTrialRunner.monitorMismatch(TrainingRecipe.defaults(), LEARNING_RATE,
                Objective.maximize("Val_f1"));

        assertThat(TrainingRecipe.defaults().monitor()).isEqualTo(ValidationMetric.LOSS);
        assertThat(warning).hasValueSatisfying(w -> assertThat(w)
                .contains("Val_f1", "monitor (loss)", "-H monitor=f1", "--metric Val_loss"));
    }

    @Test
    void monitorWatchingTheObjectivesMetric_shouldNotWarn() {
        assertThat(LocalTrialRunner.monitorMismatch(monitoring(ValidationMetric.F1), LEARNING_RATE,
                Objective.maximize("Val_f1"))).isEmpty();
        assertThat(LocalTrialRunner.monitorMismatch(monitoring(ValidationMetric.F1), LEARNING_RATE,
                Objective.maximize("Best_val_f1"))).isEmpty();
        assertThat(LocalTrialRunner.monitorMismatch(monitoring(ValidationMetric.ROC_AUC), LEARNING_RATE,
                Objective.maximize("Val_auc"))).isEmpty();
        assertThat(LocalTrialRunner.monitorMismatch(TrainingRecipe.defaults(), LEARNING_RATE,
                Objective.minimize("Val_loss"))).isEmpty();
    }

    @Test
    void objectiveNotScoredAtTheBestEpoch_shouldNotWarn() {
        assertThat(LocalTrialRunner.monitorMismatch(TrainingRecipe.defaults(), LEARNING_RATE,
                Objective.maximize("Val_f1").atLastEpoch())).isEmpty();
    }

    @Test
    void metricNoMonitorWatches_shouldOfferTheMonitorsMetric() {
        assertThat(LocalTrialRunner.monitorMismatch(monitoring(ValidationMetric.ROC_AUC), LEARNING_RATE,
                Objective.maximize("Val_recall"))).hasValueSatisfying(w -> assertThat(w)
                .contains("Val_recall", "monitor (roc-auc)", "--metric Val_auc").doesNotContain("-H monitor="));
    }

    @Test
    void searchedMonitor_shouldWarnAboutTheValuesThatDiffer() {
        SearchSpace space = SearchSpace.of(CategoricalParameter.of("monitor", "f1", "loss"));
        assertThat(LocalTrialRunner.monitorMismatch(TrainingRecipe.defaults(), space, Objective.maximize("Val_f1")))
                .hasValueSatisfying(w -> assertThat(w).contains("monitor (loss)", "search only monitor=f1"));
    }

    @Test
    void buildingATunerWithTheDefaults_shouldLogOneWarning(@TempDir Path temp) {
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 4, 2, 5));
        HyperparameterTuner.Builder tuner = HyperparameterTuner.builder()
                .parameter(ContinuousParameter.log("learning-rate", 1e-4, 1e-2))
                .objective(Objective.maximize("Val_f1"))
                .runDirectory(temp.resolve("run"))
                .runner(LocalTrialRunner.builder().dataset(dataset).build());

        // slf4j-simple (the tests' binding, WARN and above) writes to whatever System.err is at the time.
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            tuner.build();
        } finally {
            System.setErr(stderr);
        }

        List<String> warnings = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("WARN") && line.contains("monitor"))
                .toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("Val_f1", "monitor (loss)", "-H monitor=f1", "--metric Val_loss");
    }
}
