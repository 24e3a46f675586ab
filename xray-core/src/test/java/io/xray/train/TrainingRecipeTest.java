package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import io.xray.backbone.Backbone;
import io.xray.image.Equalization;
import io.xray.image.Preprocessing;
import io.xray.image.TrainingAugmentation;
import io.xray.model.ModelArtifact;
import io.xray.testing.TinyModels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainingRecipeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void presets_shouldRoundTripThroughTheirHyperparameters() {
        for (TrainingRecipe preset : List.of(TrainingRecipe.defaults(), TrainingRecipe.quickstart(),
                TrainingRecipe.seedNotebook())) {
            assertThat(TrainingRecipe.fromHyperparameters(preset.toHyperparameters())).isEqualTo(preset);
        }
    }

    @Test
    void defaults_shouldBeTheMeasuredRecipe() {
        Map<String, String> map = TrainingRecipe.defaults().toHyperparameters();
        assertThat(map).containsEntry("backbone", "scratch:32,64,128,256")
                .containsEntry("image-size", "128")
                .containsEntry("resize", "146")
                .containsEntry("optimizer", "adamw")
                .containsEntry("learning-rate", "0.002")
                .containsEntry("schedule", "one-cycle:0.3")
                .containsEntry("epochs", "8")
                .containsEntry("batch-size", "32")
                .containsEntry("crop-scale-min", "0.5")
                .containsEntry("rotation", "15.0")
                .containsEntry("brightness", "0.3")
                .containsEntry("contrast", "0.3")
                .containsEntry("positive-class-weight", "auto")
                .containsEntry("augmentation", "true")
                .containsEntry("equalization", "histogram")
                .containsEntry("monitor", "loss")
                .containsEntry("threshold-rule", "sensitivity>=0.95");
    }

    @Test
    void completeMapOfAnEarlierXray_withoutEqualization_shouldReadAsNoEqualization() {
        Map<String, String> older = new LinkedHashMap<>(TrainingRecipe.defaults().toHyperparameters());
        older.remove("equalization");

        assertThat(TrainingRecipe.fromHyperparameters(older).preprocessing().equalization()).isEqualTo(Equalization.NONE);
        // A partial map (a command line, a tuning job) takes the preset's value for what it leaves out.
        assertThat(TrainingRecipe.fromHyperparameters(Map.of("epochs", "3")).preprocessing().equalization())
                .isEqualTo(Equalization.HISTOGRAM);
    }

    @Test
    void fineTunerBuilder_shouldStartFromTheDefaultRecipe() {
        ResNetFineTuner tuner = ResNetFineTuner.builder().outputDirectory(Path.of("runs/x")).build();
        assertThat(tuner.recipe()).isEqualTo(TrainingRecipe.defaults());
        assertThat(tuner.hyperparameters()).isEqualTo(TrainingRecipe.defaults().toHyperparameters());
    }

    @Test
    void seedNotebook_shouldTrainTheImagenetHeadOnly() {
        TrainingRecipe seed = TrainingRecipe.seedNotebook();
        assertThat(seed.backbone()).isEqualTo(Backbone.imagenetResNet18());
        assertThat(seed.trainableLayers()).isEqualTo(TrainableLayers.headOnly());
        assertThat(seed.preprocessing()).isEqualTo(Preprocessing.defaults());
        assertThat(seed.augmentation()).isEmpty();
    }

    @Test
    void randomlyVariedRecipes_shouldRoundTripPlainAndJsonEncoded() {
        Random random = new Random(20261129);
        for (int i = 0; i < 300; i++) {
            TrainingRecipe recipe = randomRecipe(random);
            Map<String, String> map = recipe.toHyperparameters();
            assertThat(TrainingRecipe.fromHyperparameters(map)).as("plain %s", map).isEqualTo(recipe);
            assertThat(TrainingRecipe.fromHyperparameters(jsonEncoded(map, 1))).as("encoded %s", map).isEqualTo(recipe);
            assertThat(TrainingRecipe.seedNotebook().withHyperparameters(map)).isEqualTo(recipe);
        }
    }

    @Test
    void sageMakerEncodings_shouldBeDecoded() {
        Map<String, String> sent = new LinkedHashMap<>();
        sent.put("learning-rate", "\"0.001\"");
        sent.put("batch-size", jsonTwice("64"));
        sent.put("oversample", "\"true\"");
        sent.put("epochs", "3");
        sent.put("sagemaker_program", "\"train\"");
        sent.put("sagemaker_region", "\"us-east-1\"");
        sent.put("_tuning_objective_metric", "\"validation:f1\"");
        TrainingRecipe recipe = TrainingRecipe.fromHyperparameters(sent);
        assertThat(recipe.learningRate()).isEqualTo(0.001);
        assertThat(recipe.batchSize()).isEqualTo(64);
        assertThat(recipe.oversampleMinority()).isTrue();
        assertThat(recipe.epochs()).isEqualTo(3);
        assertThat(recipe.backbone()).isEqualTo(TrainingRecipe.defaults().backbone());
    }

    @Test
    void presetKey_shouldPickTheStartingRecipe() {
        TrainingRecipe recipe = TrainingRecipe.fromHyperparameters(Map.of("preset", "quickstart", "epochs", "4"));
        assertThat(recipe).isEqualTo(TrainingRecipe.quickstart().toBuilder().epochs(4).build());
        assertThatThrownBy(() -> TrainingRecipe.fromHyperparameters(Map.of("preset", "fast")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'fast'").hasMessageContaining("quickstart");
    }

    @Test
    void imageSizeAlone_shouldBringItsResize() {
        TrainingRecipe recipe = TrainingRecipe.fromHyperparameters(Map.of("image-size", "224"));
        assertThat(recipe.preprocessing().resizeShorterSide()).isEqualTo(256);
        assertThat(recipe.augmentation()).hasValueSatisfying(a -> assertThat(a.preprocessing().cropSize()).isEqualTo(224));
        assertThat(TrainingRecipe.fromHyperparameters(Map.of("image-size", "96", "resize", "100"))
                .preprocessing().resizeShorterSide()).isEqualTo(100);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "oversample|'False '|white space",
        "oversample|yes please|expected true or false",
        "augmentation|1|expected true or false",
        "learning-rate|-0.1|must be a positive number",
        "learning-rate|NaN|finite",
        "learning-rate|1f|finite decimal",
        "learning-rate|fast|expected a number",
        "batch-size|1|at least 2",
        "batch-size|32.0|whole number",
        "epochs|0|at least 1",
        "momentum|1.5|[0, 1)",
        "optimizer|lamb|adam, adamw or sgd",
        "schedule|linear|constant, cosine",
        "monitor|recall|f1, auc",
        "backbone|resnet50|scratch",
        "trainable|last-9|1 to 4",
        "trainable|some|all, head or last-N",
        "threshold-rule|youden|max-f1",
        "image-size|0|between 1 and resizeShorterSide",
        "mean|0.5,0.5|exactly 3",
        "crop-scale-min|1.5|minScale",
        "rotation|200|180",
        "positive-class-weight|-2|positive",
        "seed|forty-two|whole number",
    })
    void badValue_shouldFailNamingTheKeyAndTheValue(String key, String value, String reason) {
        assertThatThrownBy(() -> TrainingRecipe.fromHyperparameters(Map.of(key, value)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining(reason)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo(key);
    }

    @Test
    void unknownKey_shouldFailListingTheKnownOnes() {
        assertThatThrownBy(() -> TrainingRecipe.fromHyperparameters(Map.of("lr", "0.01")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("lr: unknown hyperparameter (value '0.01')")
                .hasMessageContaining("learning-rate")
                .hasMessageContaining("batch-size")
                .hasMessageContaining("preset");
    }

    @Test
    void emptyOrMalformedValues_shouldFail() {
        assertThatThrownBy(() -> TrainingRecipe.fromHyperparameters(Map.of("epochs", "")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("epochs: ");
        assertThatThrownBy(() -> TrainingRecipe.fromHyperparameters(Map.of("epochs", "\"3")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("epochs: ");
        assertThatThrownBy(() -> TrainingRecipe.fromHyperparameters(Map.of("epochs", "\"3\\q\"")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("malformed JSON");
    }

    @Test
    void trainedModelsProvenance_shouldHoldTheRecipeItWasTrainedWith() {
        Map<String, String> recorded = ModelArtifact.read(TinyModels.directory()).provenance().hyperparameters();
        TrainingRecipe recipe = TrainingRecipe.fromHyperparameters(recorded);
        assertThat(recipe.toHyperparameters()).isEqualTo(recorded);
        assertThat(recipe.backbone()).isEqualTo(Backbone.resNet18FromScratch(4, 8, 16, 32));
        assertThat(recipe.augmentation()).isEmpty();
        assertThat(recipe.epochs()).isEqualTo(1);
        assertThat(recipe.batchSize()).isEqualTo(6);
        assertThat(recipe.seed()).isEqualTo(3);
    }

    @Test
    void hyperparameters_shouldBeImmutable() {
        Map<String, String> map = TrainingRecipe.defaults().toHyperparameters();
        assertThatThrownBy(() -> map.put("epochs", "1")).isInstanceOf(UnsupportedOperationException.class);
    }

    private static TrainingRecipe randomRecipe(Random random) {
        int crop = 16 + random.nextInt(240);
        int resize = crop + random.nextInt(40);
        Preprocessing preprocessing = Preprocessing.builder().resizeShorterSide(resize).cropSize(crop)
                .mean(random.nextFloat(), random.nextFloat(), random.nextFloat())
                .std(0.01f + random.nextFloat(), 0.01f + random.nextFloat(), 0.01f + random.nextFloat())
                .equalization(random.nextBoolean() ? Equalization.HISTOGRAM : Equalization.NONE)
                .build();
        double minScale = 0.05 + 0.9 * random.nextDouble();
        double minAspect = 0.5 + random.nextDouble();
        TrainingAugmentation augmentation = TrainingAugmentation.builder(preprocessing)
                .randomResizedCrop(minScale, minScale + (1 - minScale) * random.nextDouble())
                .aspectRatio(minAspect, minAspect + random.nextDouble())
                .maxRotationDegrees(180 * random.nextDouble())
                .brightness(random.nextDouble() * 0.99)
                .contrast(random.nextDouble() * 0.99)
                .gamma(random.nextDouble() * 0.99)
                .horizontalFlip(random.nextBoolean())
                .build();
        TrainingRecipe.Builder b = TrainingRecipe.builder()
                .backbone(pick(random, Backbone.resNet18FromScratch(), Backbone.imagenetResNet18(),
                        Backbone.resNet18FromScratch(1 + random.nextInt(64), 1 + random.nextInt(64),
                                1 + random.nextInt(64), 1 + random.nextInt(64)),
                        Backbone.torchScript(Path.of("/models/r" + random.nextInt(100) + ".pt"))))
                .trainableLayers(pick(random, TrainableLayers.all(), TrainableLayers.headOnly(),
                        TrainableLayers.lastStages(1 + random.nextInt(4))))
                .optimizer(pick(random, OptimizerKind.values()))
                .learningRate(Math.pow(10, -6 + 6 * random.nextDouble()))
                .weightDecay(random.nextBoolean() ? 0 : Math.pow(10, -8 + 7 * random.nextDouble()))
                .momentum(random.nextDouble() * 0.999)
                .schedule(pick(random, LearningRateSchedule.constant(),
                        LearningRateSchedule.warmupCosine(random.nextDouble() * 0.9),
                        LearningRateSchedule.oneCycle(0.01 + random.nextDouble() * 0.9)))
                .batchSize(2 + random.nextInt(300))
                .epochs(1 + random.nextInt(200))
                .earlyStoppingPatience(random.nextInt(20))
                .monitor(pick(random, ValidationMetric.values()))
                .oversampleMinority(random.nextBoolean())
                .seed(random.nextLong())
                .preprocessing(preprocessing)
                .augmentation(augmentation)
                .thresholdRule(random.nextBoolean() ? ThresholdRule.maxF1()
                        : ThresholdRule.targetSensitivity(0.5 + random.nextDouble() * 0.5));
        if (random.nextBoolean()) {
            b.positiveClassWeight(0.01 + 10 * random.nextDouble());
        }
        if (random.nextInt(4) == 0) {
            b.noAugmentation();
        }
        return b.build();
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static Map<String, String> jsonEncoded(Map<String, String> map, int times) {
        Map<String, String> encoded = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            String value = v;
            for (int i = 0; i < times; i++) {
                value = json(value);
            }
            encoded.put(k, value);
        });
        return encoded;
    }

    private static String jsonTwice(String value) {
        return json(json(value));
    }

    private static String json(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
