package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code xray quickstart} on tiny synthetic X-rays, and the command list that names it. */
class QuickstartCommandTest {

    @TempDir
    static Path temp;

    static Path output;
    static CliRun quickstart;

    @BeforeAll
    static void quickstart() {
        Path data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 20, 0);
        SyntheticXrays.writeImages(data.resolve("test"), 4, 5);
        output = temp.resolve("runs").resolve("quickstart");
        quickstart = run("quickstart", "--data", data.toString(), "--output", output.toString(),
                "--epochs", "1", "--image-size", "32", "--val-fraction", "0.25");
    }

    @Test
    void quickstart_shouldSuggestANextCommandThatRuns() {
        assertThat(quickstart.status()).as(quickstart.err()).isZero();
        String next = quickstart.out().lines().filter(l -> l.startsWith("next:")).findFirst().orElseThrow();
        String[] words = next.substring("next:".length()).strip().split(" ");
        assertThat(words[0]).isEqualTo("./xray");
        CliRun suggested = run(Arrays.copyOfRange(words, 1, words.length));
        assertThat(suggested.status()).as("'%s' printed %s", next, suggested.err()).isZero();
        assertThat(suggested.out()).containsPattern("^(NORMAL|PNEUMONIA) +0\\.\\d{4} ");
    }

    @Test
    void quickstart_shouldLeaveARunRecordThatRunsListsAndReportReads() {
        assertThat(quickstart.status()).as(quickstart.err()).isZero();
        assertThat(output.resolve("run.json")).isRegularFile();
        assertThat(output.resolve("report.html")).isRegularFile();
        assertThat(quickstart.out()).contains("report:           " + output.resolve("report.html"));

        CliRun listed = run("runs", "list", output.getParent().toString());
        assertThat(listed.status()).as(listed.err()).isZero();
        assertThat(listed.out().lines()).as(listed.out()).anyMatch(line -> line.startsWith("quickstart") && line.contains("completed"));

        CliRun report = run("report", output.toString(), "--no-tensorboard");
        assertThat(report.status()).as(report.err()).isZero();
    }

    @Test
    void commandList_shouldShowEachCommandsWholeFirstSentence() {
        CommandLine cli = new CommandLine(XrayCli.class);
        cli.getSubcommands().forEach((name, sub) -> {
            String[] description = sub.getCommandSpec().usageMessage().description();
            if (description.length > 0) {
                // `xray --help` lists only the first line of each command's description.
                assertThat(description[0].strip()).as("first description line of %s", name).endsWith(".");
            }
        });
    }
}
