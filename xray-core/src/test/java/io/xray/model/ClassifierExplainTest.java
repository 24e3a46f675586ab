package io.xray.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.xray.backbone.Backbone;
import io.xray.explain.ExplanationMethod;
import io.xray.explain.HeatMap;
import io.xray.image.ImageDecoder;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TestImages;
import io.xray.testing.TinyModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierExplainTest {

    private static Classifier classifier;

    @BeforeAll
    static void load() {
        classifier = Classifier.load(TinyModels.directory(), Device.cpu(), ImageDecoder.defaults());
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    private static List<BufferedImage> images() {
        Random random = new Random(5);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            images.add(SyntheticXrays.image(i % 2 == 0, random));
        }
        // Not square, not at the model's sizes, 16-bit gray: the crop and resize must be undone.
        images.add(TestImages.gray(57, 45, 3, BufferedImage.TYPE_USHORT_GRAY));
        images.add(TestImages.noise(40, 90, 4));
        return images;
    }

    @Test
    void explain_shouldGiveExactlyPredictsProbabilityAndLabel() {
        for (BufferedImage image : images()) {
            Explanation explanation = classifier.explain(image);
            Prediction prediction = classifier.predict(image);
            assertThat(explanation.probability()).isEqualTo(prediction.probability());
            assertThat(explanation.prediction()).isEqualTo(prediction);
        }
    }

    @Test
    void explainAll_shouldGiveExactlyPredictAllsProbabilitiesAndEachImagesOwnMap() {
        List<BufferedImage> images = images();
        List<Explanation> batch = classifier.explainAll(images);
        List<Prediction> predictions = classifier.predictAll(images);
        assertThat(batch).hasSize(images.size());
        for (int i = 0; i < images.size(); i++) {
            assertThat(batch.get(i).prediction()).isEqualTo(predictions.get(i));
            Explanation alone = classifier.explain(images.get(i));
            assertThat(batch.get(i).probability()).isCloseTo(alone.probability(), org.assertj.core.api.Assertions.within(1e-6));
            assertThat(batch.get(i).heatMap().width()).isEqualTo(images.get(i).getWidth());
            float[] a = alone.heatMap().values();
            float[] b = batch.get(i).heatMap().values();
            for (int p = 0; p < a.length; p++) {
                assertThat(b[p]).isCloseTo(a[p], org.assertj.core.api.Assertions.within(1e-3f));
            }
        }
    }

    @Test
    void explain_fromScratchModel_shouldBeGradCamAtTheImagesResolution() throws Exception {
        BufferedImage image = TestImages.gray(57, 45, 3, BufferedImage.TYPE_BYTE_GRAY);
        Explanation explanation = classifier.explain(image);

        assertThat(explanation.method()).isEqualTo(ExplanationMethod.GRAD_CAM);
        assertThat(explanation.method().layer()).isEqualTo("layer4");
        HeatMap map = explanation.heatMap();
        assertThat(map.width()).isEqualTo(57);
        assertThat(map.height()).isEqualTo(45);
        float max = 0;
        for (float v : map.values()) {
            assertThat(v).isBetween(0f, 1f);
            max = Math.max(max, v);
        }
        assertThat(max).isIn(0f, 1f);
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(explanation.overlayPng()));
        assertThat(overlay.getHeight()).isEqualTo(45);
        assertThat(overlay.getWidth()).isGreaterThan(57);
        BufferedImage gray = ImageIO.read(new ByteArrayInputStream(explanation.heatMapPng()));
        assertThat(gray.getWidth()).isEqualTo(57);
        assertThat(gray.getHeight()).isEqualTo(45);
    }

    @Test
    void explain_withBatchNormUnfolded_shouldMatchPredictAndTheFoldedMap() {
        BufferedImage image = images().get(0);
        Explanation folded = classifier.explain(image);
        System.setProperty(io.xray.internal.Network.FOLD_BATCH_NORM_PROPERTY, "false");
        try {
            Explanation unfolded = classifier.explain(image);
            assertThat(unfolded.probability()).isEqualTo(classifier.predict(image).probability());
            assertThat(unfolded.probability()).isCloseTo(folded.probability(), org.assertj.core.api.Assertions.within(1e-5));
            float[] a = folded.heatMap().values();
            float[] b = unfolded.heatMap().values();
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).isCloseTo(a[i], org.assertj.core.api.Assertions.within(1e-3f));
            }
        } finally {
            System.clearProperty(io.xray.internal.Network.FOLD_BATCH_NORM_PROPERTY);
        }
    }

    @Test
    void explain_fromFileAndBytes_shouldMatchTheDecodedImage() throws Exception {
        BufferedImage image = images().get(0);
        byte[] png = TestImages.png(image);
        assertThat(classifier.explain(png).heatMap()).isEqualTo(classifier.explain(image).heatMap());
    }

    @Test
    void explain_fromSeveralThreadsWithPredictions_shouldGiveTheSameAnswers() throws Exception {
        List<BufferedImage> images = images();
        List<Explanation> expected = new ArrayList<>();
        for (BufferedImage image : images) {
            expected.add(classifier.explain(image));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < images.size(); i++) {
                    int index = i;
                    results.add(pool.submit(() -> {
                        Explanation e = classifier.explain(images.get(index));
                        classifier.predict(images.get(index));
                        return e.heatMap().equals(expected.get(index).heatMap())
                                && e.probability() == expected.get(index).probability();
                    }));
                }
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void explain_torchScriptModel_shouldSayGradientTimesInputAndMatchPredict(@TempDir Path work) throws Exception {
        Path fixture = Path.of(ClassifierExplainTest.class.getResource("/io/xray/train/resnet18-tiny-features.pt").toURI());
        Path model = TinyModels.train(work, Backbone.torchScript(fixture));
        try (Classifier script = Classifier.load(model, Device.cpu(), ImageDecoder.defaults())) {
            for (BufferedImage image : images()) {
                Explanation explanation = script.explain(image);
                assertThat(explanation.method()).isEqualTo(ExplanationMethod.GRADIENT_X_INPUT);
                assertThat(explanation.method().layer()).isEqualTo("input");
                assertThat(explanation.probability()).isEqualTo(script.predict(image).probability());
                assertThat(explanation.heatMap().width()).isEqualTo(image.getWidth());
            }
        }
    }
}
