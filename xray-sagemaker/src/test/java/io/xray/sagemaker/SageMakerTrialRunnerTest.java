package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.train.TrainingRecipe;
import io.xray.tune.CategoricalParameter;
import io.xray.tune.ContinuousParameter;
import io.xray.tune.EarlyStopping;
import io.xray.tune.HyperparameterTuner;
import io.xray.tune.Objective;
import io.xray.tune.SearchStrategy;
import io.xray.tune.TrialRecord;
import io.xray.tune.TrialStatus;
import io.xray.tune.TuningResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xray's tuner with every trial a SageMaker training job, against a loopback stub speaking
 * SageMaker's and CloudWatch Logs' JSON 1.1: the stub checks what each CreateTrainingJob sends,
 * answers each job's status, and serves its log stream page by page.
 */
class SageMakerTrialRunnerTest {

    static final Pattern TRIAL = Pattern.compile("^xray-trial-t(\\d{3})-2026-11-29-12-00-00-000$");
    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    final AwsStub stub = new AwsStub();
    final SageMakerSession session = stub.session(4);
    final Map<String, AtomicInteger> describes = new ConcurrentHashMap<>();
    final Map<String, Boolean> stopped = new ConcurrentHashMap<>();

    @TempDir
    Path runDirectory;

    @AfterEach
    void close() {
        session.close();
        stub.close();
    }

    SageMakerEstimator estimator() {
        return SageMakerEstimator.builder(session)
                .imageUri(TrainingJobTest.IMAGE)
                .instanceType("ml.g5.xlarge")
                .recipe(TrainingRecipe.quickstart().withHyperparameters(Map.of("epochs", "3")))
                .channel("train", "s3://xray-data/chest_xray/")
                .build();
    }

    SageMakerTrialRunner runner() {
        return SageMakerTrialRunner.builder(estimator())
                .pollInterval(Duration.ofMillis(5))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
    }

    HyperparameterTuner.Builder tuner(SageMakerTrialRunner runner) {
        return HyperparameterTuner.builder()
                .parameter(ContinuousParameter.log("learning-rate", 1e-4, 0.1))
                .parameter(CategoricalParameter.of("batch-size", "32", "64"))
                .objective(Objective.maximize(TrainingMetrics.VALIDATION_F1))
                .strategy(SearchStrategy.random())
                .seed(7)
                .maxTrials(3)
                .runner(runner)
                .runDirectory(runDirectory);
    }

    /** A {@code Val_epoch} line as {@link io.xray.train.EpochLogLine} prints it. */
    static String line(int epoch, double f1, double bestF1) {
        return String.format(Locale.ROOT, "Val_epoch %d: Val_loss=%.4f, Val_f1=%.4f; Val_accuracy=%.4f; Patience=0;"
                + " Best_val_f1=%.4f; Val_auc=0.9100; Train_loss=0.4000; Images_per_sec=88.0; Best_epoch=1;"
                + " Val_precision=0.9000; Val_recall=0.9000; Val_specificity=0.8000; Val_pr_auc=0.9300;"
                + " Learning_rate=0.00100000; Epoch_sec=40.0; Data_sec=1.0; Compute_sec=35.0; Val_sec=4.0",
                epoch, 1 - f1, f1, f1 - 0.01, bestF1);
    }

