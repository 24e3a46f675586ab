package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobNamesTest {

    static final Instant NOW = Instant.parse("2026-11-29T12:00:00.123Z");

    @Test
    void trainingJob_shouldStampTheBaseName() {
        assertThat(JobNames.trainingJob("xray", NOW)).isEqualTo("xray-2026-11-29-12-00-00-123");
    }

    @Test
    void longOrOddBaseNames_shouldBeCutAndCleanedToSageMakersLimits() {
        String training = JobNames.trainingJob("pneumonia_resnet18." + "x".repeat(80), NOW);
        String tuning = JobNames.tuningJob("pneumonia-resnet18-tuning-run", NOW);

        assertThat(training).hasSizeLessThanOrEqualTo(63).matches("[a-zA-Z0-9](-*[a-zA-Z0-9])*")
                .startsWith("pneumonia-resnet18-xxx").endsWith("-2026-11-29-12-00-00-123");
        assertThat(tuning).hasSizeLessThanOrEqualTo(32).matches("[a-zA-Z0-9](-*[a-zA-Z0-9])*").endsWith("-261129-120000");
        assertThat(JobNames.trainingJob("---", NOW)).isEqualTo("xray-2026-11-29-12-00-00-123");
    }
}
