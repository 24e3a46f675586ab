package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A numeric option out of range is refused as the command starts, naming the option as typed and
 * not the library field it would reach. Every data, model and image path below is missing: a
 * command that read them before checking its options would fail on the path instead.
 */
class OptionChecksTest {

    private static final String NONE = "no/such/path";

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("--hamming", "hammingThreshold",
                        new String[] {"audit", "--data", NONE, "--hamming", "-3"}),
                Arguments.of("--val-fraction", "fraction:",
                        new String[] {"split", "--data", NONE, "--val-fraction", "1.5", "--out", NONE}),
                Arguments.of("--move-test-to-val", "count",
                        new String[] {"split", "--data", NONE, "--move-test-to-val", "-2", "--out", NONE}),
                Arguments.of("--val-fraction", "fraction:",
                        new String[] {"train", "--data", NONE, "--out", NONE, "--val-fraction", "1.5"}),
                Arguments.of("--progress-every", "progressEveryBatches",
                        new String[] {"train", "--data", NONE, "--out", NONE, "--progress-every", "-1"}),
                Arguments.of("--val-fraction", "fraction:",
                        new String[] {"seeds", "--data", NONE, "--seeds", "1", "--out", NONE, "--val-fraction", "2"}),
                Arguments.of("--val-fraction", "fraction:",
                        new String[] {"evaluate", "--model", NONE, "--data", NONE, "--val-fraction", "-0.5"}),
                Arguments.of("--val-fraction", "fraction:",
                        new String[] {"report", NONE, "--data", NONE, "--val-fraction", "1"}),
                Arguments.of("--val-fraction", "fraction:",
                        new String[] {"quickstart", "--data", NONE, "--output", NONE, "--val-fraction", "0"}),
                Arguments.of("--trials", "maxTrials",
                        new String[] {"tune", "--data", NONE, "--out", NONE, "--param", "learning-rate=log:1e-4:1e-2",
                            "--trials", "0"}),
                Arguments.of("--parallel", "parallelTrials",
                        new String[] {"tune", "--data", NONE, "--out", NONE, "--param", "learning-rate=log:1e-4:1e-2",
                            "--parallel", "0"}),
                Arguments.of("--batch-size", "batchSize",
                        new String[] {"batch", "--model", NONE, "--input", NONE, "--output", NONE, "--batch-size", "-1"}),
                Arguments.of("--guard-val-fraction", "fraction:",
                        new String[] {"batch", "--model", NONE, "--input", NONE, "--output", NONE,
                            "--guard-val-fraction", "1.5"}),
                Arguments.of("--max-batch-size", "maxBatchSize",
                        new String[] {"serve", "--model", NONE, "--max-batch-size", "0"}),
                Arguments.of("--request-timeout-s", "requestTimeout",
                        new String[] {"serve", "--model", NONE, "--request-timeout-s", "60"}),
                Arguments.of("--concurrency", "xray:",
                        new String[] {"loadtest", "--image", NONE, "--concurrency", "0"}),
                Arguments.of("--batch", "size:",
                        new String[] {"bench", "train", "--batch", "0"}),
                Arguments.of("--max-attempts", "maxAttempts",
                        new String[] {"endpoints", "sweep", "--region", "eu-west-1", "--max-attempts", "0"}),
                Arguments.of("--max-idle-hours", "maxIdle",
                        new String[] {"endpoints", "sweep", "--region", "eu-west-1", "--max-idle-hours", "0"}),
                Arguments.of("--max-attempts", "maxAttempts",
                        new String[] {"sagemaker", "train", "--dry-run", "--max-attempts", "0"}),
                Arguments.of("--parallel-jobs", "parallelJobs",
                        new String[] {"sagemaker", "tune", "--param", "learning-rate=log:1e-4:1e-2", "--out", NONE,
                            "--parallel-jobs", "0"}));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badValues")
    void badNumber_shouldBeAUsageErrorNamingTheOptionBeforeAnythingIsRead(String option, String javaName, String[] args) {
        CliRun result = run(args);

        assertThat(result.status()).as(result.err()).isEqualTo(XrayCli.EXIT_USAGE);
        String first = result.err().lines().findFirst().orElse("");
        assertThat(first).as("the first line names the option, not the field")
                .startsWith("Invalid value for option '" + option + "': ")
                .doesNotContain(javaName);
        assertThat(result.err()).as("nothing was read").doesNotContain(NONE);
    }
}
