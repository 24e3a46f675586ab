package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.testing.SyntheticXrays;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xray train}, {@code evaluate} and {@code predict} on tiny synthetic X-rays. */
class TrainCommandsTest {

    @TempDir
    static Path temp;

    static Path data;
    static Path output;
    static CliRun trained;

    private static final String[] TINY = {
        "--backbone", "scratch:4,8,16,32", "--image-size", "32", "--resize", "36", "--batch-size", "8",
        "--epochs", "2", "--learning-rate", "0.003", "--device", "cpu", "--progress-every", "0"
    };

    private static String[] trainArgs(Path out, String... extra) {
        String[] base = {"train", "--data", data.toString(), "--output", out.toString(), "--seed", "3"};
        String[] all = new String[base.length + TINY.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(TINY, 0, all, base.length, TINY.length);
        System.arraycopy(extra, 0, all, base.length + TINY.length, extra.length);
        return all;
    }

    @BeforeAll
    static void train() throws Exception {
        data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 20, 0);
        SyntheticXrays.writeImages(data.resolve("test"), 6, 5);
        output = temp.resolve("run");
        trained = run(trainArgs(output, "--val-fraction", "0.25"));
    }

    @Test
    void train_shouldWriteTheModelAndPrintWhereItIs() {
        assertThat(trained.status()).as(trained.err()).isZero();
        assertThat(trained.out()).contains("model:", output.resolve("model").toString(), "best epoch:", "naive baseline:");
        assertThat(output.resolve("model").resolve("model.json")).isRegularFile();
        assertThat(output.resolve("checkpoints").resolve("checkpoint.json")).isRegularFile();
    }

    @Test
    void headOnlyTraining_withAndWithoutTheFeatureCache_shouldReportTheSameValidation() {
        CliRun cached = run(trainArgs(temp.resolve("head-cached"), "--val-fraction", "0.25", "--trainable", "head",
                "--no-augmentation"));
        CliRun uncached = run(trainArgs(temp.resolve("head-uncached"), "--val-fraction", "0.25", "--trainable", "head",
                "--no-augmentation", "--no-feature-cache"));

        assertThat(cached.status()).as(cached.err()).isZero();
        assertThat(uncached.status()).as(uncached.err()).isZero();
        assertThat(line(cached.out(), "validation:")).isEqualTo(line(uncached.out(), "validation:"));
        assertThat(line(cached.out(), "best epoch:")).isEqualTo(line(uncached.out(), "best epoch:"));
    }

