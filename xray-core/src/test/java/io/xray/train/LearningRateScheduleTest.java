package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void warmupCosine_shouldRiseLinearlyThenDecayToZero() {
        LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(0.1);
        assertThat(schedule.rate(1.0, 0, 100)).isCloseTo(0.1, within(1e-12));
        assertThat(schedule.rate(1.0, 9, 100)).isCloseTo(1.0, within(1e-12));
        assertThat(schedule.rate(1.0, 10, 100)).isCloseTo(1.0, within(1e-12));
        assertThat(schedule.rate(1.0, 55, 100)).isCloseTo(0.5, within(1e-12));
        assertThat(schedule.rate(1.0, 100, 100)).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void oneCycle_shouldFollowPyTorchsOneCycleLrEndpoints() {
        LearningRateSchedule schedule = LearningRateSchedule.oneCycle(0.3);
        assertThat(schedule.rate(1.0, 0, 100)).isCloseTo(1.0 / 25, within(1e-12));
        assertThat(schedule.rate(1.0, 30, 100)).isCloseTo(1.0, within(1e-12));
        assertThat(schedule.rate(1.0, 100, 100)).isCloseTo(1.0 / 25 / 1e4, within(1e-12));
        assertThat(schedule.rate(1.0, 65, 100)).isLessThan(1.0).isGreaterThan(0.4);
    }

    @Test
    void constant_shouldNotMove() {
        assertThat(LearningRateSchedule.constant().rate(0.01, 77, 100)).isEqualTo(0.01);
    }
}
