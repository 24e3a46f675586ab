package io.xray.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HyperparameterTunerTest {

    @TempDir
    Path work;

    private static final SearchSpace SPACE = SearchSpace.of(
            ContinuousParameter.log("learning-rate", 1e-4, 0.1), CategoricalParameter.of("batch-size", "32", "64", "128"));

    /** Peaks at learning rate 0.003 and batch size 64. */
    private static double target(Map<String, String> values) {
        double lr = Math.log10(Double.parseDouble(values.get("learning-rate")));
        double batch = values.get("batch-size").equals("64") ? 0 : 0.05;
        return 0.95 - 0.08 * (lr + 2.5) * (lr + 2.5) - batch;
    }

    private HyperparameterTuner.Builder tuner(String folder, TrialRunner runner) {
        return HyperparameterTuner.builder()
                .space(SPACE)
                .objective(Objective.maximize("score"))
                .strategy(SearchStrategy.bayesian())
                .maxTrials(8)
                .parallelTrials(1)
                .seed(5)
                .runDirectory(work.resolve(folder))
                .runner(runner);
    }

    private static List<String> summary(TuningResult result) {
        List<String> lines = new ArrayList<>();
        for (TrialRecord t : result.trials()) {
            lines.add(t.number() + " " + t.values() + " " + t.status() + " " + t.objective() + " " + t.bestEpoch() + " "
                    + t.epochs());
        }
        return lines;
    }

    @Test
    void sameSeed_shouldSuggestTheSameTrials() {
        for (SearchStrategy strategy : List.of(SearchStrategy.random(), SearchStrategy.bayesian())) {
            List<String> a = summary(tuner("a-" + strategy.name(), CurveRunner.ofValues(HyperparameterTunerTest::target, 2))
                    .strategy(strategy).build().run());
            List<String> b = summary(tuner("b-" + strategy.name(), CurveRunner.ofValues(HyperparameterTunerTest::target, 2))
                    .strategy(strategy).build().run());
            List<String> c = summary(tuner("c-" + strategy.name(), CurveRunner.ofValues(HyperparameterTunerTest::target, 2))
                    .strategy(strategy).seed(6).build().run());
            assertThat(a).hasSize(8).isEqualTo(b);
            assertThat(c).isNotEqualTo(a);
        }
    }

    @Test
    void parallelTrialsFinishingOutOfOrder_shouldStillSuggestTheSameTrials() {
        TuningResult first = tuner("p1", CurveRunner.ofValues(HyperparameterTunerTest::target, 2).jitter())
                .parallelTrials(3).maxTrials(9).build().run();
        List<String> a = summary(first);
        List<String> b = summary(tuner("p2", CurveRunner.ofValues(HyperparameterTunerTest::target, 2).jitter())
                .parallelTrials(3).maxTrials(9).build().run());
        assertThat(a).hasSize(9).isEqualTo(b);
        // trials suggested while others ran are spread out: no two with one batch size at nearly one rate
        List<Map<String, String>> values = first.trials().stream().map(TrialRecord::values).toList();
        for (int i = 0; i < values.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (values.get(i).get("batch-size").equals(values.get(j).get("batch-size"))) {
                    double decades = Math.abs(Math.log10(Double.parseDouble(values.get(i).get("learning-rate")))
                            - Math.log10(Double.parseDouble(values.get(j).get("learning-rate"))));
                    assertThat(decades).as("trials %d and %d: %s and %s", j + 1, i + 1, values.get(j), values.get(i))
                            .isGreaterThan(0.05);
                }
            }
        }
    }

    @Test
    void trialWhoseBestEpochIsNotItsLast_shouldBeScoredAtItsBestEpoch() {
        TuningResult result = tuner("best", CurveRunner.ofValues(values -> 0.9, 6)).maxTrials(1).build().run();
        TrialRecord trial = result.trials().get(0);
        assertThat(trial.epochs()).hasSize(6);
        assertThat(trial.objectivePerEpoch()).hasSize(6).element(3).isEqualTo(CurveRunner.curve(0.9, 4));
        assertThat(trial.bestEpoch()).isEqualTo(4);
        assertThat(trial.objective()).isEqualTo(CurveRunner.curve(0.9, 4)).isGreaterThan(CurveRunner.curve(0.9, 6));
        TuningResult last = tuner("last", CurveRunner.ofValues(values -> 0.9, 6)).maxTrials(1)
                .objective(Objective.maximize("score").atLastEpoch()).build().run();
        assertThat(last.trials().get(0).objective()).isEqualTo(CurveRunner.curve(0.9, 6));
    }

    @Test
    void trialWorseThanTheMedian_shouldBeStoppedEarly() {
        CurveRunner runner = new CurveRunner(trial -> trial.number() == 4 ? 0.3 : 0.9, 5);
        TuningResult result = tuner("median", runner).maxTrials(5).earlyStopping(EarlyStopping.median()).build().run();
        assertThat(result.trials()).extracting(TrialRecord::status).containsExactly(TrialStatus.COMPLETED,
                TrialStatus.COMPLETED, TrialStatus.COMPLETED, TrialStatus.STOPPED, TrialStatus.COMPLETED);
        assertThat(result.trials().get(3).epochs()).hasSize(1);
        assertThat(result.trials().get(4).epochs()).hasSize(5);
        assertThat(result.trials().get(3).objective()).isEqualTo(CurveRunner.curve(0.3, 1));
    }

    @Test
    void successiveHalving_shouldStopTrialsOutsideTheTopThirdAtARung() {
        double[] targets = {0.9, 0.5, 0.7, 0.95, 0.6};
        CurveRunner runner = new CurveRunner(trial -> targets[trial.number() - 1], 5);
        TuningResult result = tuner("asha", runner).maxTrials(5).earlyStopping(EarlyStopping.parse("asha:3:1")).build().run();
        assertThat(result.trials()).extracting(TrialRecord::status).containsExactly(TrialStatus.COMPLETED,
                TrialStatus.COMPLETED, TrialStatus.STOPPED, TrialStatus.COMPLETED, TrialStatus.STOPPED);
        assertThat(result.trials()).extracting(t -> t.epochs().size()).containsExactly(5, 5, 1, 5, 1);
        assertThat(EarlyStopping.successiveHalving(3, 1).toString()).isEqualTo("asha:3:1");
        assertThatThrownBy(() -> EarlyStopping.parse("asha:1:1")).hasMessageContaining("reduction factor >= 2");
    }

    @Test
    void runKilledBetweenTrialsAndDuringATrial_shouldResumeToTheSameTrials() throws Exception {
        List<String> uninterrupted = summary(tuner("whole", CurveRunner.ofValues(HyperparameterTunerTest::target, 6))
                .earlyStopping(EarlyStopping.median()).build().run());

        CurveRunner runner = CurveRunner.ofValues(HyperparameterTunerTest::target, 6);
        HyperparameterTuner killed = tuner("killed", runner).earlyStopping(EarlyStopping.median()).resume(true).build();
        runner.killAt(3, 4);
        assertThatThrownBy(killed::run).isInstanceOf(CurveRunner.Kill.class);
        TuningListener killBeforeTrial6 = new TuningListener() {
            @Override
            public void onTrialStarted(int number, Map<String, String> values, boolean resumed) {
                if (number == 6) {
                    throw new CurveRunner.Kill("killed between trials 5 and 6");
                }
            }
        };
        assertThatThrownBy(() -> killed.run(killBeforeTrial6)).isInstanceOf(CurveRunner.Kill.class);
        assertThat(Files.readString(work.resolve("killed/tuning.json"))).contains("\"status\" : \"RUNNING\"");
        TuningResult resumed = killed.run();

        assertThat(summary(resumed)).isEqualTo(uninterrupted);
        assertThat(runner.calls).containsExactly("1", "2", "3", "3 resumed", "4", "5", "6 resumed", "7", "8");
    }

    @Test
    void warmStart_shouldLetEarlierTrialsInformTheFirstSuggestions() {
        TuningResult earlier = tuner("earlier", CurveRunner.ofValues(HyperparameterTunerTest::target, 1)).maxTrials(6)
                .build().run();
        List<String> cold = summary(tuner("cold", CurveRunner.ofValues(HyperparameterTunerTest::target, 1)).maxTrials(2)
                .seed(8).build().run());
        HyperparameterTuner warmTuner = tuner("warm", CurveRunner.ofValues(HyperparameterTunerTest::target, 1))
                .maxTrials(2).seed(8).warmStart(earlier.runDirectory()).build();
        TuningResult warm = warmTuner.run();
        assertThat(warm.trials()).hasSize(2);
        assertThat(summary(warm)).isNotEqualTo(cold);
        assertThat(summary(tuner("warm2", CurveRunner.ofValues(HyperparameterTunerTest::target, 1)).maxTrials(2).seed(8)
                .warmStart(earlier.runDirectory()).build().run())).isEqualTo(summary(warm));
        assertThatThrownBy(() -> tuner("x", CurveRunner.ofValues(HyperparameterTunerTest::target, 1))
                .warmStart(work.resolve("nothing")).build()).hasMessageStartingWith("warmStart: ");
    }

    @Test
    void folderHoldingARun_shouldBeRefusedWithoutResumeOrWithOtherSettings() {
        tuner("used", CurveRunner.ofValues(HyperparameterTunerTest::target, 1)).maxTrials(2).build().run();
        assertThatThrownBy(() -> tuner("used", CurveRunner.ofValues(HyperparameterTunerTest::target, 1)).build().run())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("already holds a tuning run");
        assertThatThrownBy(() -> tuner("used", CurveRunner.ofValues(HyperparameterTunerTest::target, 1)).seed(9)
                .resume(true).build().run())
                .hasMessageContaining("seed was '5', now '9'");
        TuningResult more = tuner("used", CurveRunner.ofValues(HyperparameterTunerTest::target, 1)).maxTrials(3)
                .resume(true).build().run();
        assertThat(more.trials()).hasSize(3);
    }

    @Test
    void failingTrial_shouldBeRecordedAsFailedAndTheRunGoOn() {
        TrialRunner runner = trial -> {
            if (trial.number() == 2) {
                throw new IllegalStateException("out of memory, say");
            }
            trial.reportEpoch(1, Map.of("score", 0.5));
            return TrialOutcome.none();
        };
        TuningResult result = tuner("failing", runner).maxTrials(3).build().run();
        assertThat(result.trials()).extracting(TrialRecord::status)
                .containsExactly(TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.COMPLETED);
        assertThat(result.trials().get(1).message()).isEqualTo("out of memory, say");
        assertThat(result.trials().get(1).objective()).isNaN();
        assertThat(result.best()).isPresent();
    }

    @Test
    void missingOrBadOptions_shouldNameTheField() {
        TrialRunner runner = CurveRunner.ofValues(HyperparameterTunerTest::target, 1);
        assertThatThrownBy(() -> HyperparameterTuner.builder().objective(Objective.maximize("score")).runner(runner)
                .runDirectory(work).build()).hasMessageStartingWith("parameters:");
        assertThatThrownBy(() -> tuner("x", runner).objective(null).build()).hasMessageStartingWith("objective:");
        assertThatThrownBy(() -> tuner("x", runner).maxTrials(0).build()).hasMessageStartingWith("maxTrials:");
        assertThatThrownBy(() -> tuner("x", runner).parallelTrials(0).build()).hasMessageStartingWith("parallelTrials:");
        assertThatThrownBy(() -> tuner("x", null).build()).hasMessageStartingWith("runner:");
        assertThatThrownBy(() -> tuner("x", runner).runDirectory(null).build()).hasMessageStartingWith("runDirectory:");
    }

    @Test
    void seedNotebookSearch_shouldHoldTheNotebooksSpace() {
        HyperparameterTuner tuner = HyperparameterTuner.seedNotebookSearch()
                .runner(CurveRunner.ofValues(HyperparameterTunerTest::target, 1))
                .objective(Objective.maximize("score")).runDirectory(work).build();
        assertThat(tuner.space().toString()).isEqualTo("learning-rate=log:0.0001:0.1 batch-size=cat:32,64,128");
        assertThat(tuner.maxTrials()).isEqualTo(10);
        assertThat(HyperparameterTuner.seedNotebookSearch().runner(CurveRunner.ofValues(v -> 0, 1)).runDirectory(work)
                .build().objective()).isEqualTo(Objective.maximize("Val_f1"));
    }
}
