package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code xray quickstart}, and the command list that names it. */
class QuickstartCommandTest {

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