    static int trialOf(String job) {
        Matcher m = TRIAL.matcher(job);
        assertThat(m.matches()).as("job name %s", job).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /**
     * Serves the jobs: {@code finals} says how each trial's job ends once it was described twice
     * (or, for "UntilStopped", once StopTrainingJob came); {@code f1} is the validation F1 per
     * epoch its log shows: the first two epochs on the first page, the rest only after the job was
     * described again (a later poll).
     */
    void serve(Map<Integer, String> finals, Map<Integer, double[]> f1) {
        stub.handle("CreateTrainingJob", r -> AwsStub.Reply.json(Map.of("TrainingJobArn",
                "arn:aws:sagemaker:eu-west-1:123456789012:training-job/" + r.json().get("TrainingJobName").asText())));
        stub.handle("StopTrainingJob", r -> {
            stopped.put(r.json().get("TrainingJobName").asText(), true);
            return AwsStub.Reply.json(Map.of());
        });
        stub.handle("DescribeTrainingJob", r -> {
            String job = r.json().get("TrainingJobName").asText();
            int trial = trialOf(job);
            int count = describes.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
            String end = finals.get(trial);
            Map<String, Object> body;
            if (end.equals("UntilStopped") ? !stopped.containsKey(job) : count < 3) {
                body = TrainingJobTest.describe("InProgress", "Training", Map.of());
            } else if (end.equals("Completed")) {
                double[] values = f1.get(trial);
                double best = java.util.Arrays.stream(values).max().orElseThrow();
                body = TrainingJobTest.describe("Completed", "Completed", Map.of(
                        "ModelArtifacts", Map.of("S3ModelArtifacts", "s3://xray-test-bucket/xray/training/" + job
                                + "/output/model.tar.gz"),
                        "FinalMetricDataList", List.of(
                                Map.of("MetricName", "validation:f1", "Value", values[values.length - 1], "Timestamp", 1.7644e9),
                                Map.of("MetricName", "validation:best_f1", "Value", best, "Timestamp", 1.7644e9),
                                Map.of("MetricName", "epoch", "Value", values.length, "Timestamp", 1.7644e9))));
            } else if (end.equals("UntilStopped")) {
                body = TrainingJobTest.describe("Stopped", "Stopped", Map.of());
            } else {
                body = TrainingJobTest.describe("Stopped", "MaxRuntimeExceeded", Map.of());
            }
            body.put("TrainingJobName", job);
            return AwsStub.Reply.json(body);
        });
        stub.handle("DescribeLogStreams", r -> {
            JsonNode request = r.json();
            assertThat(request.get("logGroupName").asText()).isEqualTo("/aws/sagemaker/TrainingJobs");
            String prefix = request.get("logStreamNamePrefix").asText();
            assertThat(prefix).endsWith("/algo-1-");
            return AwsStub.Reply.json(Map.of("logStreams", List.of(Map.of("logStreamName", prefix + "1764417600",
                    "creationTime", 1764417600000L))));
        });
        stub.handle("GetLogEvents", r -> {
            JsonNode request = r.json();
            assertThat(request.get("logGroupName").asText()).isEqualTo("/aws/sagemaker/TrainingJobs");
            String stream = request.get("logStreamName").asText();
            String job = stream.substring(0, stream.indexOf('/'));
            double[] values = f1.get(trialOf(job));
            String token = request.has("nextToken") ? request.get("nextToken").asText() : null;
            List<Map<String, Object>> events = new ArrayList<>();
            String next;
            if (token == null) {
                events.add(event("Starting training: " + job));
                for (int e = 1; e <= Math.min(2, values.length); e++) {
                    events.add(event(line(e, values[e - 1], max(values, e))));
                }
                next = "f/2";
            } else if (token.equals("f/2") && describes.get(job).get() >= 2 && values.length > 2) {
                for (int e = 3; e <= values.length; e++) {
                    events.add(event("2026-11-29 12:0" + e + ":00 INFO SageMakerContainer - " + line(e, values[e - 1], max(values, e))));
                }
                events.add(event("Training complete: best epoch 2; Val_f1=0.5555"));
                next = "f/3";
            } else {
                next = token;
            }
            return AwsStub.Reply.json(Map.of("events", events, "nextForwardToken", next, "nextBackwardToken", "b/0"));
        });
    }

    static Map<String, Object> event(String message) {
        return Map.of("timestamp", 1764417600000L, "message", message, "ingestionTime", 1764417601000L);
    }

    static double max(double[] values, int upTo) {
        double best = 0;
        for (int i = 0; i < upTo; i++) {
            best = Math.max(best, values[i]);
        }
        return best;
    }

    @Test
    void threeTrials_shouldSendTheSuggestionAsStringsScoreTheBestEpochFromTheLogAndFailTheStoppedJob() throws Exception {
        serve(Map.of(1, "Completed", 2, "Stopped", 3, "Completed"),
                Map.of(1, new double[] {0.80, 0.90, 0.85}, 2, new double[] {0.60}, 3, new double[] {0.70, 0.88, 0.86}));

        TuningResult result = tuner(runner()).parallelTrials(3).build().run();

        List<AwsStub.Request> creates = stub.requests("CreateTrainingJob");
        assertThat(creates).hasSize(3);
        Map<String, String> base = estimator().recipe().toHyperparameters();
        for (AwsStub.Request create : creates) {
            JsonNode request = create.json();
            int trial = trialOf(request.get("TrainingJobName").asText());
            Map<String, String> values = result.trials().get(trial - 1).values();
            Map<String, String> sent = new LinkedHashMap<>();
            request.get("HyperParameters").fields().forEachRemaining(e -> {
                assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue();
                sent.put(e.getKey(), e.getValue().asText());
            });
            Map<String, String> expected = new LinkedHashMap<>(base);
            expected.putAll(values);
            assertThat(sent).isEqualTo(expected);
            assertThat(sent.get("learning-rate")).isEqualTo(values.get("learning-rate")).isNotEqualTo(base.get("learning-rate"));
            assertThat(sent.get("epochs")).isEqualTo("3");
            assertThat(request.get("AlgorithmSpecification").get("MetricDefinitions")).hasSize(TrainingMetrics.regexes().size());
        }
        assertThat(result.trials()).extracting(TrialRecord::values).doesNotHaveDuplicates();

        TrialRecord first = result.trials().get(0);
        assertThat(first.status()).isEqualTo(TrialStatus.COMPLETED);
        assertThat(first.objectivePerEpoch()).containsExactly(0.80, 0.90, 0.85);
        assertThat(first.objective()).isEqualTo(0.90);
        assertThat(first.bestEpoch()).isEqualTo(2);
        assertThat(first.metric(TrainingMetrics.BEST_VALIDATION_F1)).containsExactly(0.80, 0.90, 0.90);
        assertThat(first.metric(TrainingMetrics.VALIDATION_LOSS)).containsExactly(0.20, 0.10, 0.15);

        TrialRecord second = result.trials().get(1);
        assertThat(second.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(second.scored()).isFalse();
        assertThat(second.message()).contains("xray-trial-t002-2026-11-29-12-00-00-000", "ended Stopped",
                "MaxRuntimeExceeded");

        TrialRecord third = result.trials().get(2);
        assertThat(third.status()).isEqualTo(TrialStatus.COMPLETED);
        assertThat(third.objective()).isEqualTo(0.88);
        assertThat(third.bestEpoch()).isEqualTo(2);

        assertThat(result.best()).hasValueSatisfying(best -> assertThat(best.number()).isEqualTo(1));
        assertThat(stub.requests("StopTrainingJob")).isEmpty();
        JsonNode record = AwsStub.JSON.readTree(Files.readString(runDirectory.resolve("trials/trial-0001")
                .resolve(SageMakerTrialRunner.RECORD)));
        assertThat(record.get("jobName").asText()).isEqualTo("xray-trial-t001-2026-11-29-12-00-00-000");
        assertThat(record.get("status").asText()).isEqualTo("Completed");
        assertThat(record.get("modelArtifacts").asText()).endsWith("xray-trial-t001-2026-11-29-12-00-00-000/output/model.tar.gz");
        assertThat(AwsStub.JSON.readTree(Files.readString(runDirectory.resolve("trials/trial-0002")
                .resolve(SageMakerTrialRunner.RECORD))).get("status").asText()).isEqualTo("Stopped");
    }

    @Test
    void earlyStopping_shouldStopTheTrainingJobAndScoreTheTrialAsStopped() {
        serve(Map.of(1, "Completed", 2, "UntilStopped", 3, "Completed"),
                Map.of(1, new double[] {0.80, 0.90, 0.85}, 2, new double[] {0.50, 0.55, 0.60}, 3, new double[] {0.85, 0.91, 0.90}));

        TuningResult result = tuner(runner()).parallelTrials(1).earlyStopping(EarlyStopping.median(1)).build().run();

        assertThat(stub.requests("StopTrainingJob")).hasSize(1);
        assertThat(stub.requests("StopTrainingJob").get(0).json().get("TrainingJobName").asText())
                .isEqualTo("xray-trial-t002-2026-11-29-12-00-00-000");
        TrialRecord second = result.trials().get(1);
        assertThat(second.status()).isEqualTo(TrialStatus.STOPPED);
        assertThat(second.objectivePerEpoch().get(0)).isEqualTo(0.50);
        assertThat(result.trials().get(0).status()).isEqualTo(TrialStatus.COMPLETED);
        assertThat(result.trials().get(2).status()).isEqualTo(TrialStatus.COMPLETED);
        assertThat(result.best()).hasValueSatisfying(best -> assertThat(best.number()).isEqualTo(3));
    }

    /** Stands for the tuning process being killed while it waits for a job. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void resumedRun_shouldAttachToTheTrainingJobTheKilledRunStarted() {
        serve(Map.of(1, "Completed"), Map.of(1, new double[] {0.80, 0.90, 0.85}));
        SageMakerTrialRunner killing = SageMakerTrialRunner.builder(estimator()).pollInterval(Duration.ofMillis(5))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).progress(p -> {
                    throw new Killed();
                }).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tuner(killing).maxTrials(1).build().run())
                .isInstanceOf(Killed.class);
        assertThat(stub.requests("CreateTrainingJob")).hasSize(1);

        SageMakerTrialRunner later = SageMakerTrialRunner.builder(estimator()).pollInterval(Duration.ofMillis(5))
                .clock(Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC)).build();
        TuningResult result = tuner(later).maxTrials(1).resume(true).build().run();

        assertThat(stub.requests("CreateTrainingJob")).hasSize(1);
        assertThat(result.trials()).hasSize(1);
        assertThat(result.trials().get(0).status()).isEqualTo(TrialStatus.COMPLETED);
        assertThat(result.trials().get(0).objective()).isEqualTo(0.90);
    }

    @Test
    void logsDenied_shouldFallBackToTheFinalMetricsAtTheLastEpoch() {
        serve(Map.of(1, "Completed", 2, "Completed", 3, "Completed"),
                Map.of(1, new double[] {0.80, 0.90, 0.85}, 2, new double[] {0.70, 0.75}, 3, new double[] {0.60}));
        stub.handle("DescribeLogStreams", r -> AwsStub.Reply.error(400, "AccessDeniedException",
                "User is not authorized to perform: logs:DescribeLogStreams"));

        TuningResult result = tuner(runner()).parallelTrials(1).build().run();

        TrialRecord first = result.trials().get(0);
        assertThat(first.status()).isEqualTo(TrialStatus.COMPLETED);
        assertThat(first.objectivePerEpoch()).hasSize(3);
        assertThat(first.objectivePerEpoch().get(2)).isEqualTo(0.85);
        assertThat(first.metric(TrainingMetrics.BEST_VALIDATION_F1).get(2)).isEqualTo(0.90);
        assertThat(stub.requests("GetLogEvents")).isEmpty();
    }

    @Test
    void validate_shouldNameAnObjectiveTheJobDoesNotReportAndAParameterTheRecipeRefuses() {
        SageMakerTrialRunner runner = runner();
        TrainingJobTest.assertField(() -> tuner(runner).objective(Objective.maximize("Val_f1")).build(), "objective",
                "for Val_f1 use validation:f1");
        TrainingJobTest.assertField(() -> tuner(runner).parameter(ContinuousParameter.linear("lr", 0.1, 0.2)).build(),
                "parameters", "'lr' is not a recipe hyperparameter");
        TrainingJobTest.assertField(() -> tuner(runner).parameter(CategoricalParameter.of("optimizer", "adamw", "lbfgs"))
                .build(), "parameters", "lbfgs");
        TrainingJobTest.assertField(() -> SageMakerTrialRunner.builder(estimator()).parallelJobs(0).build(),
                "parallelJobs", "1 to 100");
    }
}
