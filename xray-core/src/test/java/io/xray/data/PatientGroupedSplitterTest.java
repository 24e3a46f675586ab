package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xray.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PatientGroupedSplitterTest {

    /** About 200 patients, 1 to 5 images each, about 1 in 4 NORMAL, a few with images of both classes. */
    static List<ImageRecord> crafted(Split split) {
        Random random = new Random(2024);
        List<ImageRecord> records = new ArrayList<>();
        for (int p = 0; p < 200; p++) {
            boolean normal = p % 4 == 0;
            int images = 1 + random.nextInt(5);
            for (int i = 0; i < images; i++) {
                if (normal) {
                    records.add(TestData.record(String.format("IM-%04d-%04d.jpeg", p, i), split, Label.NORMAL,
                            String.format("IM-%04d", p)));
                } else {
                    records.add(TestData.record("person" + p + "_bacteria_" + i + ".jpeg", split, Label.PNEUMONIA,
                            "person" + p));
                }
            }
            if (p % 50 == 1) { // a pneumonia patient with one normal image as well
                records.add(TestData.record("person" + p + "_normal.jpeg", split, Label.NORMAL, "person" + p));
            }
        }
        return records;
    }

    private static Set<String> patients(List<ImageRecord> records) {
        return records.stream().map(ImageRecord::patientId).collect(Collectors.toSet());
    }

    @Test
    void fraction_shouldKeepEveryPatientOnOneSide() {
        List<ImageRecord> records = crafted(Split.TRAIN);

        PatientGroupedSplitter.Partition partition = PatientGroupedSplitter.withSeed(42).splitByFraction(records, 0.2);

        assertThat(patients(partition.kept())).doesNotContainAnyElementsOf(patients(partition.taken()));
        assertThat(partition.kept().size() + partition.taken().size()).isEqualTo(records.size());
        assertThat(new HashSet<>(partition.kept())).doesNotContainAnyElementsOf(partition.taken());
    }

    @Test
    void fraction_shouldTakeAboutThatShareAndKeepClassRatiosWithinTwoPoints() {
        List<ImageRecord> records = crafted(Split.TRAIN);
        double whole = ClassBalance.of(records).positiveFraction();

        for (long seed = 0; seed < 10; seed++) {
            PatientGroupedSplitter.Partition partition =
                    PatientGroupedSplitter.withSeed(seed).splitByFraction(records, 0.2);

            assertThat((double) partition.taken().size() / records.size()).isCloseTo(0.2, within(0.02));
            assertThat(ClassBalance.of(partition.taken()).positiveFraction()).isCloseTo(whole, within(0.02));
            assertThat(ClassBalance.of(partition.kept()).positiveFraction()).isCloseTo(whole, within(0.02));
        }
    }

    @Test
    void sameSeed_shouldGiveTheSameSplitWhateverTheInputOrder() {
        List<ImageRecord> records = crafted(Split.TRAIN);
        List<ImageRecord> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, new Random(1));

        Set<ImageRecord> first = new HashSet<>(PatientGroupedSplitter.withSeed(42).splitByFraction(records, 0.1).taken());
        Set<ImageRecord> again = new HashSet<>(PatientGroupedSplitter.withSeed(42).splitByFraction(shuffled, 0.1).taken());
        Set<ImageRecord> other = new HashSet<>(PatientGroupedSplitter.withSeed(43).splitByFraction(records, 0.1).taken());

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void patientWithBothClasses_shouldMoveWhole() {
        List<ImageRecord> records = crafted(Split.TRAIN);

        for (long seed = 0; seed < 20; seed++) {
            PatientGroupedSplitter.Partition partition = PatientGroupedSplitter.withSeed(seed).splitByFraction(records, 0.3);
            long keptImagesOfPerson1 = partition.kept().stream().filter(r -> r.patientId().equals("person1")).count();
            assertThat(keptImagesOfPerson1).isIn(0L, records.stream().filter(r -> r.patientId().equals("person1")).count());
        }
    }

    @Test
    void majorityLabel_shouldFollowMostImagesAndFavourPneumoniaOnATie() {
        ImageRecord normal = TestData.record("a.jpeg", Split.TRAIN, Label.NORMAL, "p");
        ImageRecord normal2 = TestData.record("b.jpeg", Split.TRAIN, Label.NORMAL, "p");
        ImageRecord pneumonia = TestData.record("c.jpeg", Split.TRAIN, Label.PNEUMONIA, "p");

        assertThat(PatientGroupedSplitter.majorityLabel(List.of(normal, normal2, pneumonia))).isEqualTo(Label.NORMAL);
        assertThat(PatientGroupedSplitter.majorityLabel(List.of(normal, pneumonia))).isEqualTo(Label.PNEUMONIA);
    }

    @Test
    void count_shouldTakeAsCloseToCountAsWholePatientsAllow() {
        List<ImageRecord> records = crafted(Split.TEST);

        PatientGroupedSplitter.Partition partition = PatientGroupedSplitter.withSeed(5).splitByCount(records, 50);

        assertThat(partition.taken().size()).isBetween(45, 55);
        assertThat(patients(partition.kept())).doesNotContainAnyElementsOf(patients(partition.taken()));
    }

    @Test
    void badFractionOrCount_shouldNameTheField() {
        List<ImageRecord> records = crafted(Split.TRAIN);
        PatientGroupedSplitter splitter = PatientGroupedSplitter.withSeed(1);

        assertThatThrownBy(() -> splitter.splitByFraction(records, 1.0))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("fraction"));
        assertThatThrownBy(() -> splitter.splitByFraction(records, Double.NaN))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> splitter.splitByCount(records, records.size()))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("count"));
    }
}
