package io.xray.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.xray.model.Classifier;
import io.xray.model.Prediction;
import io.xray.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs {@link ServeAndCall} on shipped sample X-rays with the shared tiny model, over loopback. */
@Timeout(120)
class ServeAndCallTest {

    static final Path TEST = Path.of("..", "sample-data", "chest_xray", "test");
    static final Pattern LINE = Pattern.compile("(NORMAL|PNEUMONIA) (\\d[.,]\\d{3}) \\(threshold (\\d[.,]\\d{3}), (\\S+)\\) (.+)");

    @Test
    void serveAndCall_onSampleImages_shouldPrintOneLineWithTheModelsAnswerPerImage() throws Exception {
        Path model = TinyModels.directory();
        List<Path> images = List.of(
                TEST.resolve("NORMAL/IM-0015-0001.jpeg"),
                TEST.resolve("NORMAL/IM-0019-0001.jpeg"),
                TEST.resolve("PNEUMONIA/person3_virus_15.jpeg"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        ServeAndCall.run(model, images, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(images.size());
        try (Classifier inProcess = Classifier.load(model)) {
            for (int i = 0; i < images.size(); i++) {
                Matcher m = LINE.matcher(lines.get(i));
                assertThat(m.matches()).as(lines.get(i)).isTrue();
                Prediction expected = inProcess.predict(images.get(i));
                double probability = Double.parseDouble(m.group(2).replace(',', '.'));

                assertThat(probability).isBetween(0.0, 1.0).isCloseTo(expected.probability(), within(0.0005));
                assertThat(m.group(1)).isEqualTo(expected.label().name());
                assertThat(Double.parseDouble(m.group(3).replace(',', '.'))).isCloseTo(inProcess.threshold(), within(0.0005));
                assertThat(m.group(4)).isEqualTo(inProcess.modelId());
                assertThat(m.group(5)).isEqualTo(images.get(i).toString());
            }
        }
    }
}
