package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.data.Dataset;
import io.xray.debug.DebuggerConfig;
import io.xray.debug.ProfilerReport;
import io.xray.debug.ProfilerRuleName;
import io.xray.debug.ProfilerVerdict;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profiler inside a training run: a loader that sleeps makes IOBottleneck fire. */
class ProfilerFitTest {

    @TempDir
    static Path temp;

    static Dataset dataset;

    @BeforeAll
    static void writeData() {
        dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 24, 4, 5));
    }

    static ResNetFineTuner.Builder run(String name) {
        return ResNetFineTunerFitTest.tiny(temp.resolve(name)).epochs(1).noAugmentation().progressEveryBatches(0)
                .debugger(DebuggerConfig.disabled());
    }

    @Test
    void loaderSleeping50msPerBatch_shouldFireIOBottleneckInTheFirstEpoch() {
        // Batches of 4 training the head only: a step of a few milliseconds, well under the loader's 50
        // (a full step here takes 30-100 ms on two busy cores, and the prefetch thread would hide the sleep).
        FitResult result = run("slow").batchSize(4).trainableLayers(TrainableLayers.headOnly())
                .featureCache(false).build()
                .fitWithSlowLoader(dataset, () -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ProfilerVerdict verdict = result.profiler().verdict(ProfilerRuleName.IO_BOTTLENECK).orElseThrow();
        assertThat(verdict.fired()).as("%s; shares %s; steps %s", verdict, result.profiler().dataWaitShares(),
                result.profiler().stepSeconds()).isTrue();
        assertThat(verdict.epoch()).isEqualTo(1);
        assertThat(verdict.values().get("data_wait_share")).isGreaterThan(0.5);
    }

    @Test
    void loaderAtFullSpeed_shouldNotFireIOBottleneck_andShouldReportTheRun() {
        FitResult result = run("fast").batchSize(4).trainableLayers(TrainableLayers.headOnly()).featureCache(false)
                .build().fit(dataset);
        ProfilerReport report = result.profiler();
        assertThat(report.verdict(ProfilerRuleName.IO_BOTTLENECK).orElseThrow().fired())
                .as("data wait shares %s", report.dataWaitShares()).isFalse();
        assertThat(report.stepSeconds()).hasSize(12);
        assertThat(report.secondsToFirstStep()).isPositive();
        assertThat(report.samples()).isNotEmpty();
        assertThat(report.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(report.verdict(ProfilerRuleName.MAX_INITIALIZATION_TIME).orElseThrow().fired()).isFalse();
    }
}
