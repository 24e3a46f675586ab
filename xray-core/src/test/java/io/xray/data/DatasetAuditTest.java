package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetAuditTest {
    @TempDir
    Path root;

    /**
     * train/NORMAL: IM-0001 with a byte-identical second image, IM-0003 and a resized copy named
     * IM-0004, IM-0005; train/PNEUMONIA: person5, person7; test/NORMAL: IM-0008 and a corrupt
     * IM-0009; test/PNEUMONIA: person5 (another person with the same id) and person70, a resized
     * copy of train's person7.
     */
    @BeforeEach
    void craftFolder() {
        Path original = TestData.write(root, "train", "NORMAL", "IM-0001-0001.jpeg", 1);
        TestData.copy(original, root, "train", "NORMAL", "IM-0001-0002.jpeg");
        TestData.write(root, "train", "NORMAL", "IM-0003-0001.png", TestData.smoothNoise(3, 32));
        TestData.write(root, "train", "NORMAL", "IM-0004-0001.png", TestData.smoothNoise(3, 40));
        TestData.write(root, "train", "NORMAL", "IM-0005-0001.jpeg", 5);
        TestData.write(root, "train", "PNEUMONIA", "person5_bacteria_1.jpeg", 50);
        TestData.write(root, "train", "PNEUMONIA", "person7_bacteria_1.png", TestData.smoothNoise(7, 32));
        TestData.write(root, "test", "NORMAL", "IM-0008-0001.jpeg", 8);
        TestData.writeBytes(root, "test", "NORMAL", "IM-0009-0001.jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        TestData.write(root, "test", "PNEUMONIA", "person5_virus_2.jpeg", 51);
        TestData.write(root, "test", "PNEUMONIA", "person70_virus_1.png", TestData.smoothNoise(7, 56));
    }

    @Test
    void counts_shouldBePerSplitAndClassForImagesAndPatients() {
        DatasetAudit audit = Dataset.fromDirectory(root).audit();

        assertThat(audit.images()).isEqualTo(10);
        assertThat(audit.splits().keySet()).containsExactly(Split.TRAIN, Split.TEST);
        DatasetAudit.SplitCounts train = audit.splits().get(Split.TRAIN);
        assertThat(train.images()).isEqualTo(7);
        assertThat(train.images(Label.NORMAL)).isEqualTo(5);
        assertThat(train.images(Label.PNEUMONIA)).isEqualTo(2);
        assertThat(train.patients()).isEqualTo(6);
        assertThat(train.patients(Label.NORMAL)).isEqualTo(4);
        assertThat(audit.imageCount(Split.TEST, Label.NORMAL)).isEqualTo(1);
        assertThat(audit.imageCount(Split.TEST, Label.PNEUMONIA)).isEqualTo(2);
        assertThat(audit.imageCount(Split.VAL, Label.NORMAL)).isZero();
        assertThat(audit.nearDuplicates()).as("off by default").isNull();
    }

    @Test
    void byteIdenticalFiles_shouldFormOneGroup() {
        DatasetAudit audit = Dataset.fromDirectory(root).audit();

        assertThat(audit.duplicateGroups()).hasSize(1);
        DatasetAudit.DuplicateGroup group = audit.duplicateGroups().get(0);
        assertThat(group.files()).extracting(r -> r.path().getFileName().toString())
                .containsExactly("IM-0001-0001.jpeg", "IM-0001-0002.jpeg");
        assertThat(group.acrossSplits()).isFalse();
        assertThat(group.sha256()).isEqualTo(group.files().get(0).sha256());
        assertThat(audit.duplicateCopies()).isEqualTo(1);
    }

    @Test
    void corruptFile_shouldBeListedWithItsReason() {
        DatasetAudit audit = Dataset.fromDirectory(root).audit();

        assertThat(audit.rejected()).singleElement().satisfies(r -> {
            assertThat(r.path().getFileName().toString()).isEqualTo("IM-0009-0001.jpeg");
            assertThat(r.reason()).isNotBlank();
        });
        assertThat(audit.warnings()).anySatisfy(w -> assertThat(w).contains("1 files are unreadable or corrupt"));
    }

    @Test
    void patientIdInTwoSplits_shouldBeReportedWithItsFiles() {
        DatasetAudit audit = Dataset.fromDirectory(root).audit();

        assertThat(audit.sharedPatientIds()).singleElement().satisfies(shared -> {
            assertThat(shared.patientId()).isEqualTo("person5");
            assertThat(shared.splits()).containsExactly(Split.TRAIN, Split.TEST);
            assertThat(shared.files()).extracting(r -> r.path().getFileName().toString())
                    .containsExactly("person5_bacteria_1.jpeg", "person5_virus_2.jpeg");
        });
        assertThat(audit.warnings()).anySatisfy(w -> assertThat(w).contains("1 patient ids appear in more than one split"));
    }

    @Test
    void nearDuplicates_shouldFindResizedCopiesWithinAndAcrossSplitsButNotByteIdenticalOnes() {
        DatasetAudit audit = Dataset.fromDirectory(root)
                .audit(AuditOptions.builder().nearDuplicates(true).hammingThreshold(4).build());

        DatasetAudit.NearDuplicateReport near = audit.nearDuplicates();
        assertThat(near.imagesHashed()).isEqualTo(10);
        assertThat(near.pairsAcrossSplits()).isEqualTo(1);
        assertThat(near.pairsWithinSplits()).isEqualTo(1);
        assertThat(near.truncated()).isFalse();
        assertThat(near.pairs()).hasSize(2);
        DatasetAudit.NearDuplicatePair across = near.pairs().get(0);
        assertThat(across.acrossSplits()).isTrue();
        assertThat(across.first().path().getFileName().toString()).isEqualTo("person7_bacteria_1.png");
        assertThat(across.second().path().getFileName().toString()).isEqualTo("person70_virus_1.png");
        assertThat(across.samePatientId()).isFalse();
        assertThat(across.distance()).isBetween(0, 4);
        assertThat(across.correlation()).isGreaterThanOrEqualTo(0.99);
        assertThat(near.candidatePairs()).isGreaterThanOrEqualTo(2);
        DatasetAudit.NearDuplicatePair within = near.pairs().get(1);
        assertThat(within.acrossSplits()).isFalse();
        assertThat(List.of(within.first().patientId(), within.second().patientId())).containsExactly("IM-0003", "IM-0004");
        assertThat(audit.warnings()).anySatisfy(w -> assertThat(w).contains("1 pairs of visually identical images"));
    }

    @Test
    void thumbnailCorrelation_shouldRejectHashCandidatesThatDoNotLookAlike() {
        Dataset data = Dataset.fromDirectory(root);
        AuditOptions everyPair = AuditOptions.builder().nearDuplicates(true).hammingThreshold(64).build();

        DatasetAudit.NearDuplicateReport confirmed = data.audit(everyPair).nearDuplicates();
        DatasetAudit.NearDuplicateReport unconfirmed =
                data.audit(everyPair.toBuilder().minCorrelation(-1).build()).nearDuplicates();

        // 10 images, one byte-identical pair left out: 45 - 1 candidate pairs
        assertThat(confirmed.candidatePairs()).isEqualTo(44);
        assertThat(confirmed.pairsWithinSplits() + confirmed.pairsAcrossSplits()).isEqualTo(2);
        assertThat(unconfirmed.pairsWithinSplits() + unconfirmed.pairsAcrossSplits()).isEqualTo(44);
    }

    @Test
    void nearDuplicateLimit_shouldKeepTheAcrossSplitPairAndSayTruncated() {
        DatasetAudit audit = Dataset.fromDirectory(root)
                .audit(AuditOptions.builder().nearDuplicates(true).maxNearDuplicatePairs(1).build());

        assertThat(audit.nearDuplicates().pairs()).singleElement().satisfies(p -> assertThat(p.acrossSplits()).isTrue());
        assertThat(audit.nearDuplicates().truncated()).isTrue();
    }

    @Test
    void audit_shouldRoundTripThroughJsonWithPlainPaths() throws Exception {
        DatasetAudit audit = Dataset.fromDirectory(root).audit(AuditOptions.builder().nearDuplicates(true).build());
        ObjectMapper mapper = new ObjectMapper();

        String json = mapper.writeValueAsString(audit);
        DatasetAudit read = mapper.readValue(json, DatasetAudit.class);

        assertThat(read).isEqualTo(audit);
        assertThat(json).contains("\"path\":\"" + root.toAbsolutePath().normalize()).doesNotContain("file://");
        assertThat(mapper.readValue(mapper.writeValueAsString(Dataset.fromDirectory(root).audit()), DatasetAudit.class)
                .nearDuplicates()).isNull();
    }

    @Test
    void auditOptions_shouldNameTheBadField() {
        assertThatThrownBy(() -> AuditOptions.builder().hammingThreshold(65).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.field()).isEqualTo("hammingThreshold"));
        assertThatThrownBy(() -> AuditOptions.builder().minCorrelation(1.5).build())
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.field()).isEqualTo("minCorrelation"));
        assertThat(AuditOptions.defaults().toBuilder().nearDuplicates(true).build().hammingThreshold())
                .isEqualTo(AuditOptions.DEFAULT_HAMMING_THRESHOLD);
    }
}
