package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xray train}, {@code evaluate} and {@code predict} on tiny synthetic X-rays. */
class TrainCommandsTest {

    @TempDir
    static Path temp;

    static Path data;
    static Path output;
    static Result trained;

    private record Result(int status, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = XrayCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    private static final String[] TINY = {
        "--backbone", "scratch:4,8,16,32", "--image-size", "32", "--resize", "36", "--batch-size", "8",
        "--epochs", "2", "--learning-rate", "0.003", "--device", "cpu", "--progress-every", "0"
    };

    private static String[] trainArgs(String... extra) {
        String[] base = {"train", "--data", data.toString(), "--output", output.toString(), "--seed", "3"};
        String[] all = new String[base.length + TINY.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(TINY, 0, all, base.length, TINY.length);
        System.arraycopy(extra, 0, all, base.length + TINY.length, extra.length);
        return all;
    }

    @BeforeAll
    static void train() throws Exception {
        data = temp.resolve("chest_xray");
        Random random = new Random(5);
        for (String split : new String[] {"train", "test"}) {
            for (String label : new String[] {"NORMAL", "PNEUMONIA"}) {
                Path dir = Files.createDirectories(data.resolve(split).resolve(label));
                for (int i = 0; i < (split.equals("train") ? 20 : 6); i++) {
                    BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < 40; y++) {
                        for (int x = 0; x < 40; x++) {
                            double v = (label.equals("PNEUMONIA") && x > 8 && x < 30 ? 160 : 60) + random.nextGaussian() * 20;
                            image.getRaster().setSample(x, y, 0, (int) Math.max(0, Math.min(255, v)));
                        }
                    }
                    String name = label.equals("NORMAL")
                            ? String.format(Locale.ROOT, "IM-%04d-0001.png", i + (split.equals("train") ? 0 : 500))
                            : String.format(Locale.ROOT, "person%d_virus_%d.png", i + (split.equals("train") ? 0 : 500), i);
                    ImageIO.write(image, "png", dir.resolve(name).toFile());
                }
            }
        }
        output = temp.resolve("run");
        trained = run(trainArgs("--val-fraction", "0.25"));
    }

    @Test
    void train_shouldWriteTheModelAndPrintWhereItIs() {
        assertThat(trained.status()).as(trained.err()).isZero();
        assertThat(trained.out()).contains("model:", output.resolve("model").toString(), "best epoch:", "naive baseline:");
        assertThat(output.resolve("model").resolve("model.json")).isRegularFile();
        assertThat(output.resolve("checkpoints").resolve("checkpoint.json")).isRegularFile();
    }

    @Test
    void trainResume_ofAFinishedRun_shouldRunNoEpochAndSucceed() {
        Result resumed = run(trainArgs("--val-fraction", "0.25", "--resume"));
        assertThat(resumed.status()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("best epoch:");
    }

    @Test
    void evaluateJson_shouldPrintOnlyOneJsonObjectOnStandardOutput() throws Exception {
        Result result = run("evaluate", "--model", output.resolve("model").toString(), "--data", data.toString(),
                "--split", "test", "--json");
        assertThat(result.status()).as(result.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.path("split").asText()).isEqualTo("test");
        assertThat(json.path("metrics").path("count").asInt()).isEqualTo(12);
        assertThat(json.path("metrics").path("confusion").has("truePositives")).isTrue();
        assertThat(json.path("threshold").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void evaluate_withoutJson_shouldPrintTheMetricsAndConfusionMatrix() {
        Result result = run("evaluate", "--model", output.resolve("model").toString(), "--data", data.toString());
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains("test split, 12 images", "sensitivity", "ROC AUC", "true PNEUMONIA");
    }

    @Test
    void predict_shouldPrintOneLinePerFileAndFailOnAnUndecodableOne() throws Exception {
        Path good = data.resolve("test").resolve("PNEUMONIA").resolve("person500_virus_0.png");
        Path bad = Files.writeString(temp.resolve("broken.jpeg"), "not an image");
        Result result = run("predict", "--model", output.resolve("model").toString(), good.toString(), bad.toString());
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.out().lines().toList()).hasSize(1);
        assertThat(result.out()).matches("(?s)(NORMAL|PNEUMONIA) +0\\.\\d{4} .*person500_virus_0\\.png\\R");
        assertThat(result.err()).contains("broken.jpeg");
    }

    @Test
    void train_withBatchSizeZero_shouldExitTwoNamingTheField() {
        Result result = run("train", "--data", data.toString(), "--output", temp.resolve("bad").toString(),
                "--batch-size", "0");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("batchSize");
    }
}