    private static String line(String output, String start) {
        return output.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    void trainResume_ofAFinishedRun_shouldRunNoEpochAndSucceed() {
        CliRun resumed = run(trainArgs(output, "--val-fraction", "0.25", "--resume"));
        assertThat(resumed.status()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("best epoch:");
    }

    @Test
    void evaluateJson_shouldPrintOnlyOneJsonObjectOnStandardOutput() throws Exception {
        CliRun result = run("evaluate", "--model", output.resolve("model").toString(), "--data", data.toString(),
                "--split", "test", "--json");
        assertThat(result.status()).as(result.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.path("split").asText()).isEqualTo("test");
        assertThat(json.path("metrics").path("count").asInt()).isEqualTo(12);
        assertThat(json.path("leftOut").asInt()).as("validation chose the threshold").isZero();
        assertThat(json.path("metrics").path("confusion").has("truePositives")).isTrue();
        assertThat(json.path("threshold").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void evaluateJson_shouldGiveTheTemperatureAndTheEceAndReliabilityTableBeforeAndAfter() throws Exception {
        CliRun result = run("evaluate", "--model", output.resolve("model").toString(), "--data", data.toString(),
                "--split", "test", "--json");
        assertThat(result.status()).as(result.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        JsonNode stored = new ObjectMapper().readTree(output.resolve("model").resolve("model.json").toFile());

        assertThat(json.path("temperature").asDouble()).isPositive()
                .isEqualTo(stored.path("probabilityCalibration").path("temperature").asDouble());
        assertThat(json.path("offset").asDouble())
                .isEqualTo(stored.path("probabilityCalibration").path("offset").asDouble());
        for (String when : new String[] {"Before", "After"}) {
            JsonNode table = json.path("reliability" + when);
            assertThat(table.path("bins")).as(when).hasSize(15);
            assertThat(table.path("count").asInt()).isEqualTo(12);
            long binned = 0;
            for (JsonNode bin : table.path("bins")) {
                binned += bin.path("count").asLong();
                assertThat(bin.has("meanProbability") && bin.has("positiveShare")).isTrue();
            }
            assertThat(binned).as("every image is in one bin").isEqualTo(12);
            assertThat(json.path("ece" + when).asDouble()).isBetween(0.0, 1.0)
                    .isEqualTo(table.path("expectedCalibrationError").asDouble());
        }
        assertThat(json.path("eceAfter").asDouble()).as("the model's temperature moved the probabilities")
                .isNotEqualTo(json.path("eceBefore").asDouble());
    }

    @Test
    void train_shouldPrintTheTemperatureAndItsValidationEce() {
        assertThat(line(trained.out(), "calibration:")).matches(
                "calibration: +temperature [0-9.]+, offset -?[0-9.]+ \\(on [0-9]+ val images\\), validation ECE [0-9.]+ -> [0-9.]+");
    }

    @Test
    void evaluate_withoutJson_shouldPrintTheMetricsAndConfusionMatrix() {
        CliRun result = run("evaluate", "--model", output.resolve("model").toString(), "--data", data.toString());
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains("test split, 12 images", "sensitivity", "ROC AUC", "true PNEUMONIA",
                "temperature ", "offset ", "ECE ", "reliability before calibration", "reliability after calibration");
    }

    @Test
    void calibrationFromTest_shouldChooseTheThresholdThere_andEvaluateShouldLeaveThoseImagesOut() throws Exception {
        Path calibrated = temp.resolve("calibrated");
        CliRun train = run(trainArgs(calibrated, "--val-fraction", "0.25", "--calibration-from-test", "4"));
        assertThat(train.status()).as(train.err()).isZero();
        assertThat(train.out()).contains("calibration images");

        CliRun test = run("evaluate", "--model", calibrated.resolve("model").toString(), "--data", data.toString(),
                "--split", "test", "--json");
        assertThat(test.status()).as(test.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(test.out());
        int leftOut = json.path("leftOut").asInt();
        assertThat(leftOut).isBetween(2, 6);
        assertThat(json.path("metrics").path("count").asInt()).isEqualTo(12 - leftOut);
        CliRun text = run("evaluate", "--model", calibrated.resolve("model").toString(), "--data", data.toString());
        assertThat(text.out()).contains("test split, " + (12 - leftOut) + " images", "left out   " + leftOut + " images");
        CliRun calibration = run("evaluate", "--model", calibrated.resolve("model").toString(), "--data",
                data.toString(), "--split", "calibration");
        assertThat(calibration.out()).as(calibration.err()).contains("calibration split, " + leftOut + " images");
    }

    @Test
    void evaluateVal_withTrainsFractionAndSeed_shouldReproduceTheStoredValidationMetrics() throws Exception {
        CliRun result = run("evaluate", "--model", output.resolve("model").toString(), "--data", data.toString(),
                "--val-fraction", "0.25", "--seed", "3", "--split", "val", "--json");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.err()).doesNotContain("not the split the model was trained with");
        JsonNode stored = new ObjectMapper().readTree(output.resolve("model").resolve("model.json").toFile());
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.path("metrics").path("count").asInt()).isEqualTo(stored.path("validationMetrics").path("count").asInt());
        assertThat(json.path("metrics").path("rocAuc").asDouble())
                .isCloseTo(stored.path("validationMetrics").path("rocAuc").asDouble(), within(1e-9));

        CliRun otherSeed = run("evaluate", "--model", output.resolve("model").toString(), "--data", data.toString(),
                "--val-fraction", "0.25", "--seed", "4", "--split", "val");
        assertThat(otherSeed.err()).contains("not the split the model was trained with");
    }

    @Test
    void predict_shouldPrintOneLinePerFileAndFailOnAnUndecodableOne() throws Exception {
        Path good = data.resolve("test").resolve("PNEUMONIA").resolve("person500_bacteria_0.png");
        Path bad = Files.writeString(temp.resolve("broken.jpeg"), "not an image");
        CliRun result = run("predict", "--model", output.resolve("model").toString(), good.toString(), bad.toString());
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.out().lines().toList()).hasSize(1);
        assertThat(result.out()).matches("(?s)(NORMAL|PNEUMONIA) +0\\.\\d{4} .*person500_bacteria_0\\.png\\R");
        assertThat(result.err()).contains("broken.jpeg");
    }

    @Test
    void predictWithExplain_shouldWriteOneOverlayPngPerFileWithPredictsFigures() throws Exception {
        Path pneumonia = data.resolve("test").resolve("PNEUMONIA").resolve("person500_bacteria_0.png");
        Path normal = data.resolve("test").resolve("NORMAL").resolve("IM-0500-0001.png");
        Path overlays = temp.resolve("overlays");
        String model = output.resolve("model").toString();
        CliRun plain = run("predict", "--model", model, pneumonia.toString(), normal.toString());
        CliRun explained = run("predict", "--model", model, "--explain", overlays.toString(), pneumonia.toString(),
                normal.toString());
        assertThat(explained.status()).as(explained.err()).isZero();
        assertThat(explained.out()).isEqualTo(plain.out());
        assertThat(explained.err()).contains("wrote 2 overlays to " + overlays);
        for (String name : new String[] {"person500_bacteria_0.explain.png", "IM-0500-0001.explain.png"}) {
            java.awt.image.BufferedImage overlay = javax.imageio.ImageIO.read(overlays.resolve(name).toFile());
            assertThat(overlay).as(name).isNotNull();
            assertThat(overlay.getHeight()).isEqualTo(SyntheticXrays.SIZE);
            assertThat(overlay.getWidth()).isGreaterThan(SyntheticXrays.SIZE);
        }
    }

    @Test
    void train_withBatchSizeZero_shouldExitTwoNamingTheField() {
        CliRun result = run("train", "--data", data.toString(), "--output", temp.resolve("bad").toString(),
                "--batch-size", "0");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("batch-size: '0' is not valid");
    }

    @Test
    void trainWithNoRecipeOption_shouldTrainWhatTheLibraryBuilderDefaultsTo() throws Exception {
        CliRun result = run("train", "--data", data.toString(), "--output", temp.resolve("unused").toString(),
                "--print-recipe");
        assertThat(result.status()).as(result.err()).isZero();
        Map<String, String> printed = new ObjectMapper().readValue(result.out(), new TypeReference<>() {});
        Map<String, String> library = ResNetFineTuner.builder().outputDirectory(temp).build().hyperparameters();
        assertThat(printed).isEqualTo(library).isEqualTo(TrainingRecipe.defaults().toHyperparameters());
        assertThat(temp.resolve("unused")).doesNotExist();
    }

    @Test
    void recipeOptions_shouldChangeTheChosenPreset() throws Exception {
        CliRun result = run("train", "--data", data.toString(), "--output", temp.resolve("unused").toString(),
                "--recipe", "quickstart", "--lr", "0.01", "--no-augmentation", "-H", "horizontal-flip=true",
                "--seed", "9", "--print-recipe");
        assertThat(result.status()).as(result.err()).isZero();
        Map<String, String> printed = new ObjectMapper().readValue(result.out(), new TypeReference<>() {});
        Map<String, String> expected = TrainingRecipe.quickstart().withHyperparameters(Map.of("learning-rate", "0.01",
                "augmentation", "false", "horizontal-flip", "true", "seed", "9")).toHyperparameters();
        assertThat(printed).isEqualTo(expected);
    }

    @Test
    void helpText_shouldShowTheDefaultRecipesValues() {
        CliRun result = run("train", "--help");
        assertThat(result.out()).contains("(default: " + TrainingRecipe.defaults().learningRate() + ")",
                "(default: " + TrainingRecipe.defaults().toHyperparameters().get("backbone") + ")");
    }

    @Test
    void unknownHyperparameter_shouldExitTwoListingTheKnownOnes() {
        CliRun result = run("train", "--data", data.toString(), "--output", temp.resolve("bad").toString(),
                "-H", "lr=0.1");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("lr: unknown hyperparameter", "learning-rate");
    }
}
