package io.xray.debug;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The profiler's rules on what it samples and what it is told. */
class ProfilerTest {

    static ProfilerConfig fastMemorySampling() {
        return ProfilerConfig.builder()
                .sampleIntervalMillis(50)
                .parameter(ProfilerRuleName.MEMORY_INCREASE, "patience", 2)
                .parameter(ProfilerRuleName.MEMORY_INCREASE, "window", 3)
                .build();
    }

    /**
     * Fast sampling, and a 20% threshold: far above a small test JVM's own growth (JIT, metaspace,
     * other tests' buffers freed), far below the hundreds of MiB the tests allocate.
     */
    static ProfilerConfig fastMemorySamplingCoarse() {
        return ProfilerConfig.builder()
                .sampleIntervalMillis(50)
                .parameter(ProfilerRuleName.MEMORY_INCREASE, "patience", 2)
                .parameter(ProfilerRuleName.MEMORY_INCREASE, "window", 3)
                .parameter(ProfilerRuleName.MEMORY_INCREASE, "increase", 20)
                .build();
    }

    static void settle() throws InterruptedException {
        System.gc(); // frees other tests' buffers now, not while this one samples
        Thread.sleep(200);
    }

    @Test
    void arraysLeakedOnPurpose_shouldFireMemoryIncrease() throws InterruptedException {
        List<ByteBuffer> leaked = new ArrayList<>();
        settle();
        ProfilerReport report;
        try (Profiler profiler = new Profiler(fastMemorySampling())) {
            Thread.sleep(400);
            for (int i = 0; i < 6; i++) {
                leaked.add(ByteBuffer.allocateDirect(64 << 20)); // zeroed, so resident
            }
            Thread.sleep(400);
            report = profiler.report();
        }
        ProfilerVerdict verdict = report.verdict(ProfilerRuleName.MEMORY_INCREASE).orElseThrow();
        assertThat(verdict.fired()).as("%s", verdict).isTrue();
        assertThat(verdict.values().get("latest_window_bytes") - verdict.values().get("first_window_bytes"))
                .isGreaterThan(300.0 * (1 << 20));
        assertThat(leaked).hasSize(6);
    }

    @Test
    void growthDuringTheFirstEpochOrAfterTheLastStep_shouldNotFireMemoryIncrease() throws InterruptedException {
        List<ByteBuffer> held = new ArrayList<>();
        settle();
        ProfilerReport report;
        try (Profiler profiler = new Profiler(fastMemorySamplingCoarse())) {
            profiler.stepEnded(1, 0.1);
            Thread.sleep(300);
            for (int i = 0; i < 4; i++) {
                held.add(ByteBuffer.allocateDirect(64 << 20)); // warm-up: the first epoch's caches
            }
            Thread.sleep(300);
            profiler.epochEnded(1, 0.0, 0.6);
            profiler.stepEnded(2, 0.1); // the second epoch starts: warm-up is over
            Thread.sleep(500);
            profiler.stepEnded(3, 0.1);
            for (int i = 0; i < 4; i++) {
                held.add(ByteBuffer.allocateDirect(64 << 20)); // after the last step: scoring the final model
            }
            Thread.sleep(300);
            report = profiler.report();
        }
        ProfilerVerdict verdict = report.verdict(ProfilerRuleName.MEMORY_INCREASE).orElseThrow();
        assertThat(verdict.fired()).as("%s", verdict).isFalse();
        assertThat(held).hasSize(8);
    }

    @Test
    void growthAtEveryStepAfterTheFirstEpoch_shouldFireMemoryIncrease() throws InterruptedException {
        List<ByteBuffer> leaked = new ArrayList<>();
        settle();
        ProfilerReport report;
        try (Profiler profiler = new Profiler(fastMemorySamplingCoarse())) {
            profiler.stepEnded(1, 0.1);
            Thread.sleep(200);
            profiler.epochEnded(1, 0.0, 0.2);
            long step = 1;
            for (int i = 0; i < 12; i++) { // arrays leaked at every step, as unclosed NDArrays would be
                leaked.add(ByteBuffer.allocateDirect(32 << 20));
                Thread.sleep(80);
                profiler.stepEnded(++step, 0.08);
            }
            report = profiler.report();
        }
        ProfilerVerdict verdict = report.verdict(ProfilerRuleName.MEMORY_INCREASE).orElseThrow();
        assertThat(verdict.fired()).as("%s", verdict).isTrue();
        assertThat(verdict.values()).containsKeys("middle_window_bytes", "late_increase_percent");
        assertThat(leaked).hasSize(12);
    }

    @Test
    void growthThatLevelsOffAfterTheFirstEpoch_shouldNotFireMemoryIncrease() throws InterruptedException {
        List<ByteBuffer> held = new ArrayList<>();
        settle();
        ProfilerReport report;
        try (Profiler profiler = new Profiler(fastMemorySamplingCoarse())) {
            profiler.stepEnded(1, 0.1);
            Thread.sleep(200);
            profiler.epochEnded(1, 0.0, 0.2);
            long step = 1;
            for (int i = 0; i < 24; i++) { // caches filling during the second epoch, then steady
                if (i < 3) {
                    held.add(ByteBuffer.allocateDirect(64 << 20));
                }
                Thread.sleep(60);
                profiler.stepEnded(++step, 0.06);
            }
            report = profiler.report();
        }
        ProfilerVerdict verdict = report.verdict(ProfilerRuleName.MEMORY_INCREASE).orElseThrow();
        assertThat(verdict.fired()).as("%s", verdict).isFalse();
        assertThat(held).hasSize(3);
    }

    @Test
    void steadyMemory_shouldNotFireMemoryIncrease() throws InterruptedException {
        ProfilerReport report;
        try (Profiler profiler = new Profiler(fastMemorySampling())) {
            Thread.sleep(800);
            report = profiler.report();
        }
        assertThat(report.samples()).hasSizeGreaterThan(8);
        assertThat(report.samples()).allSatisfy(s -> assertThat(s.residentBytes()).isPositive());
        assertThat(report.verdict(ProfilerRuleName.MEMORY_INCREASE).orElseThrow().fired()).isFalse();
    }

    @Test
    void elevenSlowSteps_shouldFireStepOutlier_andTenShouldNot() {
        for (int slow : new int[] {11, 10}) {
            try (Profiler profiler = new Profiler(ProfilerConfig.builder().sampleIntervalMillis(1000).build())) {
                long step = 0;
                for (int i = 0; i < 200; i++) {
                    profiler.stepEnded(++step, 0.1 + (i % 5) * 0.01);
                }
                for (int i = 0; i < slow; i++) {
                    profiler.stepEnded(++step, 5.0);
                }
                ProfilerVerdict verdict = profiler.report().verdict(ProfilerRuleName.STEP_OUTLIER).orElseThrow();
                assertThat(verdict.fired()).as("%d slow steps: %s", slow, verdict).isEqualTo(slow > 10);
            }
        }
    }

    @Test
    void epochLine_shouldBeReadableByAMetricRegex() {
        try (Profiler profiler = new Profiler(ProfilerConfig.builder().sampleIntervalMillis(1000).build())) {
            profiler.stepEnded(1, 0.2);
            profiler.epochEnded(1, 0.9, 1.0);
            String line = profiler.logLine(1);
            assertThat(line).startsWith("Profiler_epoch 1: Profiler_issues=1; Data_wait_share=0.900;");
            assertThat(profiler.report().verdict(ProfilerRuleName.IO_BOTTLENECK).orElseThrow().epoch()).isEqualTo(1);
        }
    }
}
