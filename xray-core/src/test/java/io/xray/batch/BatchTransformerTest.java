package io.xray.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.Label;
import io.xray.metrics.BinaryMetrics;
import io.xray.model.Classifier;
import io.xray.model.Prediction;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TestImages;
import io.xray.testing.TinyModels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the transformer with a tiny model over small folders of synthetic X-rays. */
class BatchTransformerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Classifier classifier;

    @TempDir
    Path temp;

    @BeforeAll
    static void loadModel() {
        classifier = Classifier.load(TinyModels.directory());
    }

    @AfterAll
    static void closeModel() {
        classifier.close();
    }

    /** 5 NORMAL + 5 PNEUMONIA in the chest_xray layout, one unlabelled image deeper down, and noise. */
    private Path inputFolder() throws IOException {
        Path in = SyntheticXrays.writeImages(temp.resolve("in"), 5, 42);
        SyntheticXrays.writePng(in.resolve("extra/deeper/unlabelled.png"), SyntheticXrays.image(true, new Random(3)));
        Files.writeString(in.resolve("notes.txt"), "not an image");
        SyntheticXrays.writePng(in.resolve(".hidden.png"), SyntheticXrays.image(false, new Random(4)));
        return in;
    }

    private BatchTransformer.Builder job(Path in, Path out) {
        return BatchTransformer.builder().model(classifier).input(in).output(out).threads(2).batchSize(4);
    }

    @Test
    void folder_shouldWriteOneOutPerImageNamedByItsRelativePathWithTheClassifiersPrediction() throws Exception {
        Path in = inputFolder();
        Path out = temp.resolve("out");

        BatchResult result = job(in, out).build().run();

        List<String> images = relativeFiles(in, ".png").stream().filter(n -> !n.equals(".hidden.png")).toList();
        assertThat(images).hasSize(11).contains("NORMAL/IM-4200-0001.png", "extra/deeper/unlabelled.png");
        assertThat(relativeFiles(out, ".out")).containsExactlyElementsOf(images.stream().map(n -> n + ".out").toList());
        assertThat(result.inputs()).isEqualTo(11);
        assertThat(result.processed()).isEqualTo(11);
        assertThat(result.skipped()).isZero();
        assertThat(result.failed()).isZero();
        assertThat(result.imagesPerSecond()).isPositive();
        assertThat(result.modelId()).isEqualTo(classifier.modelId());
        for (String name : images) {
            Prediction expected = classifier.predict(in.resolve(name));
            JsonNode body = JSON.readTree(out.resolve(name + ".out").toFile());
            assertThat(body.path("predictions")).hasSize(1);
            JsonNode p = body.path("predictions").path(0);
            assertThat(p.path("probability").asDouble()).as(name).isCloseTo(expected.probability(), within(1e-6));
            assertThat(p.path("label").asText()).isEqualTo(expected.label().name());
            assertThat(p.path("threshold").asDouble()).isEqualTo(classifier.threshold());
            assertThat(p.path("model_id").asText()).isEqualTo(result.modelId());
        }
        List<JsonNode> summary = summary(out);
        assertThat(summary).extracting(line -> line.path("input").asText()).containsExactlyElementsOf(images);
        assertThat(summary).allSatisfy(line -> assertThat(line.path("status").asText()).isEqualTo("ok"));
        JsonNode first = summary.get(0);
        assertThat(first.path("true_label").asText()).isEqualTo("NORMAL");
        assertThat(first.path("probability").asDouble())
                .isEqualTo(JSON.readTree(out.resolve(images.get(0) + ".out").toFile())
                        .path("predictions").path(0).path("probability").asDouble());
        assertThat(summary.get(images.indexOf("extra/deeper/unlabelled.png")).has("true_label")).isFalse();
    }

    @Test
    void explain_shouldWriteAnOverlayBesideEachResult_andRedoOnlyResultsWithoutOne() throws Exception {
        Path in = inputFolder();
        Path plain = temp.resolve("plain");
        Path out = temp.resolve("explained");
        job(in, plain).build().run();
        assertThat(relativeFiles(plain, ".explain.png")).isEmpty();

        BatchResult result = job(in, out).explain(true).build().run();

        assertThat(result.processed()).isEqualTo(11);
        List<String> results = relativeFiles(out, ".out");
        assertThat(relativeFiles(out, ".explain.png"))
                .containsExactlyElementsOf(results.stream().map(n -> n.replaceAll("\\.out$", ".explain.png")).toList());
        for (String name : results) {
            double explained = JSON.readTree(out.resolve(name).toFile()).path("predictions").path(0).path("probability").asDouble();
            double scored = JSON.readTree(plain.resolve(name).toFile()).path("predictions").path(0).path("probability").asDouble();
            assertThat(explained).as(name).isCloseTo(scored, within(1e-6));
            String overlay = name.replaceAll("\\.out$", ".explain.png");
            assertThat(javax.imageio.ImageIO.read(out.resolve(overlay).toFile())).as(overlay).isNotNull();
        }
        Files.delete(out.resolve("NORMAL/IM-4200-0001.png.explain.png"));
        BatchResult again = job(in, out).explain(true).build().run();
        assertThat(again.processed()).isEqualTo(1);
        assertThat(again.skipped()).isEqualTo(10);
        assertThat(out.resolve("NORMAL/IM-4200-0001.png.explain.png")).isRegularFile();
    }

    @Test
    void oneThreadBatchOfOne_andManyThreadsBatchOfFour_shouldGiveTheSameResults() throws Exception {
        Path in = inputFolder();
        job(in, temp.resolve("a")).threads(1).batchSize(1).build().run();
        job(in, temp.resolve("b")).threads(3).batchSize(4).build().run();

        for (String name : relativeFiles(temp.resolve("a"), ".out")) {
            JsonNode a = JSON.readTree(temp.resolve("a").resolve(name).toFile()).path("predictions").path(0);
            JsonNode b = JSON.readTree(temp.resolve("b").resolve(name).toFile()).path("predictions").path(0);
            assertThat(b.path("probability").asDouble()).as(name).isCloseTo(a.path("probability").asDouble(), within(1e-6));
        }
        assertThat(relativeFiles(temp.resolve("b"), ".out")).isEqualTo(relativeFiles(temp.resolve("a"), ".out"));
    }

    @Test
    void rerun_shouldSkipEveryInputAndLeaveEveryFileIdentical() throws Exception {
        Path in = inputFolder();
        Path out = temp.resolve("out");
        BatchResult first = job(in, out).build().run();
        Map<String, byte[]> before = contents(out);
        Map<String, FileTime> times = new LinkedHashMap<>();
        for (String name : relativeFiles(out, ".out")) {
            times.put(name, Files.getLastModifiedTime(out.resolve(name)));
        }

        BatchResult second = job(in, out).build().run();

        assertThat(second.skipped()).isEqualTo(first.inputs()).isEqualTo(11);
        assertThat(second.processed()).isZero();
        assertThat(second.failed()).isZero();
        assertThat(second.imagesPerSecond()).isZero();
        assertThat(second.metrics()).isEqualTo(first.metrics());
        Map<String, byte[]> after = contents(out);
        assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
        assertThat(after.keySet()).contains("summary.jsonl", "metrics.json", "confusion-matrix.png");
        for (String name : before.keySet()) {
            assertThat(after.get(name)).as(name).isEqualTo(before.get(name));
        }
        for (Map.Entry<String, FileTime> entry : times.entrySet()) {
            assertThat(Files.getLastModifiedTime(out.resolve(entry.getKey()))).isEqualTo(entry.getValue());
        }
    }

    @Test
    void corruptImage_shouldBecomeAnErrorLineWhileOthersSucceed_andBeTheOnlyOneScoredAfterItIsFixed() throws Exception {
        Path in = inputFolder();
        Path bad = in.resolve("PNEUMONIA/person9_bacteria_9.png");
        byte[] good = TestImages.png(SyntheticXrays.image(true, new Random(9)));
        Files.write(bad, Arrays.copyOf(good, good.length / 2));
        Path out = temp.resolve("out");

        BatchResult broken = job(in, out).build().run();

        assertThat(broken.inputs()).isEqualTo(12);
        assertThat(broken.failed()).isEqualTo(1);
        assertThat(broken.processed()).isEqualTo(11);
        assertThat(broken.failures()).singleElement().satisfies(f -> {
            assertThat(f.input()).isEqualTo("PNEUMONIA/person9_bacteria_9.png");
            assertThat(f.error()).contains(bad.toString());
        });
        assertThat(out.resolve("PNEUMONIA/person9_bacteria_9.png.out")).doesNotExist();
        JsonNode errorLine = summary(out).stream()
                .filter(l -> l.path("input").asText().equals("PNEUMONIA/person9_bacteria_9.png"))
                .findFirst().orElseThrow();
        assertThat(errorLine.path("status").asText()).isEqualTo("error");
        assertThat(errorLine.path("error").asText()).contains(bad.toString());
        assertThat(errorLine.has("probability")).isFalse();
        assertThat(summary(out)).filteredOn(l -> l.path("status").asText().equals("ok")).hasSize(11);
        assertThat(metricsFile(out).path("failed").asInt()).isEqualTo(1);

        Files.write(bad, good);
        BatchResult fixed = job(in, out).build().run();

        assertThat(fixed.processed()).isEqualTo(1);
        assertThat(fixed.skipped()).isEqualTo(11);
        assertThat(fixed.failed()).isZero();
        assertThat(out.resolve("PNEUMONIA/person9_bacteria_9.png.out")).isRegularFile();
        assertThat(summary(out)).allSatisfy(l -> assertThat(l.path("status").asText()).isEqualTo("ok"));
    }

    @Test
    void metricsJson_shouldEqualBinaryMetricsComputedFromClassifierPredictOnTheSameFiles() throws Exception {
        Path in = SyntheticXrays.writeImages(temp.resolve("in"), 8, 77);
        Path out = temp.resolve("out");

        BatchResult result = job(in, out).build().run();

        List<String> images = relativeFiles(in, ".png");
        double[] probabilities = new double[images.size()];
        int[] labels = new int[images.size()];
        for (int i = 0; i < images.size(); i++) {
            probabilities[i] = classifier.predict(in.resolve(images.get(i))).probability();
            labels[i] = Label.fromDirectoryName(images.get(i).substring(0, images.get(i).indexOf('/'))).index();
        }
        BinaryMetrics expected = BinaryMetrics.compute(probabilities, labels, classifier.threshold());
        JsonNode file = metricsFile(out);
        BinaryMetrics written = JSON.treeToValue(file.path("metrics"), BinaryMetrics.class);
        assertThat(written.confusion()).isEqualTo(expected.confusion());
        assertThat(written.threshold()).isEqualTo(classifier.threshold());
        assertThat(written.rocAuc()).isCloseTo(expected.rocAuc(), within(1e-9));
        assertThat(written.prAuc()).isCloseTo(expected.prAuc(), within(1e-9));
        assertThat(written.f1()).isEqualTo(expected.f1());
        assertThat(written.count()).isEqualTo(16);
        assertThat(result.metrics()).contains(written);
        assertThat(file.path("model_id").asText()).isEqualTo(result.modelId());
        assertThat(file.path("evaluated").asInt()).isEqualTo(16);
        BufferedImage picture = ImageIO.read(out.resolve("confusion-matrix.png").toFile());
        assertThat(picture.getWidth()).isEqualTo(ConfusionMatrixImage.WIDTH);
        assertThat(picture.getHeight()).isEqualTo(ConfusionMatrixImage.HEIGHT);
    }

    @Test
    void unlabelledFolder_shouldWriteNoMetricsAndRemoveThoseOfAnEarlierLabelledRun() throws Exception {
        Path labelled = SyntheticXrays.writeImages(temp.resolve("labelled"), 2, 5);
        Path unlabelled = Files.createDirectories(temp.resolve("plain"));
        SyntheticXrays.writePng(unlabelled.resolve("a.png"), SyntheticXrays.image(false, new Random(1)));
        Path out = temp.resolve("out");
        job(labelled, out).build().run();
        assertThat(out.resolve("metrics.json")).isRegularFile();

        BatchResult result = job(unlabelled, out).build().run();

        assertThat(result.metrics()).isEmpty();
        assertThat(out.resolve("metrics.json")).doesNotExist();
        assertThat(out.resolve("confusion-matrix.png")).doesNotExist();
        assertThat(summary(out)).singleElement().satisfies(l -> assertThat(l.path("input").asText()).isEqualTo("a.png"));
    }

    @Test
    void leftoverTemporaryFiles_shouldBeRemovedAndATornResultScoredAgain() throws Exception {
        Path in = inputFolder();
        Path out = temp.resolve("out");
        job(in, out).build().run();
        Path leftover = out.resolve("NORMAL/IM-4200-0001.png.out.tmp");
        Files.writeString(leftover, "{\"predictions\":[{\"lab");
        Files.writeString(out.resolve("summary.jsonl.tmp"), "half a line");
        Path torn = out.resolve("NORMAL/IM-4201-0001.png.out");
        Files.writeString(torn, "{\"predictions\":[{\"label\":\"NOR");
        Path foreign = out.resolve("NORMAL/keep-me.tmp");
        Files.writeString(foreign, "not ours");

        BatchResult result = job(in, out).build().run();

        assertThat(leftover).doesNotExist();
        assertThat(out.resolve("summary.jsonl.tmp")).doesNotExist();
        assertThat(foreign).exists();
        assertThat(result.processed()).isEqualTo(1);
        assertThat(result.skipped()).isEqualTo(10);
        assertThat(JSON.readTree(torn.toFile()).path("predictions").path(0).path("probability").isNumber()).isTrue();
        try (Stream<Path> files = Files.walk(out)) {
            assertThat(files.filter(f -> f.toString().endsWith(".out.tmp"))).isEmpty();
        }
    }

    @Test
    void resultsOfAnotherModel_shouldBeScoredAgain() throws Exception {
        Path in = SyntheticXrays.writeImages(temp.resolve("in"), 2, 8);
        Path out = temp.resolve("out");
        job(in, out).modelId("first-model").build().run();

        BatchResult second = job(in, out).modelId("second-model").build().run();

        assertThat(second.processed()).isEqualTo(4);
        assertThat(second.skipped()).isZero();
        assertThat(JSON.readTree(out.resolve("NORMAL/IM-0800-0001.png.out").toFile())
                .path("predictions").path(0).path("model_id").asText()).isEqualTo("second-model");
    }

    @Test
    void rerunWithTheDefaultModelId_shouldSkipTheSameModelCopiedElsewhere_andRescoreForAnotherModel() throws Exception {
        Path in = SyntheticXrays.writeImages(temp.resolve("in"), 2, 8);
        Path out = temp.resolve("out");
        String name = TinyModels.directory().getFileName().toString();
        Path copy = copyDirectory(TinyModels.directory(), temp.resolve("copy").resolve(name));
        Path other = copyDirectory(TinyModels.directory(), temp.resolve("other").resolve(name));
        Files.writeString(other.resolve("model.json"), "\n", java.nio.file.StandardOpenOption.APPEND);
        BatchResult first = job(in, out).build().run();

        BatchResult sameModel = BatchTransformer.builder().modelDirectory(copy).input(in).output(out).build().run();
        BatchResult otherModel = BatchTransformer.builder().modelDirectory(other).input(in).output(out).build().run();

        assertThat(sameModel.modelId()).isEqualTo(first.modelId()).isEqualTo(classifier.modelId());
        assertThat(sameModel.skipped()).isEqualTo(4);
        assertThat(sameModel.processed()).isZero();
        assertThat(otherModel.modelId()).isNotEqualTo(first.modelId()).startsWith(name + "-");
        assertThat(otherModel.processed()).isEqualTo(4);
        assertThat(otherModel.skipped()).isZero();
        assertThat(JSON.readTree(out.resolve("NORMAL/IM-0800-0001.png.out").toFile())
                .path("predictions").path(0).path("model_id").asText()).isEqualTo(otherModel.modelId());
    }

    @Test
    void manifestInput_shouldNameOutputsRelativeToTheManifestFolderAndUseItsLabels() throws Exception {
        Path root = temp.resolve("data");
        SyntheticXrays.writeImages(root.resolve("train"), 2, 11);
        SyntheticXrays.writeImages(root.resolve("test"), 2, 12);
        Path manifest = root.resolve("manifest.jsonl");
        Dataset.fromDirectory(root).writeManifest(manifest);
        Path out = temp.resolve("out");

        BatchResult result = job(manifest, out).build().run();

        assertThat(result.processed()).isEqualTo(8);
        assertThat(relativeFiles(out, ".out")).hasSize(8)
                .contains("train/NORMAL/IM-1100-0001.png.out", "test/PNEUMONIA/person1201_bacteria_1.png.out");
        assertThat(result.metrics()).hasValueSatisfying(m -> assertThat(m.count()).isEqualTo(8));
    }

    @Test
    void datasetInput_shouldNameOutputsRelativeToTheFolderHoldingAllItsImages() throws Exception {
        Path root = temp.resolve("data");
        SyntheticXrays.writeImages(root.resolve("test"), 2, 13);
        Path out = temp.resolve("out");
        Dataset dataset = Dataset.fromDirectory(root);

        BatchResult result = BatchTransformer.builder().model(classifier).input(dataset).output(out).build().run();

        assertThat(result.processed()).isEqualTo(4);
        assertThat(relativeFiles(out, ".out")).contains("NORMAL/IM-1300-0001.png.out");
    }

    @Test
    void modelDirectory_shouldBeLoadedForTheRun_andAGivenClassifierShouldStayOpen() throws Exception {
        Path in = SyntheticXrays.writeImages(temp.resolve("in"), 1, 21);

        BatchResult fromDirectory = BatchTransformer.builder().modelDirectory(TinyModels.directory())
                .input(in).output(temp.resolve("a")).build().run();
        BatchResult fromClassifier = job(in, temp.resolve("b")).build().run();

        assertThat(fromDirectory.processed()).isEqualTo(2);
        assertThat(fromDirectory.modelId()).isEqualTo(fromClassifier.modelId());
        assertThat(classifier.predict(in.resolve("NORMAL/IM-2100-0001.png")).probability()).isBetween(0.0, 1.0);
        assertThat(Files.readString(temp.resolve("a/NORMAL/IM-2100-0001.png.out")))
                .isEqualTo(Files.readString(temp.resolve("b/NORMAL/IM-2100-0001.png.out")));
    }

    @Test
    void secondJobOnTheSameOutputFolder_whileTheFirstHoldsIt_shouldBeRefused() throws Exception {
        Path out = temp.resolve("out");
        try (OutputFolder held = OutputFolder.open(out)) {
            assertThatThrownBy(() -> OutputFolder.open(out))
                    .isInstanceOf(XrayException.class)
                    .hasMessageContaining(out.toString())
                    .hasMessageContaining("another batch job");
        }
        OutputFolder.open(out).close();
    }

    private static List<String> relativeFiles(Path root, String suffix) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(n -> n.endsWith(suffix) && !n.equals(OutputFolder.LOCK))
                    .sorted()
                    .toList();
        }
    }

    private static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String name : relativeFiles(root, "")) {
            contents.put(name, Files.readAllBytes(root.resolve(name)));
        }
        return contents;
    }

    private static List<JsonNode> summary(Path out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("summary.jsonl"), StandardCharsets.UTF_8)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static JsonNode metricsFile(Path out) throws IOException {
        return JSON.readTree(out.resolve("metrics.json").toFile());
    }

    private static Path copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        return to;
    }
}
