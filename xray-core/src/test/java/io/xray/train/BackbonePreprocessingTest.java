package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.backbone.Architecture;
import io.xray.backbone.Backbone;
import io.xray.backbone.BackboneKind;
import io.xray.image.Equalization;
import io.xray.image.Preprocessing;
import io.xray.model.ModelArtifact;
import io.xray.train.BackbonePreprocessing.Difference;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.SubstituteLogger;

/** A {@code model:DIR} backbone's preprocessing against the recipe's: the differences and the warning. */
class BackbonePreprocessingTest {

    private static final Preprocessing MODEL = Preprocessing.builder()
            .resizeShorterSide(146).cropSize(128).equalization(Equalization.HISTOGRAM).build();

    @TempDir
    Path temp;

    @Test
    void samePreprocessing_shouldDifferInNothingAndWarnOfNothing() {
        Preprocessing equal = Preprocessing.builder()
                .resizeShorterSide(146).cropSize(128).equalization(Equalization.HISTOGRAM).build();

        assertThat(BackbonePreprocessing.differences(MODEL, equal)).isEmpty();
        assertThat(BackbonePreprocessing.warning(Backbone.fromModel(Path.of("/x")), MODEL, equal)).isEmpty();
    }

    @Test
    void everyDifferingValue_shouldBeNamedByTheRecipesKeyWithBothValues() {
        Preprocessing recipe = Preprocessing.builder().resizeShorterSide(256).cropSize(224)
                .mean(0.5f, 0.5f, 0.5f).std(0.25f, 0.25f, 0.25f).equalization(Equalization.NONE).build();

        assertThat(BackbonePreprocessing.differences(MODEL, recipe)).containsExactly(
                new Difference("image-size", "128", "224"),
                new Difference("resize", "146", "256"),
                new Difference("mean", "0.485,0.456,0.406", "0.5,0.5,0.5"),
                new Difference("std", "0.229,0.224,0.225", "0.25,0.25,0.25"),
                new Difference("equalization", "histogram", "none"));
    }

    @Test
    void oneDifferingValue_shouldBeTheOnlyOneNamed() {
        assertThat(BackbonePreprocessing.differences(MODEL, MODEL.toBuilder().resizeShorterSide(160).build()))
                .containsExactly(new Difference("resize", "146", "160"));
        assertThat(BackbonePreprocessing.differences(MODEL, MODEL.toBuilder().cropSize(112).build()))
                .containsExactly(new Difference("image-size", "128", "112"));
        assertThat(BackbonePreprocessing.differences(MODEL, MODEL.toBuilder().mean(0.5f, 0.456f, 0.406f).build()))
                .containsExactly(new Difference("mean", "0.485,0.456,0.406", "0.5,0.456,0.406"));
        assertThat(BackbonePreprocessing.differences(MODEL, MODEL.toBuilder().std(0.229f, 0.224f, 0.3f).build()))
                .containsExactly(new Difference("std", "0.229,0.224,0.225", "0.229,0.224,0.3"));
        assertThat(BackbonePreprocessing.differences(MODEL, MODEL.toBuilder().equalization(Equalization.NONE).build()))
                .containsExactly(new Difference("equalization", "histogram", "none"));
    }

    @Test
    void differencesKeys_shouldBeTheRecipesOwnAndItsValuesReadBackAsTheModelsPreprocessing() {
        TrainingRecipe recipe = TrainingRecipe.seedNotebook();
        List<Difference> differences = BackbonePreprocessing.differences(MODEL, recipe.preprocessing());
        Map<String, String> hyperparameters = recipe.toHyperparameters();
        Map<String, String> giveBack = new LinkedHashMap<>();
        for (Difference difference : differences) {
            assertThat(hyperparameters).containsEntry(difference.key(), difference.recipeValue());
            giveBack.put(difference.key(), difference.backboneValue());
        }

        assertThat(recipe.withHyperparameters(giveBack).preprocessing()).isEqualTo(MODEL);
    }

    @Test
    void warning_shouldNameTheBackboneBothSidesAndTheOptionsThatGiveTheModelsPreprocessing() {
        Preprocessing recipe = Preprocessing.builder().resizeShorterSide(256).cropSize(224).build();

        assertThat(BackbonePreprocessing.warning(Backbone.fromModel(Path.of("/x")), MODEL, recipe)).hasValue(
                "backbone model:/x was trained with image-size=128, resize=146, equalization=histogram;"
                        + " this recipe uses image-size=224, resize=256, equalization=none: its features will not"
                        + " match what the backbone learned. Give the recipe the model's preprocessing"
                        + " (-H image-size=128 -H resize=146 -H equalization=histogram) unless this is deliberate");
    }

    @Test
    void warnIfDifferent_shouldLogOneWarningReadFromTheModelDirectory() {
        Path model = writeModel(MODEL);
        Queue<SubstituteLoggingEvent> events = new ArrayDeque<>();

        BackbonePreprocessing.warnIfDifferent(
                Backbone.fromModel(model), MODEL.toBuilder().equalization(Equalization.NONE).build(), recording(events));

        assertThat(events).hasSize(1);
        SubstituteLoggingEvent event = events.peek();
        assertThat(event.getLevel()).isEqualTo(Level.WARN);
        assertThat(event.getMessage()).startsWith("backbone model:" + model + " was trained with equalization=histogram;"
                + " this recipe uses equalization=none: ");
    }

    @Test
    void warnIfDifferent_shouldStayQuietForTheSamePreprocessingOtherBackbonesAndAFolderWithoutModel() {
        Path model = writeModel(MODEL);
        Queue<SubstituteLoggingEvent> events = new ArrayDeque<>();
        Preprocessing other = Preprocessing.defaults();

        BackbonePreprocessing.warnIfDifferent(Backbone.fromModel(model), MODEL, recording(events));
        BackbonePreprocessing.warnIfDifferent(Backbone.resNet18FromScratch(), other, recording(events));
        BackbonePreprocessing.warnIfDifferent(Backbone.torchScript(model.resolve("model.json")), other, recording(events));
        BackbonePreprocessing.warnIfDifferent(Backbone.fromModel(temp.resolve("nothing")), other, recording(events));

        assertThat(events).isEmpty();
    }

    private Path writeModel(Preprocessing preprocessing) {
        Path directory = temp.resolve("model");
        Architecture architecture = new Architecture(
                BackboneKind.RESNET18_SCRATCH, List.of(4, 8, 16, 32), 32, "random", Map.of("network", "network.params"));
        new ModelArtifact(ModelArtifact.FORMAT_VERSION, architecture, preprocessing, 0.5, "max-f1", null, null, null,
                null).write(directory);
        return directory;
    }

    private static Logger recording(Queue<SubstituteLoggingEvent> events) {
        return new EventRecordingLogger(new SubstituteLogger("test", events, false), events);
    }
}
