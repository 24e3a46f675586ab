package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xray.XrayException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClassBalanceTest {

    private static List<ImageRecord> records(int normal, int pneumonia) {
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < normal; i++) {
            records.add(TestData.record("IM-" + i + "-0001.jpeg", Split.TRAIN, Label.NORMAL, "IM-" + i));
        }
        for (int i = 0; i < pneumonia; i++) {
            records.add(TestData.record("person" + i + "_virus_1.jpeg", Split.TRAIN, Label.PNEUMONIA, "person" + i));
        }
        return records;
    }

    @Test
    void kaggleTrainCounts_shouldGiveTheUsualWeights() {
        ClassBalance balance = new ClassBalance(1341, 3875);

        assertThat(balance.total()).isEqualTo(5216);
        assertThat(balance.positiveClassWeight()).isCloseTo(1341.0 / 3875.0, within(1e-12));
        assertThat(balance.classWeights().get(Label.NORMAL)).isCloseTo(5216 / (2.0 * 1341), within(1e-12));
        assertThat(balance.classWeights().get(Label.PNEUMONIA)).isCloseTo(5216 / (2.0 * 3875), within(1e-12));
        assertThat(balance.minority()).isEqualTo(Label.NORMAL);
        assertThat(balance.positiveFraction()).isCloseTo(3875 / 5216.0, within(1e-12));
    }

    @Test
    void classWeights_shouldMakeEachClassWeighHalf() {
        ClassBalance balance = ClassBalance.of(records(3, 7));
        Map<Label, Double> weights = balance.classWeights();

        assertThat(weights.get(Label.NORMAL) * 3).isCloseTo(5.0, within(1e-12));
        assertThat(weights.get(Label.PNEUMONIA) * 7).isCloseTo(5.0, within(1e-12));
    }

    @Test
    void oneEmptyClass_shouldRefuseWeights() {
        ClassBalance balance = ClassBalance.of(records(0, 4));

        assertThatThrownBy(balance::positiveClassWeight).isInstanceOf(XrayException.class).hasMessageContaining("NORMAL");
        assertThatThrownBy(() -> ClassBalance.oversampleMinority(records(0, 4), 1L)).isInstanceOf(XrayException.class);
    }

    @Test
    void oversampling_shouldEqualTheClassesRepeatingEachMinorityImageEvenly() {
        List<ImageRecord> records = records(3, 10);

        List<ImageRecord> balanced = ClassBalance.oversampleMinority(records, 7L);

        assertThat(ClassBalance.of(balanced)).isEqualTo(new ClassBalance(10, 10));
        assertThat(balanced.subList(0, records.size())).isEqualTo(records);
        Map<ImageRecord, Long> copies = balanced.stream().filter(r -> r.label() == Label.NORMAL)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        // 10 = 3 + 3 + 3 + 1: every image 3 or 4 times
        assertThat(copies.values()).containsExactlyInAnyOrder(3L, 3L, 4L);
    }

    @Test
    void oversampling_sameSeed_shouldGiveTheSameList_otherSeedsMayDiffer() {
        List<ImageRecord> records = records(20, 50);

        assertThat(ClassBalance.oversampleMinority(records, 1L)).isEqualTo(ClassBalance.oversampleMinority(records, 1L));
        boolean anyDifferent = false;
        for (long seed = 2; seed < 10; seed++) {
            anyDifferent |= !ClassBalance.oversampleMinority(records, seed).equals(ClassBalance.oversampleMinority(records, 1L));
        }
        assertThat(anyDifferent).isTrue();
    }

    @Test
    void balancedInput_shouldComeBackUnchanged() {
        List<ImageRecord> records = records(4, 4);
        Collections.reverse(records);

        assertThat(ClassBalance.oversampleMinority(records, 3L)).isEqualTo(records);
    }
}
