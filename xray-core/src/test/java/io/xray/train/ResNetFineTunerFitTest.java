package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.metrics.TemperatureScaling;
import io.xray.model.Classifier;
import io.xray.model.Evaluation;
import io.xray.model.ModelArtifact;
import io.xray.model.Prediction;
import io.xray.model.ProbabilityCalibration;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One tiny from-scratch run, shared by the tests of what it produced. */
class ResNetFineTunerFitTest {

    @TempDir
    static Path temp;

    static Dataset dataset;
    static FitResult result;
    static List<String> logLines = new ArrayList<>();
    static List<EpochResult> heard = new ArrayList<>();

    static ResNetFineTuner.Builder tiny(Path output) {
        return ResNetFineTuner.builder()
                .backbone(Backbone.resNet18FromScratch(4, 8, 16, 32))
                .preprocessing(SyntheticXrays.preprocessing())
                .batchSize(8)
                .epochs(4)
                .learningRate(3e-3)
                .earlyStoppingPatience(0)
                // What these tests were written for: the seed notebook's monitor and threshold rule.
                .monitor(ValidationMetric.F1)
                .thresholdRule(ThresholdRule.maxF1())
                .seed(7)
                .device(Device.cpu())
                .decodeThreads(1)
                .progressEveryBatches(2)
                .outputDirectory(output);
    }

