package io.xray.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.XrayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The id {@link Classifier#modelId()} reports, computed on model directories with fake weights. */
class ModelIdTest {

    @TempDir
    Path temp;

    private Path modelDirectory(Path directory, byte[] weights) throws Exception {
        Files.createDirectories(directory);
        ModelArtifactTest.sample().write(directory);
        Files.write(directory.resolve("network.params"), weights);
        return directory;
    }

    private static String id(Path directory) {
        return ModelId.of(directory, ModelArtifact.read(directory));
    }

    @Test
    void id_shouldBeTheDirectoryNameAndTwelveHexDigits_andStayTheSameForACopyElsewhere() throws Exception {
        Path model = modelDirectory(temp.resolve("a").resolve("pneumonia-v1"), new byte[] {1, 2, 3});
        Path copy = modelDirectory(temp.resolve("b").resolve("pneumonia-v1"), new byte[] {1, 2, 3});

        assertThat(id(model)).matches("pneumonia-v1-[0-9a-f]{12}").isEqualTo(id(copy));
    }

    @Test
    void id_shouldChangeWithTheWeights_andWithTheDescription() throws Exception {
        Path model = modelDirectory(temp.resolve("a").resolve("model"), new byte[] {1, 2, 3});
        Path otherWeights = modelDirectory(temp.resolve("b").resolve("model"), new byte[] {1, 2, 4});
        Path otherDescription = modelDirectory(temp.resolve("c").resolve("model"), new byte[] {1, 2, 3});
        Files.writeString(otherDescription.resolve(ModelArtifact.FILE_NAME), "\n", StandardOpenOption.APPEND);

        assertThat(id(otherWeights)).startsWith("model-").isNotEqualTo(id(model));
        assertThat(id(otherDescription)).startsWith("model-").isNotEqualTo(id(model)).isNotEqualTo(id(otherWeights));
    }

    @Test
    void missingWeightFile_shouldFailNamingIt() throws Exception {
        Path model = modelDirectory(temp.resolve("model"), new byte[] {1});
        Files.delete(model.resolve("network.params"));

        assertThatThrownBy(() -> id(model))
                .isInstanceOf(XrayException.class)
                .hasMessageContaining(model.resolve("network.params").toString());
    }
}
