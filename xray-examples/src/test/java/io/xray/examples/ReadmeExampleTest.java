package io.xray.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's Java example identical to {@link TrainAndPredict}, which the build compiles:
 * the lines between the README-BEGIN and README-END markers must appear, de-indented, in the
 * README's first {@code java} block that follows the "Java API" heading.
 */
class ReadmeExampleTest {

    @Test
    void readmeExample_shouldBeTheCompiledTrainAndPredictBody() throws IOException {
        List<String> source = Files.readAllLines(
                Path.of("src/main/java/io/xray/examples/TrainAndPredict.java"));
        int begin = indexOfTrimmed(source, "// README-BEGIN");
        int end = indexOfTrimmed(source, "// README-END");
        assertThat(begin).as("README-BEGIN marker").isNotNegative();
        assertThat(end).as("README-END marker").isGreaterThan(begin);
        List<String> body = source.subList(begin + 1, end);
        int indent = body.get(0).length() - body.get(0).stripLeading().length();
        String expected = body.stream()
                .map(line -> line.length() >= indent ? line.substring(indent) : line.strip())
                .collect(Collectors.joining("\n"));

        String readme = Files.readString(Path.of("..", "README.md"));
        int heading = readme.indexOf("## The Java API");
        assertThat(heading).as("README section '## The Java API'").isNotNegative();
        int start = readme.indexOf("```java\n", heading) + "```java\n".length();
        String block = readme.substring(start, readme.indexOf("\n```", start));

        assertThat(block).isEqualTo(expected);
    }

    private static int indexOfTrimmed(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(text)) {
                return i;
            }
        }
        return -1;
    }
}
