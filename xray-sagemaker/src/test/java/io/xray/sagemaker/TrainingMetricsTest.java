package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.train.EpochResult;
import io.xray.train.FitResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metric definitions a training job sends, applied with Java's regex engine to every line
 * that a real (tiny) run of the train entrypoint printed, as SageMaker applies them to the log.
 */
class TrainingMetricsTest {

    static final int EPOCHS = 3;

    @TempDir
    static Path root;
    static List<String> log;
    static FitResult result;

    @BeforeAll
    static void train() {
        OptMlTree.write(root, OptMlTree.tinyHyperparameters(EPOCHS));
        OptMlTree.Console console = new OptMlTree.Console();
        console.stream.println("Resuming from /opt/ml/checkpoints after epoch 0; Train_loss=9.99; Best_val_f1=0.1234");
        result = SageMakerContainer.train(root, console.stream);
        console.stream.println("Training complete: best epoch " + result.bestEpoch() + "; Val_f1=0.5555");
        log = console.lines();
    }

    static List<Double> extract(String metric) {
        Pattern pattern = Pattern.compile(TrainingMetrics.regexes().get(metric));
        List<Double> values = new ArrayList<>();
        for (String line : log) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                values.add(Double.parseDouble(m.group(1)));
            }
        }
        return values;
    }

    static List<Double> expected(String format, ToDoubleFunction<EpochResult> value) {
        return result.history().stream()
                .map(e -> Double.parseDouble(String.format(Locale.ROOT, format, value.applyAsDouble(e)))).toList();
    }

    @Test
    void everyDefinition_shouldExtractEachEpochsValueFromTheLogAndNothingElse() {
        assertThat(result.history()).hasSize(EPOCHS);
        Map<String, List<Double>> want = Map.of(
                TrainingMetrics.VALIDATION_LOSS, expected("%.4f", EpochResult::validationLoss),
                TrainingMetrics.VALIDATION_F1, expected("%.4f", e -> e.validation().f1()),
                TrainingMetrics.VALIDATION_ACCURACY, expected("%.4f", e -> e.validation().accuracy()),
                TrainingMetrics.BEST_VALIDATION_F1, expected("%.4f", e -> e.bestSoFar().validationF1()),
                TrainingMetrics.TRAIN_LOSS, expected("%.4f", EpochResult::trainLoss),
                TrainingMetrics.IMAGES_PER_SECOND, expected("%.1f", e -> e.timings().imagesPerSecond()),
                TrainingMetrics.EPOCH, List.of(1.0, 2.0, 3.0));

        want.forEach((metric, values) -> assertThat(extract(metric)).as(metric).isEqualTo(values));
    }

    @Test
    void auc_shouldBeExtractedWhenItIsANumber() {
        List<Double> auc = result.history().stream().map(e -> e.validation().rocAuc()).filter(v -> !Double.isNaN(v))
                .map(v -> Double.parseDouble(String.format(Locale.ROOT, "%.4f", v))).toList();

        assertThat(extract(TrainingMetrics.VALIDATION_AUC)).isEqualTo(auc);
    }

    @Test
    void bestSoFar_shouldNeverFallAndEndAtTheKeptEpochsF1() {
        List<Double> best = extract(TrainingMetrics.BEST_VALIDATION_F1);

        for (int i = 1; i < best.size(); i++) {
            assertThat(best.get(i)).isGreaterThanOrEqualTo(best.get(i - 1));
        }
        double keptF1 = result.history().get(result.bestEpoch() - 1).validation().f1();
        assertThat(best.get(best.size() - 1)).isEqualTo(Double.parseDouble(String.format(Locale.ROOT, "%.4f", keptF1)));
    }

    @Test
    void definitions_shouldStayWithinSageMakersLimits() {
        assertThat(TrainingMetrics.definitions()).hasSizeLessThanOrEqualTo(40)
                .allSatisfy(d -> assertThat(d.regex()).hasSizeLessThanOrEqualTo(500));
    }
}