    @BeforeAll
    static void train() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 20, 10, 1));
        result = tiny(temp.resolve("run")).build().fit(dataset, new FitListener() {
            @Override
            public void onEpoch(EpochResult epoch, String logLine) {
                heard.add(epoch);
                logLines.add(logLine);
            }
        });
    }

    @Test
    void tinyScratchRun_shouldRunEveryEpochAndReduceTrainingLoss() {
        assertThat(result.history()).extracting(EpochResult::epoch).containsExactly(1, 2, 3, 4);
        double first = result.history().get(0).trainLoss();
        double last = result.history().get(3).trainLoss();
        System.out.printf(Locale.ROOT, "train loss by epoch: %s%n",
                result.history().stream().map(e -> String.format(Locale.ROOT, "%.4f", e.trainLoss())).toList());
        assertThat(last).isLessThan(first);
        assertThat(result.best().validation().rocAuc()).isGreaterThan(0.5);
    }

    @Test
    void epochLogLine_shouldStartLikeTheSeedsAndYieldItsValuesToTheTunersRegexes() {
        assertThat(logLines).hasSize(4);
        for (int i = 0; i < logLines.size(); i++) {
            String line = logLines.get(i);
            EpochResult epoch = heard.get(i);
            assertThat(line).matches("Val_epoch " + (i + 1)
                    + ": Val_loss=[0-9.]+, Val_f1=[0-9.]+; Val_accuracy=[0-9.]+; Patience=[0-9]+; Best_val_f1=.*");
            assertThat(line).contains("; Val_auc=", "; Train_loss=", "; Images_per_sec=");
            assertThat(Double.parseDouble(first(line, "Val_f1=([0-9\\.]+)")))
                    .isCloseTo(epoch.validation().f1(), within(5e-5));
            assertThat(Double.parseDouble(first(line, "Best_val_f1=([0-9\\.]+)")))
                    .isCloseTo(epoch.bestSoFar().validationF1(), within(5e-5));
            assertThat(Double.parseDouble(first(line, "Train_loss=([0-9\\.]+)")))
                    .isCloseTo(epoch.trainLoss(), within(5e-5));
        }
        double bestF1 = result.best().validation().f1();
        assertThat(Double.parseDouble(first(logLines.get(3), "Best_val_f1=([0-9\\.]+)"))).isCloseTo(bestF1, within(5e-5));
    }

    @Test
    void bestEpoch_shouldBeTheEpochWithTheHighestValidationF1() {
        double best = result.history().stream().mapToDouble(e -> e.validation().f1()).max().orElseThrow();
        int firstBest = result.history().stream().filter(e -> e.validation().f1() == best).findFirst().orElseThrow().epoch();
        assertThat(result.bestEpoch()).isEqualTo(firstBest);
    }

    @Test
    void artifact_shouldHoldPreprocessingThresholdMetricsAndProvenance() {
        ModelArtifact artifact = ModelArtifact.read(result.artifactDirectory());
        assertThat(artifact.preprocessing()).isEqualTo(SyntheticXrays.preprocessing());
        assertThat(artifact.threshold()).isEqualTo(result.threshold().threshold());
        assertThat(artifact.thresholdRule()).isEqualTo("max-f1");
        assertThat(artifact.classNames()).containsExactly("NORMAL", "PNEUMONIA");
        assertThat(artifact.validationMetrics()).isEqualTo(result.validationMetrics());
        assertThat(artifact.provenance().manifestSha256()).isEqualTo(dataset.manifestSha256());
        assertThat(artifact.provenance().hyperparameters()).containsEntry("batch-size", "8").containsEntry("seed", "7");
        assertThat(artifact.provenance().bestEpoch()).isEqualTo(result.bestEpoch());
        assertThat(artifact.provenance().pytorchVersion()).isEqualTo("2.7.1");
        assertThat(artifact.provenance().machine().cores()).isPositive();
        assertThat(artifact.architecture().stageWidths()).containsExactly(4, 8, 16, 32);
        for (String file : artifact.architecture().weightFiles().values()) {
            assertThat(result.artifactDirectory().resolve(file)).isRegularFile();
        }
    }

    @Test
    void artifact_shouldHoldATemperatureFittedOnValidation_whoseEceFiguresEvaluationReproduces() {
        ModelArtifact artifact = ModelArtifact.read(result.artifactDirectory());
        ProbabilityCalibration stored = artifact.probabilityCalibration();
        int validationImages = dataset.records(Split.VAL).size();

        assertThat(stored).isNotNull().isEqualTo(result.probabilityCalibration());
        assertThat(stored.method()).isEqualTo("platt");
        assertThat(stored.fittedOn()).isEqualTo("val");
        assertThat(stored.images()).isEqualTo(validationImages);
        assertThat(stored.temperature()).isBetween(TemperatureScaling.MIN_TEMPERATURE, TemperatureScaling.MAX_TEMPERATURE);
        assertThat(stored.validationEceBefore()).isEqualTo(stored.eceBefore()).isBetween(0.0, 1.0);
        assertThat(stored.validationEceAfter()).isEqualTo(stored.eceAfter()).isBetween(0.0, 1.0);
        System.out.printf(Locale.ROOT, "temperature %.4f, validation ECE %.4f -> %.4f%n", stored.temperature(),
                stored.eceBefore(), stored.eceAfter());
        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            assertThat(classifier.temperature()).isEqualTo(stored.temperature());
            Evaluation evaluation = classifier.evaluate(dataset, Split.VAL);
            assertThat(evaluation.eceBefore()).isCloseTo(stored.validationEceBefore(), within(1e-6));
            assertThat(evaluation.eceAfter()).isCloseTo(stored.validationEceAfter(), within(1e-6));
            assertThat(evaluation.calibrated().bins()).hasSize(15);
            // The stored threshold is on the calibrated probabilities Classifier returns.
            assertThat(evaluation.metrics().confusion()).isEqualTo(artifact.validationMetrics().confusion());
            assertThat(evaluation.metrics().threshold()).isEqualTo(artifact.threshold());
        }
    }

    @Test
    void savedModel_loadedTwice_shouldGiveIdenticalPredictions() {
        List<ImageRecord> records = dataset.records(Split.VAL);
        double[] first;
        double[] second;
        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            first = classifier.score(records);
        }
        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            second = classifier.score(records);
        }
        assertThat(second).containsExactly(first);
    }

    @Test
    void classifierPrediction_shouldEqualTheEvaluationPathsProbabilityForTheSameImage() throws Exception {
        List<ImageRecord> records = dataset.records(Split.VAL);
        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            double[] evaluated = classifier.score(records);
            for (int i = 0; i < records.size(); i++) {
                Path file = records.get(i).path();
                Prediction fromPath = classifier.predict(file);
                Prediction fromBytes = classifier.predict(Files.readAllBytes(file));
                assertThat(fromPath.probability()).isCloseTo(evaluated[i], within(1e-6));
                assertThat(fromBytes.probability()).isEqualTo(fromPath.probability());
                assertThat(fromPath.threshold()).isEqualTo(classifier.threshold());
                assertThat(fromPath.label().index()).isEqualTo(fromPath.probability() >= fromPath.threshold() ? 1 : 0);
            }
            // Training's validation (cached pixels, trainer's batches) and Classifier agree too.
            assertThat(classifier.evaluate(records).rocAuc())
                    .isCloseTo(result.validationMetrics().rocAuc(), within(1e-9));
        }
    }

    @Test
    void checkpointDirectory_afterTheRun_shouldHoldOnlyTheLastAndBestEpochsFiles() throws Exception {
        Path checkpoints = temp.resolve("run").resolve("checkpoints");
        assertThat(checkpoints.resolve("checkpoint.json")).isRegularFile();
        try (var files = Files.list(checkpoints)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(names).contains("epoch-0004-network.params", "epoch-0004-optimizer.ndlist");
            assertThat(names).contains(String.format(Locale.ROOT, "epoch-%04d-network.params", result.bestEpoch()));
            assertThat(names).noneMatch(n -> n.endsWith(".tmp"));
            assertThat(names.stream().filter(n -> n.endsWith("network.params")).count())
                    .isEqualTo(result.bestEpoch() == 4 ? 1 : 2);
        }
    }

    static String first(String line, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(line);
        assertThat(matcher.find()).as("%s in %s", regex, line).isTrue();
        return matcher.group(1);
    }
}
