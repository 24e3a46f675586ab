package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.xray.train.TrainingRecipe;
import io.xray.tune.TrialRecord;
import io.xray.tune.TrialStatus;
import io.xray.tune.TuningResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A tuning job against a loopback stub speaking SageMaker's JSON 1.1. */
class TuningJobTest {

    static final String NAME = "xray-tune-261129-120000";

    final AwsStub stub = new AwsStub();
    final SageMakerSession session = stub.session(4);

    @AfterEach
    void close() {
        session.close();
        stub.close();
    }

    SageMakerEstimator estimator() {
        return SageMakerEstimator.builder(session)
                .imageUri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0")
                .instanceType("ml.g5.xlarge")
                .recipe(TrainingRecipe.quickstart())
                .channel("train", "s3://xray-data/chest_xray/")
                .managedSpot(Duration.ofHours(30))
                .build();
    }

    TuningJob.Builder tuning() {
        return TuningJob.builder(estimator(), session)
                .strategy(TuningJob.Strategy.BAYESIAN)
                .continuous("learning-rate", "0.0001", "0.01", TuningJob.Scaling.LOGARITHMIC)
                .integer("batch-size", "16", "64", TuningJob.Scaling.LINEAR)
                .categorical("optimizer", "adamw", "sgd")
                .maxJobs(6)
                .maxParallelJobs(3)
                .earlyStopping(true)
                .waiting(Duration.ofMillis(5), Duration.ofSeconds(10));
    }

    static Map<String, Object> summary(String job, String status, Double objective, Map<String, String> tuned) {
        Map<String, Object> s = new LinkedHashMap<>(Map.of("TrainingJobName", job, "TrainingJobArn", "arn:" + job,
                "TrainingJobStatus", status, "CreationTime", 1.7644e9, "TunedHyperParameters", tuned));
        if (objective != null) {
            s.put("FinalHyperParameterTuningJobObjectiveMetric", Map.of("MetricName", "validation:best_f1", "Value", objective));
        } else {
            s.put("FailureReason", "AlgorithmError: out of memory");
        }
        return s;
    }

    @Test
    void run_shouldSendRangesAsStringsAndTheBestSoFarObjectiveThenCollectEveryTrial() {
        Map<String, Object> best = summary("xray-tune-261129-120000-002-b", "Completed", 0.95, Map.of("learning-rate", "0.002"));
        stub.on("CreateHyperParameterTuningJob", AwsStub.Reply.json(Map.of("HyperParameterTuningJobArn", "arn:h")))
                .on("DescribeHyperParameterTuningJob",
                        AwsStub.Reply.json(Map.of("HyperParameterTuningJobName", NAME, "HyperParameterTuningJobStatus", "InProgress",
                                "CreationTime", 1.7644e9, "HyperParameterTuningJobArn", "arn:h",
                                "TrainingJobStatusCounters", Map.of("Completed", 1, "InProgress", 2))),
                        AwsStub.Reply.error(400, "ThrottlingException", "Rate exceeded"),
                        AwsStub.Reply.json(Map.of("HyperParameterTuningJobName", NAME, "HyperParameterTuningJobStatus", "Completed",
                                "CreationTime", 1.7644e9, "HyperParameterTuningJobArn", "arn:h", "BestTrainingJob", best)))
                .on("ListTrainingJobsForHyperParameterTuningJob", AwsStub.Reply.json(Map.of("TrainingJobSummaries", List.of(
                        summary("xray-tune-261129-120000-001-a", "Completed", 0.91, Map.of("learning-rate", "0.0004")),
                        best,
                        summary("xray-tune-261129-120000-003-c", "Failed", null, Map.of("learning-rate", "0.009"))))))
                .on("DescribeTrainingJob", AwsStub.Reply.json(TrainingJobTest.describe("Completed", "Completed", Map.of(
                        "FinalMetricDataList", List.of(Map.of("MetricName", "validation:best_f1", "Value", 0.95,
                                "Timestamp", 1.7644e9))))));

        TuningResult result = tuning().build().run(NAME);

        JsonNode request = stub.requests("CreateHyperParameterTuningJob").get(0).json();
        JsonNode config = request.get("HyperParameterTuningJobConfig");
        assertThat(config.get("Strategy").asText()).isEqualTo("Bayesian");
        assertThat(config.get("HyperParameterTuningJobObjective").toString())
                .isEqualTo("{\"Type\":\"Maximize\",\"MetricName\":\"validation:best_f1\"}");
        assertThat(config.get("ResourceLimits").toString()).isEqualTo("{\"MaxNumberOfTrainingJobs\":6,\"MaxParallelTrainingJobs\":3}");
        assertThat(config.get("TrainingJobEarlyStoppingType").asText()).isEqualTo("Auto");
        JsonNode ranges = config.get("ParameterRanges");
        assertThat(ranges.get("ContinuousParameterRanges").toString()).isEqualTo(
                "[{\"Name\":\"learning-rate\",\"MinValue\":\"0.0001\",\"MaxValue\":\"0.01\",\"ScalingType\":\"Logarithmic\"}]");
        assertThat(ranges.get("IntegerParameterRanges").toString()).isEqualTo(
                "[{\"Name\":\"batch-size\",\"MinValue\":\"16\",\"MaxValue\":\"64\",\"ScalingType\":\"Linear\"}]");
        assertThat(ranges.get("CategoricalParameterRanges").toString())
                .isEqualTo("[{\"Name\":\"optimizer\",\"Values\":[\"adamw\",\"sgd\"]}]");
        JsonNode definition = request.get("TrainingJobDefinition");
        List<String> statics = new ArrayList<>();
        definition.get("StaticHyperParameters").fields().forEachRemaining(e -> {
            assertThat(e.getValue().isTextual()).isTrue();
            statics.add(e.getKey());
        });
        assertThat(statics).doesNotContain("learning-rate", "batch-size", "optimizer").contains("epochs", "backbone");
        assertThat(definition.get("AlgorithmSpecification").get("MetricDefinitions")).hasSize(TrainingMetrics.regexes().size());
        assertThat(definition.get("EnableManagedSpotTraining").asBoolean()).isTrue();
        assertThat(definition.has("CheckpointConfig")).isFalse();
        assertThat(definition.get("StoppingCondition").get("MaxWaitTimeInSeconds").asInt()).isEqualTo(30 * 3600);

        assertThat(result.trials()).hasSize(3);
        assertThat(result.objective().toString()).isEqualTo("maximize:validation:best_f1@last");
        TrialRecord bestTrial = result.best().orElseThrow();
        assertThat(bestTrial.number()).isEqualTo(2);
        assertThat(bestTrial.values()).containsExactly(Map.entry("learning-rate", "0.002"));
        assertThat(bestTrial.objective()).isEqualTo(0.95);
        assertThat(bestTrial.epochs().get(bestTrial.epochs().size() - 1)).containsEntry("validation:best_f1", 0.95);
        assertThat(result.trials().get(2).status()).isEqualTo(TrialStatus.FAILED);
        assertThat(result.trials().get(2).message()).contains("AlgorithmError: out of memory");
        assertThat(result.trials().get(2).epochs()).isEmpty();
        assertThat(stub.requests("DescribeTrainingJob")).hasSize(2);
    }

