package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadingTest {
    @TempDir
    Path root;

    @Test
    void kaggleLayout_shouldGiveSortedRecordsWithSplitLabelPatientAndHash() throws Exception {
        Path b = TestData.write(root, "train", "PNEUMONIA", "person2_virus_7.jpeg", 1);
        TestData.write(root, "train", "PNEUMONIA", "person1_bacteria_3.JPG", 2);
        TestData.write(root, "train", "NORMAL", "IM-0001-0001.png", 3);
        TestData.write(root, "test", "NORMAL", "NORMAL2-IM-0383-0001.jpeg", 4);

        Dataset data = Dataset.fromDirectory(root);

        assertThat(data.records()).extracting(r -> r.path().getFileName().toString()).containsExactly(
                "IM-0001-0001.png", "person1_bacteria_3.JPG", "person2_virus_7.jpeg", "NORMAL2-IM-0383-0001.jpeg");
        assertThat(data.records()).extracting(ImageRecord::patientId)
                .containsExactly("IM-0001", "person1", "person2", "NORMAL2-IM-0383");
        assertThat(data.splits()).containsExactly(Split.TRAIN, Split.TEST);
        assertThat(data.records(Split.VAL)).isEmpty();
        ImageRecord person2 = data.records().get(2);
        assertThat(person2.path()).isEqualTo(b.toAbsolutePath().normalize());
        assertThat(person2.label()).isEqualTo(Label.PNEUMONIA);
        assertThat(person2.sha256()).isEqualTo(HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(b))));
        assertThat(data.rejected()).isEmpty();
    }

    @Test
    void otherFilesAndFolders_shouldBeIgnored() throws IOException {
        TestData.write(root, "train", "NORMAL", "IM-0001-0001.jpeg", 1);
        Files.writeString(root.resolve("train/NORMAL/notes.txt"), "not an image");
        Files.writeString(root.resolve("train/NORMAL/.DS_Store.jpeg"), "hidden");
        TestData.write(root, "train", "COVID", "x-0001.jpeg", 2);
        TestData.write(root, "__MACOSX", "NORMAL", "IM-0002-0001.jpeg", 3);

        Dataset data = Dataset.fromDirectory(root);

        assertThat(data.records()).hasSize(1);
        assertThat(data.rejected()).isEmpty();
    }

    @Test
    void corruptAndTruncatedFiles_shouldBeRejectedWithAReasonNotThrown() throws IOException {
        TestData.write(root, "train", "NORMAL", "IM-0001-0001.jpeg", 1);
        Path good = TestData.write(root, "train", "NORMAL", "IM-0002-0001.jpeg", 2);
        byte[] bytes = Files.readAllBytes(good);
        TestData.writeBytes(root, "train", "NORMAL", "IM-0003-0001.jpeg", Arrays.copyOf(bytes, bytes.length / 2));
        TestData.writeBytes(root, "test", "PNEUMONIA", "person9_virus_1.jpeg", "random bytes".getBytes());

        Dataset data = Dataset.fromDirectory(root);

        assertThat(data.records()).extracting(ImageRecord::patientId).containsExactly("IM-0001", "IM-0002");
        assertThat(data.rejected()).extracting(r -> r.path().getFileName().toString())
                .containsExactlyInAnyOrder("IM-0003-0001.jpeg", "person9_virus_1.jpeg");
        assertThat(data.rejected()).allSatisfy(r -> assertThat(r.reason()).isNotBlank());
        assertThat(data.records(Split.TEST)).isEmpty();
    }

    @Test
    void withoutVerification_corruptFilesShouldStayButStillBeHashed() throws IOException {
        TestData.writeBytes(root, "train", "NORMAL", "IM-0003-0001.jpeg", "random bytes".getBytes());

        Dataset data = Dataset.builder().root(root).verifyImages(false).parallelism(1).build();

        assertThat(data.records()).hasSize(1);
        assertThat(data.records().get(0).sha256()).hasSize(64);
    }

    @Test
    void unknownNames_shouldBeTheirOwnPatients() {
        TestData.write(root, "val", "NORMAL", "scan-a.png", 1);
        TestData.write(root, "val", "NORMAL", "scan-b.png", 2);

        Dataset data = Dataset.fromDirectory(root);

        assertThat(data.records()).extracting(ImageRecord::patientId).containsExactly("scan-a", "scan-b");
        assertThat(data.audit().unrecognisedFileNames()).isEqualTo(2);
    }

    @Test
    void missingRoot_shouldSayWhichFolder() {
        Path missing = root.resolve("nowhere");

        assertThatThrownBy(() -> Dataset.fromDirectory(missing))
                .isInstanceOf(XrayException.class).hasMessageContaining("does not exist").hasMessageContaining("nowhere");
    }

    @Test
    void folderWithoutImages_shouldSaySo() throws IOException {
        Files.createDirectories(root.resolve("train/NORMAL"));
        Files.writeString(root.resolve("train/NORMAL/readme.txt"), "x");

        assertThatThrownBy(() -> Dataset.fromDirectory(root))
                .isInstanceOf(XrayException.class).hasMessageContaining("no images");
    }

    @Test
    void folderWithoutSplits_shouldExplainTheLayout() throws IOException {
        TestData.write(root, "NORMAL", "x", "IM-0001-0001.jpeg", 1);

        assertThatThrownBy(() -> Dataset.fromDirectory(root))
                .isInstanceOf(XrayException.class).hasMessageContaining("train, val or test");
    }

    @Test
    void builder_shouldNameTheBadField() {
        assertThatThrownBy(() -> Dataset.builder().build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("root"));
        assertThatThrownBy(() -> Dataset.builder().root(root).manifest(root.resolve("m.jsonl")).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("manifest"));
        assertThatThrownBy(() -> Dataset.builder().root(root).parallelism(0).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("parallelism"));
    }

    @Test
    void records_shouldBeImmutable() {
        TestData.write(root, "train", "NORMAL", "IM-0001-0001.jpeg", 1);
        Dataset data = Dataset.fromDirectory(root);

        assertThatThrownBy(() -> data.records().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> data.records(Split.TRAIN).add(data.records().get(0)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(List.copyOf(data.records())).hasSize(1);
    }
}
