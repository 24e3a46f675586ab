package io.xray.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's Java examples identical to programs the build compiles: the lines between a
 * program's README-BEGIN and README-END markers must appear, de-indented, as the first {@code java}
 * block of the README section under the given heading.
 */
class ReadmeExampleTest {

    @Test
    void javaApiExample_shouldBeTheCompiledTrainAndPredictBody() throws IOException {
        assertReadmeBlockIsMarkedSource("## The Java API", "TrainAndPredict.java");
    }

    @Test
    void usingFromYourProjectExample_shouldBeTheCompiledFirstModel() throws IOException {
        assertReadmeBlockIsMarkedSource("## Using xray from your project", "FirstModel.java");
    }

    private static void assertReadmeBlockIsMarkedSource(String heading, String sourceFile) throws IOException {
        List<String> source = Files.readAllLines(Path.of("src/main/java/io/xray/examples", sourceFile));
        int begin = indexOfTrimmed(source, "// README-BEGIN");
        int end = indexOfTrimmed(source, "// README-END");
        assertThat(begin).as("README-BEGIN marker in %s", sourceFile).isNotNegative();
        assertThat(end).as("README-END marker in %s", sourceFile).isGreaterThan(begin);
        List<String> body = source.subList(begin + 1, end);
        int indent = body.get(0).length() - body.get(0).stripLeading().length();
        String expected = body.stream()
                .map(line -> line.length() >= indent ? line.substring(indent) : line.strip())
                .collect(Collectors.joining("\n"));

        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("\n" + heading + "\n");
        assertThat(at).as("README section '%s'", heading).isNotNegative();
        int nextSection = readme.indexOf("\n## ", at + 1);
        int fence = readme.indexOf("```java\n", at);
        assertThat(fence).as("a java block in README section '%s'", heading).isNotNegative();
        if (nextSection >= 0) {
            assertThat(fence).as("a java block in README section '%s'", heading).isLessThan(nextSection);
        }
        int start = fence + "```java\n".length();
        String block = readme.substring(start, readme.indexOf("\n```", start));

        assertThat(block).as("README's %s block vs %s", heading, sourceFile).isEqualTo(expected);
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