    @Test
    void result_shouldConvertEveryTrainingJobIntoTheLocalTunersTrialsInCreationOrder() {
        Map<String, Object> early = summary("xray-tune-261129-120000-003-c", "Stopped", 0.71,
                Map.of("learning-rate", "0.05", "optimizer", "\"sgd\""));
        early.put("CreationTime", 1.7644e9 + 30);
        Map<String, Object> later = summary("xray-tune-261129-120000-001-a", "Completed", 0.93,
                Map.of("optimizer", "adamw", "learning-rate", "0.0004"));
        later.put("CreationTime", 1.7644e9 + 60);
        later.put("TrainingStartTime", 1.7644e9 + 70);
        later.put("TrainingEndTime", 1.7644e9 + 670);
        Map<String, Object> failed = summary("xray-tune-261129-120000-002-b", "Failed", null, Map.of("learning-rate", "0.009"));
        stub.on("DescribeHyperParameterTuningJob", AwsStub.Reply.json(Map.of("HyperParameterTuningJobName", NAME,
                        "HyperParameterTuningJobStatus", "Completed", "CreationTime", 1.7644e9,
                        "HyperParameterTuningEndTime", 1.7644e9 + 900, "HyperParameterTuningJobArn", "arn:h", "BestTrainingJob", later)))
                .on("ListTrainingJobsForHyperParameterTuningJob", AwsStub.Reply.json(Map.of("TrainingJobSummaries",
                        List.of(later, failed, early))))
                .handle("DescribeTrainingJob", r -> {
                    String job = r.json().get("TrainingJobName").asText();
                    boolean completed = job.endsWith("-a");
                    Map<String, Object> body = TrainingJobTest.describe(completed ? "Completed" : "Stopped", completed ? "Completed"
                            : "Stopped", Map.of("FinalMetricDataList", List.of(
                                    Map.of("MetricName", "validation:f1", "Value", completed ? 0.91 : 0.70, "Timestamp", 1.7644e9),
                                    Map.of("MetricName", "validation:best_f1", "Value", completed ? 0.93 : 0.71, "Timestamp", 1.7644e9),
                                    Map.of("MetricName", "epoch", "Value", completed ? 4 : 2, "Timestamp", 1.7644e9)),
                            "ModelArtifacts", Map.of("S3ModelArtifacts", "s3://xray-test-bucket/xray/training/" + job
                                    + "/output/model.tar.gz")));
                    body.put("TrainingJobName", job);
                    return AwsStub.Reply.json(body);
                });

        TuningResult result = tuning().build().result(NAME);

        assertThat(result.runDirectory()).isNull();
        assertThat(result.seconds()).isEqualTo(900);
        assertThat(result.objective()).isEqualTo(io.xray.tune.Objective.maximize("validation:best_f1").atLastEpoch());
        assertThat(result.trials()).extracting(TrialRecord::number).containsExactly(1, 2, 3);
        assertThat(result.trials()).extracting(TrialRecord::status)
                .containsExactly(TrialStatus.FAILED, TrialStatus.STOPPED, TrialStatus.COMPLETED);

        TrialRecord failedTrial = result.trials().get(0);
        assertThat(failedTrial.scored()).isFalse();
        assertThat(failedTrial.message()).contains("xray-tune-261129-120000-002-b", "ended Failed", "out of memory");

        TrialRecord stopped = result.trials().get(1);
        assertThat(stopped.values()).containsExactly(Map.entry("learning-rate", "0.05"), Map.entry("optimizer", "sgd"));
        assertThat(stopped.objective()).isEqualTo(0.71);
        assertThat(stopped.objectivePerEpoch()).hasSize(2);
        assertThat(stopped.metric("validation:f1").get(1)).isEqualTo(0.70);
        assertThat(stopped.model()).isEmpty();

        TrialRecord completed = result.trials().get(2);
        assertThat(completed.values()).containsExactly(Map.entry("learning-rate", "0.0004"), Map.entry("optimizer", "adamw"));
        assertThat(completed.objective()).isEqualTo(0.93);
        assertThat(completed.epochs()).hasSize(4);
        assertThat(completed.epochs().get(3)).containsEntry("validation:f1", 0.91).doesNotContainKey("epoch");
        assertThat(completed.seconds()).isEqualTo(600);
        assertThat(completed.model()).hasValue("s3://xray-test-bucket/xray/training/xray-tune-261129-120000-001-a/output/model.tar.gz");
        assertThat(result.best()).hasValueSatisfying(best -> assertThat(best.number()).isEqualTo(3));
        assertThat(stub.requests("DescribeTrainingJob")).hasSize(2);
        assertThat(stub.requests("CreateHyperParameterTuningJob")).isEmpty();
    }

