package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.XrayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir
    Path dir;
    Path root;

    @BeforeEach
    void writeImages() {
        root = dir.resolve("chest_xray");
        for (int p = 0; p < 12; p++) {
            TestData.write(root, "train", "NORMAL", String.format("IM-%04d-0001.jpeg", p), p);
            TestData.write(root, "train", "PNEUMONIA", "person" + p + "_bacteria_1.jpeg", 100 + p);
            TestData.write(root, "train", "PNEUMONIA", "person" + p + "_virus_2.jpeg", 200 + p);
        }
        TestData.write(root, "test", "NORMAL", "IM-0100-0001.jpeg", 300);
    }

    @Test
    void roundTrip_shouldGiveAnEqualDataset() {
        Dataset split = Dataset.fromDirectory(root).withValidationFromTrain(0.25, 42);
        Path manifest = dir.resolve("runs/split.jsonl");

        split.writeManifest(manifest);
        Dataset read = Dataset.fromManifest(manifest);

        assertThat(read).isEqualTo(split);
        assertThat(read.records()).isEqualTo(split.records());
        assertThat(read.manifestSha256()).isEqualTo(split.manifestSha256());
        assertThat(read.records(Split.VAL)).isNotEmpty();
    }

    @Test
    void manifestBesideTheData_shouldUseRelativePaths_elsewhereAbsolute() throws IOException {
        Dataset data = Dataset.fromDirectory(root);
        Path inside = root.resolve("manifest.jsonl");
        Path outside = dir.resolve("other/manifest.jsonl");

        data.writeManifest(inside);
        data.writeManifest(outside);

        String firstInside = Files.readAllLines(inside).get(0);
        assertThat(firstInside).startsWith("{\"path\":\"train/NORMAL/IM-0000-0001.jpeg\",\"split\":\"train\","
                + "\"label\":\"NORMAL\",\"patient\":\"IM-0000\",\"sha256\":\"");
        assertThat(Files.readAllLines(outside).get(0))
                .contains("\"path\":\"" + root.toAbsolutePath().normalize().resolve("train/NORMAL/IM-0000-0001.jpeg") + "\"");
        assertThat(Files.readAllLines(inside)).hasSize(data.size());
        assertThat(Dataset.fromManifest(inside)).isEqualTo(data);
        assertThat(Dataset.fromManifest(outside)).isEqualTo(data);
    }

    @Test
    void movedFolderWithItsManifest_shouldStillRead() throws IOException {
        Dataset data = Dataset.fromDirectory(root);
        data.writeManifest(root.resolve("manifest.jsonl"));
        Path moved = dir.resolve("moved");
        Files.move(root, moved);

        Dataset read = Dataset.fromManifest(moved.resolve("manifest.jsonl"));

        assertThat(read.size()).isEqualTo(data.size());
        assertThat(read.rejected()).isEmpty();
        assertThat(read.manifestSha256()).isEqualTo(data.manifestSha256());
        assertThat(read.records().get(0).path()).startsWith(moved.toAbsolutePath().normalize());
    }

    @Test
    void changedOrMissingFile_shouldBeRejectedWhenVerifying() throws IOException {
        Dataset data = Dataset.fromDirectory(root);
        Path manifest = dir.resolve("m.jsonl");
        data.writeManifest(manifest);
        Path changed = data.records().get(0).path();
        Path missing = data.records().get(1).path();
        Files.write(changed, Files.readAllBytes(data.records().get(5).path()));
        Files.delete(missing);

        Dataset read = Dataset.fromManifest(manifest);

        assertThat(read.size()).isEqualTo(data.size() - 2);
        assertThat(read.rejected()).extracting(RejectedFile::path).containsExactlyInAnyOrder(changed, missing);
        assertThat(read.rejected()).anySatisfy(r -> assertThat(r.reason()).contains("content changed"));
        assertThat(read.rejected()).anySatisfy(r -> assertThat(r.reason()).contains("does not exist"));
        Dataset trusted = Dataset.builder().manifest(manifest).verifyImages(false).build();
        assertThat(trusted).isEqualTo(data);
    }

    @Test
    void badLine_shouldNameTheManifestAndLine() throws IOException {
        Path manifest = dir.resolve("bad.jsonl");
        String sha = "0".repeat(64);
        Files.write(manifest, List.of(
                "{\"path\":\"a.jpeg\",\"split\":\"train\",\"label\":\"NORMAL\",\"patient\":\"a\",\"sha256\":\"" + sha + "\"}",
                "",
                "{\"path\":\"b.jpeg\",\"split\":\"holdout\",\"label\":\"NORMAL\",\"patient\":\"b\",\"sha256\":\"" + sha + "\"}"));

        assertThatThrownBy(() -> Dataset.fromManifest(manifest))
                .isInstanceOf(XrayException.class).hasMessageContaining("bad.jsonl line 3").hasMessageContaining("holdout");
    }

    @Test
    void missingFieldOrEmptyManifest_shouldFail() throws IOException {
        Path noSha = dir.resolve("nosha.jsonl");
        Files.writeString(noSha, "{\"path\":\"a.jpeg\",\"split\":\"train\",\"label\":\"NORMAL\",\"patient\":\"a\"}\n");
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "\n");

        assertThatThrownBy(() -> Dataset.fromManifest(noSha)).isInstanceOf(XrayException.class)
                .hasMessageContaining("line 1").hasMessageContaining("sha256");
        assertThatThrownBy(() -> Dataset.fromManifest(empty)).isInstanceOf(XrayException.class)
                .hasMessageContaining("no images");
        assertThatThrownBy(() -> Dataset.fromManifest(dir.resolve("absent.jsonl"))).isInstanceOf(XrayException.class)
                .hasMessageContaining("does not exist");
    }
}
