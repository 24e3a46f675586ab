package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code xray evaluate}'s checks of its input; {@link TrainCommandsTest} evaluates real models. */
class EvaluateCommandTest {

    @Test
    void valSplitOfDataWithoutOne_shouldSayHowToCarveItBeforeLoadingTheModel() {
        // The shipped samples have train and test folders only.
        CliRun result = run("evaluate", "--model", "no/such/model", "--data", DataCommandsTest.SAMPLE.toString(),
                "--split", "val");

        assertThat(result.status()).isEqualTo(XrayCli.EXIT_USAGE);
        assertThat(result.err()).startsWith("xray: the data set has no val images")
                .contains("--val-fraction", "--seed")
                .doesNotContain("no/such/model");
    }
}