    @Test
    void stoppedTuningJob_shouldNotCountAsDone() {
        stub.on("CreateHyperParameterTuningJob", AwsStub.Reply.json(Map.of("HyperParameterTuningJobArn", "arn:h")))
                .on("DescribeHyperParameterTuningJob", AwsStub.Reply.json(Map.of("HyperParameterTuningJobName", NAME,
                        "HyperParameterTuningJobStatus", "Stopped", "CreationTime", 1.7644e9, "HyperParameterTuningJobArn", "arn:h")));

        assertThatThrownBy(() -> tuning().build().run(NAME)).isInstanceOf(SageMakerException.class)
                .hasMessageContaining("tuning job " + NAME + " ended Stopped");
    }

    @Test
    void build_shouldNameTheBadField() {
        TrainingJobTest.assertField(() -> tuning().strategy(TuningJob.Strategy.HYPERBAND).build(), "earlyStopping", "Hyperband");
        TrainingJobTest.assertField(() -> tuning().continuous("lr", "0.1", "0.2", TuningJob.Scaling.LINEAR).build(),
                "range lr", "not a recipe key");
        TrainingJobTest.assertField(() -> tuning().continuous("momentum", "0", "0.9", TuningJob.Scaling.LOGARITHMIC).build(),
                "range momentum", "positive min");
        TrainingJobTest.assertField(() -> TuningJob.builder(estimator(), session).integer("batch-size", "1", "8",
                TuningJob.Scaling.LINEAR).build(), "range batch-size", "'1' is refused by the recipe");
        TrainingJobTest.assertField(() -> tuning().maxParallelJobs(7).build(), "maxParallelJobs", "at most maxJobs");
        TrainingJobTest.assertField(() -> tuning().objective("validation:precision").build(), "objective", "not one of");
        TrainingJobTest.assertField(() -> tuning().build().createRequest("x".repeat(33)), "name", "at most 32");
        assertThat(JobNames.tuningJob("xray-tune", java.time.Instant.parse("2026-11-29T12:00:00Z"))).isEqualTo(NAME);
    }
}
