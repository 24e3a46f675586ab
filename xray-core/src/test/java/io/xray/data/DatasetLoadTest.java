package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.XrayException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Dataset#load(Path)}: a folder or a manifest, whichever the path is. */
class DatasetLoadTest {
    @TempDir
    Path root;

    private Path folder() {
        Path data = root.resolve("chest_xray");
        TestData.write(data, "train", "NORMAL", "IM-0001-0001.jpeg", 1);
        TestData.write(data, "train", "PNEUMONIA", "person1_bacteria_1.jpeg", 2);
        TestData.write(data, "test", "NORMAL", "IM-0002-0001.jpeg", 3);
        return data;
    }

    @Test
    void folder_shouldBeReadAsTheKaggleLayout() {
        Path data = folder();

        Dataset loaded = Dataset.load(data);

        assertThat(loaded).isEqualTo(Dataset.fromDirectory(data));
        assertThat(loaded.size()).isEqualTo(3);
    }

    @Test
    void manifestFile_shouldBeReadAsAManifest() {
        Dataset original = Dataset.fromDirectory(folder());
        Path manifest = root.resolve("split.jsonl");
        original.writeManifest(manifest);

        Dataset loaded = Dataset.load(manifest);

        assertThat(loaded.records()).isEqualTo(original.records());
        assertThat(loaded.manifestSha256()).isEqualTo(original.manifestSha256());
    }

    @Test
    void missingPath_shouldThrowNamingThePath() {
        Path missing = root.resolve("nowhere");

        assertThatThrownBy(() -> Dataset.load(missing))
                .isInstanceOf(XrayException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("no such folder or manifest file");
    }
}
