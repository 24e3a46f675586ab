package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.xray.InvalidConfigurationException;
import io.xray.backbone.Backbone;
import io.xray.backbone.BackboneKind;
import io.xray.data.Dataset;
import io.xray.image.Preprocessing;
import io.xray.internal.Network;
import io.xray.model.Classifier;
import io.xray.model.ModelArtifact;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning from an earlier xray model's backbone: {@code Backbone.fromModel}, {@code model:DIR}. */
class BackboneFromModelTest {

    @TempDir
    Path temp;

    @Test
    void modelSpelling_shouldRoundTripThroughParseToStringAndTheRecipe() {
        Backbone backbone = Backbone.parse("model:/runs/first/model");

        assertThat(backbone).isEqualTo(Backbone.fromModel(Path.of("/runs/first/model")));
        assertThat(backbone.kind()).isEqualTo(BackboneKind.XRAY_MODEL);
        assertThat(backbone.toString()).isEqualTo("model:/runs/first/model");
        TrainingRecipe recipe = TrainingRecipe.defaults().toBuilder().backbone(backbone).build();
        assertThat(recipe.toHyperparameters()).containsEntry("backbone", "model:/runs/first/model");
        assertThat(TrainingRecipe.fromHyperparameters(recipe.toHyperparameters())).isEqualTo(recipe);
        assertThatThrownBy(() -> Backbone.parse("model:")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("model:DIR");
    }

    @Test
    void headOnlyFromAnEarlierModel_shouldKeepItsBackboneAndWriteAModelOfItsKind() {
        Path earlier = TinyModels.directory();
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 8, 4, 5));

        FitResult result = ResNetFineTunerFitTest.tiny(temp.resolve("run"))
                .backbone(Backbone.fromModel(earlier))
                .trainableLayers(TrainableLayers.headOnly())
                .noAugmentation()
                .epochs(2)
                .progressEveryBatches(0)
                .build()
                .fit(dataset);

        ModelArtifact artifact = ModelArtifact.read(result.artifactDirectory());
        assertThat(artifact.architecture().backbone()).isEqualTo(BackboneKind.RESNET18_SCRATCH);
        assertThat(artifact.architecture().backboneSource()).startsWith("model:");
        assertThat(artifact.provenance().hyperparameters()).containsEntry("backbone", "model:" + earlier);
        try (Network before = Network.load(ModelArtifact.read(earlier).architecture(), earlier, Device.cpu());
                Network after = Network.load(artifact.architecture(), result.artifactDirectory(), Device.cpu())) {
            int compared = 0;
            for (Map.Entry<String, Parameter> entry : before.parameters().entrySet()) {
                float[] was = entry.getValue().getArray().toFloatArray();
                float[] now = after.parameters().get(entry.getKey()).getArray().toFloatArray();
                if (entry.getKey().startsWith("head.")) {
                    assertThat(now).as(entry.getKey()).isNotEqualTo(was);
                } else {
                    assertThat(now).as(entry.getKey() + ", running statistics too").containsExactly(was);
                    compared++;
                }
            }
            assertThat(compared).isGreaterThan(60);
        }
        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            assertThat(classifier.predict(dataset.records(io.xray.data.Split.VAL).get(0).path()).probability())
                    .isBetween(0.0, 1.0);
        }
    }

    @Test
    void recipeWithOtherPreprocessingThanTheModel_shouldLogOneWarningWhenTrainingStarts() {
        Path earlier = TinyModels.directory();
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 4, 2, 5));
        Preprocessing model = SyntheticXrays.preprocessing();
        ResNetFineTuner tuner = ResNetFineTunerFitTest.tiny(temp.resolve("run"))
                .backbone(Backbone.fromModel(earlier))
                .preprocessing(model.toBuilder().resizeShorterSide(model.resizeShorterSide() + 4).build())
                .trainableLayers(TrainableLayers.headOnly())
                .noAugmentation()
                .epochs(1)
                .progressEveryBatches(0)
                .build();

        // slf4j-simple (the tests' binding, WARN and above) writes to whatever System.err is at the time.
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            tuner.fit(dataset);
        } finally {
            System.setErr(stderr);
        }

        List<String> warnings = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("was trained with"))
                .toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("WARN", "backbone model:" + earlier + " was trained with resize="
                + model.resizeShorterSide() + "; this recipe uses resize=" + (model.resizeShorterSide() + 4) + ":");
    }

    @Test
    void folderWithoutModel_shouldFailNamingTheBackbone() {
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 4, 2, 5));
        assertThatThrownBy(() -> ResNetFineTunerFitTest.tiny(temp.resolve("run"))
                        .backbone(Backbone.parse("model:" + temp.resolve("nothing")))
                        .build()
                        .fit(dataset))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("backbone: ")
                .hasMessageContaining("holds no model.json");
    }
}
