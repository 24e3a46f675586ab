package io.xray.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.testing.SyntheticXrays;
import io.xray.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference precision and its accuracy guard: bf16 is checked against fp32 on validation
 * images and refused, with the figures, when the ROC AUC moves or decisions flip beyond the limits;
 * a CPU without native bfloat16 falls back to fp32 and says why.
 */
class PrecisionGuardTest {

    @TempDir
    static Path temp;

    static List<ImageRecord> images;

    @BeforeAll
    static void data() {
        Path root = SyntheticXrays.write(temp.resolve("data"), 4, 4, 31);
        images = Dataset.fromDirectory(root).records(Split.VAL);
    }

    private static final int[] LABELS = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    private static final double[] FP32 = {0.05, 0.10, 0.20, 0.30, 0.45, 0.55, 0.70, 0.80, 0.90, 0.95};

    @Test
    void smallChanges_shouldBeAccepted() {
        double[] close = FP32.clone();
        for (int i = 0; i < close.length; i++) {
            close[i] += 0.004;
        }
        PrecisionCheck check = Classifier.comparePrecision(Precision.BF16, FP32, close, LABELS, 0.5, 0.002, 0.005);

        assertThat(check.acceptable()).isTrue();
        assertThat(check.flipped()).isZero();
        assertThat(check.aucChange()).isZero();
        assertThat(check.largestProbabilityChange()).isCloseTo(0.004, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void flippedDecisionsOrMovedAuc_shouldBeRefusedWithTheFigures() {
        double[] flipped = FP32.clone();
        flipped[4] = 0.51; // a NORMAL image crosses the threshold: 1 of 10 decisions flips, the AUC holds
        PrecisionCheck flips = Classifier.comparePrecision(Precision.BF16, FP32, flipped, LABELS, 0.5, 0.002, 0.005);
        assertThat(flips.flipped()).isEqualTo(1);
        assertThat(flips.flippedShare()).isEqualTo(0.1);
        assertThat(flips.acceptable()).isFalse();

        double[] reordered = FP32.clone();
        reordered[0] = 0.60; // a NORMAL image now outranks a PNEUMONIA one: the AUC drops by 1/25
        PrecisionCheck auc = Classifier.comparePrecision(Precision.BF16, FP32, reordered, LABELS, 0.7, 0.002, 1.0);
        assertThat(auc.rocAucFp32()).isEqualTo(1.0);
        assertThat(auc.aucChange()).isCloseTo(0.04, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(auc.flipped()).isZero();
        assertThat(auc.acceptable()).isFalse();

        PrecisionRejectedException refusal = new PrecisionRejectedException(auc);
        assertThat(refusal.getMessage()).contains("refused bf16", "ROC AUC 0.9600 vs 1.0000", "change 0.0400",
                "limit 0.0020");
        assertThat(refusal.check()).isSameAs(auc);
    }

    @Test
    void reducedPrecisionWithoutGuardImages_shouldBeRefusedAtBuild() {
        assertThatThrownBy(() -> InferenceOptions.builder().precision(Precision.BF16).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("guardImages: bf16 needs validation images");
        assertThat(InferenceOptions.builder().precision(Precision.BF16).skipGuard().build().skipGuard()).isTrue();
        assertThatThrownBy(() -> InferenceOptions.builder().maxAucChange(-1).build())
                .hasMessageStartingWith("maxAucChange:");
        List<ImageRecord> normalOnly = images.stream().filter(r -> r.label().index() == 0).toList();
        assertThatThrownBy(() -> InferenceOptions.builder().guardImages(normalOnly).build())
                .hasMessageStartingWith("guardImages: need both NORMAL and PNEUMONIA");
        assertThat(Precision.parse("BF16")).isEqualTo(Precision.BF16);
        assertThat(Precision.parse("float32")).isEqualTo(Precision.FP32);
        assertThatThrownBy(() -> Precision.parse("int8")).hasMessageStartingWith("precision: expected fp32 or bf16");
    }

    @Test
    void cpuFlags_shouldBeReadFromTheFlagsLine() {
        assertThat(Precision.cpuHasBfloat16("processor : 0\nflags\t\t: fpu sse2 avx512f avx512_bf16 avx512_vnni\n"))
                .isTrue();
        assertThat(Precision.cpuHasBfloat16("flags : fpu amx_bf16 amx_tile\n")).isTrue();
        assertThat(Precision.cpuHasBfloat16("flags : fpu sse2 avx2 avx512f\nbugs : avx512_bf16_fake\n")).isFalse();
        assertThat(Precision.cpuHasBfloat16("")).isFalse();
    }

    @Test
    void bf16OnACpuWithoutBfloat16_shouldFallBackToFp32WithTheReason() throws IOException {
        Path cpuinfo = Files.writeString(temp.resolve("cpuinfo"), "processor : 0\nflags : fpu sse2 avx2 avx512f\n");
        String before = System.getProperty(Precision.CPUINFO_PROPERTY);
        System.setProperty(Precision.CPUINFO_PROPERTY, cpuinfo.toString());
        try (Classifier classifier = Classifier.load(TinyModels.directory(),
                InferenceOptions.builder().precision(Precision.BF16).guardImages(images).build())) {
            assertThat(classifier.precision()).isEqualTo(Precision.FP32);
            assertThat(classifier.precisionNote()).contains("no native bfloat16", "using fp32");
            assertThat(classifier.precisionCheck()).isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty(Precision.CPUINFO_PROPERTY);
            } else {
                System.setProperty(Precision.CPUINFO_PROPERTY, before);
            }
        }
    }

    @Test
    void bf16WithGuardImages_shouldBeCheckedAndAccepted() throws IOException {
        Path cpuinfo = Files.writeString(temp.resolve("cpuinfo-bf16"), "flags : fpu avx512f avx512_bf16\n");
        String before = System.getProperty(Precision.CPUINFO_PROPERTY);
        System.setProperty(Precision.CPUINFO_PROPERTY, cpuinfo.toString());
        try {
            try (Classifier fp32 = Classifier.load(TinyModels.directory());
                    Classifier bf16 = Classifier.load(TinyModels.directory(),
                            InferenceOptions.builder().precision(Precision.BF16).guardImages(images).build())) {
                assertThat(bf16.precision()).isEqualTo(Precision.BF16);
                assertThat(bf16.precisionNote()).isEmpty();
                PrecisionCheck check = bf16.precisionCheck().orElseThrow();
                assertThat(check.images()).isEqualTo(images.size());
                assertThat(check.acceptable()).isTrue();
                double[] expected = fp32.score(images);
                double[] actual = bf16.score(images);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(0.02));
                }
                assertThat(fp32.comparePrecision(Precision.BF16, images).largestProbabilityChange())
                        .isCloseTo(check.largestProbabilityChange(), org.assertj.core.data.Offset.offset(1e-6));
            }
        } finally {
            if (before == null) {
                System.clearProperty(Precision.CPUINFO_PROPERTY);
            } else {
                System.setProperty(Precision.CPUINFO_PROPERTY, before);
            }
        }
    }

    /**
     * A crafted bad case: a copy of the tiny model whose threshold lies between one image's fp32
     * and bf16 probabilities, so that its decision flips (1 of the guard's 8 images, over 0.5%).
     */
    @Test
    void bf16FlippingADecision_shouldBeRefusedAtLoadWithTheFigures() throws IOException {
        Path cpuinfo = Files.writeString(temp.resolve("cpuinfo-flip"), "flags : fpu avx512f avx512_bf16\n");
        String before = System.getProperty(Precision.CPUINFO_PROPERTY);
        System.setProperty(Precision.CPUINFO_PROPERTY, cpuinfo.toString());
        try {
            double[] fp32;
            double[] bf16;
            try (Classifier a = Classifier.load(TinyModels.directory());
                    Classifier b = Classifier.load(TinyModels.directory(),
                            InferenceOptions.builder().precision(Precision.BF16).skipGuard().build())) {
                fp32 = a.score(images);
                bf16 = b.score(images);
            }
            int most = 0;
            for (int i = 1; i < fp32.length; i++) {
                if (Math.abs(fp32[i] - bf16[i]) > Math.abs(fp32[most] - bf16[most])) {
                    most = i;
                }
            }
            assertThat(Math.abs(fp32[most] - bf16[most])).as("bf16 must change some probability").isGreaterThan(0);
            Path copy = Files.createDirectories(temp.resolve("flipping-model"));
            try (var files = Files.list(TinyModels.directory())) {
                for (Path file : files.toList()) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
            ModelArtifact a = ModelArtifact.read(copy);
            double threshold = (fp32[most] + bf16[most]) / 2;
            new ModelArtifact(a.formatVersion(), a.architecture(), a.preprocessing(), threshold, a.thresholdRule(),
                    a.classNames(), a.validationMetrics(), a.provenance(), a.thresholdCalibration(),
                    a.probabilityCalibration()).write(copy);

            InferenceOptions guarded = InferenceOptions.builder().precision(Precision.BF16).guardImages(images).build();
            assertThatThrownBy(() -> Classifier.load(copy, guarded))
                    .isInstanceOf(PrecisionRejectedException.class)
                    .hasMessageContaining("refused bf16")
                    .hasMessageContaining("decisions flipped")
                    .satisfies(e -> {
                        PrecisionCheck check = ((PrecisionRejectedException) e).check();
                        assertThat(check.flipped()).isGreaterThanOrEqualTo(1);
                        assertThat(check.images()).isEqualTo(images.size());
                        assertThat(check.acceptable()).isFalse();
                    });
            // The same model with the guard relaxed to accept every flip loads.
            try (Classifier relaxed = Classifier.load(copy, guarded.toBuilder().maxFlippedShare(1).maxAucChange(1).build())) {
                assertThat(relaxed.precisionCheck().orElseThrow().flipped()).isGreaterThanOrEqualTo(1);
            }
        } finally {
            if (before == null) {
                System.clearProperty(Precision.CPUINFO_PROPERTY);
            } else {
                System.setProperty(Precision.CPUINFO_PROPERTY, before);
            }
        }
    }
}
