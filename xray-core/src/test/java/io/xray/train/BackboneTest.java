package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.backbone.Backbone;
import io.xray.data.Dataset;
import io.xray.internal.Network;
import io.xray.model.ModelArtifact;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackboneTest {

    @TempDir
    Path temp;

    @Test
    void imagenetBackbone_offline_shouldSayItNeedsNetworkAccessAndOfferAlternatives() {
        assertThatThrownBy(() -> Network.create(Backbone.imagenetResNet18(), Device.cpu(), 1))
                .isInstanceOf(XrayException.class)
                .hasMessageContaining("djl://ai.djl.pytorch/resnet18_embedding")
                .hasMessageContaining("network access")
                .hasMessageContaining("ai.djl.offline")
                .hasMessageContaining("Backbone.torchScript")
                .hasMessageContaining("Backbone.resNet18FromScratch");
    }

    @Test
    void torchScriptBackbone_missingFile_shouldFailNamingBackbone() {
        assertThatThrownBy(() -> Network.create(Backbone.torchScript(temp.resolve("missing.pt")), Device.cpu(), 1))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("backbone: ");
    }

    @Test
    void scratchResNet18_shouldHaveTorchvisionsLayoutAndParameterCount() {
        try (Network network = Network.resNet18FromScratch(Backbone.RESNET18_WIDTHS, Device.cpu(), 1)) {
            long trainable = 0;
            for (Map.Entry<String, Parameter> entry : network.parameters().entrySet()) {
                Parameter.Type type = entry.getValue().getType();
                if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
                    trainable += entry.getValue().getArray().size();
                }
            }
            // torchvision resnet18 without fc: 11,176,512 parameters; plus the 512 + 1 of the head.
            assertThat(trainable).isEqualTo(11_176_512L + 513L);
            assertThat(network.parameters().keySet()).anyMatch(n -> n.startsWith("stem."))
                    .anyMatch(n -> n.startsWith("layer4."))
                    .anyMatch(n -> n.startsWith("head."));
            float[] logits = network.inferLogits(new float[2 * 3 * 64 * 64], 2, 64);
            assertThat(logits).hasSize(2);
        }
    }

    @Test
    void headOnlyTraining_ofScratchNetwork_shouldLeaveBackboneParametersAtTheirInitialValues() {
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 8, 4, 3));
        FitResult result = ResNetFineTunerFitTest.tiny(temp.resolve("run"))
                .trainableLayers(TrainableLayers.headOnly())
                .epochs(1)
                .progressEveryBatches(0)
                .build()
                .fit(dataset);
        try (Network initial = Network.resNet18FromScratch(java.util.List.of(4, 8, 16, 32), Device.cpu(), 7);
                Network trained = Network.load(
                        ModelArtifact.read(result.artifactDirectory()).architecture(), result.artifactDirectory(),
                        Device.cpu())) {
            int compared = 0;
            for (Map.Entry<String, Parameter> entry : initial.parameters().entrySet()) {
                Parameter.Type type = entry.getValue().getType();
                float[] before = entry.getValue().getArray().toFloatArray();
                float[] after = trained.parameters().get(entry.getKey()).getArray().toFloatArray();
                if (entry.getKey().startsWith("head.")) {
                    assertThat(after).as(entry.getKey()).isNotEqualTo(before);
                } else if (type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR) {
                    assertThat(after).as(entry.getKey()).containsExactly(before);
                    compared++;
                }
            }
            assertThat(compared).isEqualTo(60);
        }
    }
}
