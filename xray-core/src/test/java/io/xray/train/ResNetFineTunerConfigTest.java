package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import io.xray.backbone.Backbone;
import io.xray.image.Preprocessing;
import io.xray.image.TrainingAugmentation;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ResNetFineTunerConfigTest {

    private static ResNetFineTuner.Builder valid() {
        return ResNetFineTuner.builder().outputDirectory(Path.of("runs/x"));
    }

    private static void assertRejected(UnaryOperator<ResNetFineTuner.Builder> change, String field) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(field + ": ")
                .extracting(e -> ((InvalidConfigurationException) e).field())
                .isEqualTo(field);
    }

    @Test
    void negativeLearningRate_shouldFailInBuildNamingLearningRate() {
        assertRejected(b -> b.learningRate(-0.001), "learningRate");
        assertRejected(b -> b.learningRate(Double.NaN), "learningRate");
    }

    @Test
    void batchSizeZero_shouldFailInBuildNamingBatchSize() {
        assertRejected(b -> b.batchSize(0), "batchSize");
        assertRejected(b -> b.batchSize(1), "batchSize");
    }

    @Test
    void otherBadValues_shouldFailNamingTheirField() {
        assertRejected(b -> b.epochs(0), "epochs");
        assertRejected(b -> b.weightDecay(-1), "weightDecay");
        assertRejected(b -> b.momentum(1.0), "momentum");
        assertRejected(b -> b.earlyStoppingPatience(-1), "earlyStoppingPatience");
        assertRejected(b -> b.positiveClassWeight(0), "positiveClassWeight");
        assertRejected(b -> b.outputDirectory(null), "outputDirectory");
        assertRejected(b -> b.backbone(null), "backbone");
    }

    @Test
    void augmentationBuiltForAnotherPreprocessing_shouldBeRewrappedAroundTheRecipes() {
        Preprocessing small = Preprocessing.builder().resizeShorterSide(36).cropSize(32).build();
        TrainingAugmentation forDefaults = TrainingAugmentation.builder(Preprocessing.defaults())
                .maxRotationDegrees(7).build();
        ResNetFineTuner tuner = valid().preprocessing(small).augmentation(forDefaults).build();
        assertThat(tuner.augmentation()).hasValueSatisfying(a -> {
            assertThat(a.preprocessing()).isEqualTo(small);
            assertThat(a.maxRotationDegrees()).isEqualTo(7);
        });
    }

    @Test
    void toBuilderWithAnotherPreprocessing_shouldBuildWithTheAugmentationAroundIt() {
        // The trap of old: the copied default augmentation stayed tied to the old preprocessing.
        ResNetFineTuner tuner = valid().build();
        Preprocessing p2 = Preprocessing.builder().resizeShorterSide(256).cropSize(224).build();
        ResNetFineTuner changed = tuner.toBuilder().preprocessing(p2).build();
        assertThat(changed.preprocessing()).isEqualTo(p2);
        assertThat(changed.augmentation()).hasValueSatisfying(a -> {
            assertThat(a.preprocessing()).isEqualTo(p2);
            assertThat(a.withPreprocessing(tuner.preprocessing())).isEqualTo(tuner.augmentation().orElseThrow());
        });
        assertThat(tuner.preprocessing()).isNotEqualTo(p2);
    }

    @Test
    void defaults_shouldAugmentAroundTheConfiguredPreprocessing() {
        Preprocessing small = Preprocessing.builder().resizeShorterSide(36).cropSize(32).build();
        ResNetFineTuner tuner = valid().preprocessing(small).build();
        assertThat(tuner.augmentation()).hasValueSatisfying(a -> assertThat(a.preprocessing()).isEqualTo(small));
        assertThat(valid().noAugmentation().build().augmentation()).isEmpty();
    }

    @Test
    void toBuilder_shouldReproduceTheConfigurationAndAllowVariations() {
        ResNetFineTuner tuner = valid()
                .backbone(Backbone.resNet18FromScratch(8, 16, 32, 64))
                .optimizer(OptimizerKind.SGD_MOMENTUM)
                .learningRate(0.05)
                .schedule(LearningRateSchedule.oneCycle(0.3))
                .trainableLayers(TrainableLayers.lastStages(2))
                .thresholdRule(ThresholdRule.targetSensitivity(0.95))
                .monitor(ValidationMetric.ROC_AUC)
                .oversampleMinority(true)
                .build();
        assertThat(tuner.toBuilder().build().hyperparameters()).isEqualTo(tuner.hyperparameters());
        ResNetFineTuner variant = tuner.toBuilder().learningRate(0.01).build();
        assertThat(variant.learningRate()).isEqualTo(0.01);
        assertThat(tuner.learningRate()).isEqualTo(0.05);
        assertThat(variant.hyperparameters()).containsEntry("optimizer", "sgd")
                .containsEntry("schedule", "one-cycle:0.3")
                .containsEntry("trainable", "last-2")
                .containsEntry("threshold-rule", "sensitivity>=0.95")
                .containsEntry("backbone", "scratch:8,16,32,64")
                .containsEntry("monitor", "roc-auc");
    }

    @Test
    void commandLineSpellings_shouldParseBackToTheSameValues() {
        for (String s : new String[] {"scratch", "scratch:8,16,32,64", "imagenet", "torchscript:/tmp/r.pt"}) {
            assertThat(Backbone.parse(s).toString()).isEqualTo(s);
        }
        for (String s : new String[] {"all", "head", "last-1", "last-4"}) {
            assertThat(TrainableLayers.parse(s).toString()).isEqualTo(s);
        }
        assertThat(LearningRateSchedule.parse("one-cycle")).isEqualTo(LearningRateSchedule.oneCycle(0.3));
        assertThat(ThresholdRule.parse("sensitivity>=0.9")).isEqualTo(ThresholdRule.targetSensitivity(0.9));
        assertThat(ValidationMetric.parse("auc")).isEqualTo(ValidationMetric.ROC_AUC);
        assertThatThrownBy(() -> Backbone.parse("resnet50"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("backbone: ");
        assertThatThrownBy(() -> TrainableLayers.parse("last-5"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("trainableLayers: ");
    }

    @Test
    void trainableLayers_shouldSelectTheHeadAndTheLastStages() {
        assertThat(TrainableLayers.headOnly().stages()).containsExactly("head");
        assertThat(TrainableLayers.lastStages(2).stages()).containsExactly("layer3", "layer4", "head");
        assertThat(TrainableLayers.all().stages())
                .containsExactly("stem", "layer1", "layer2", "layer3", "layer4", "head");
    }
}
