package io.xray.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import io.xray.testing.TestImages;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreprocessingTest {

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final Preprocessing defaults = Preprocessing.defaults();

    @Test
    void defaults_shouldBeTheSeedNotebooksValues() {
        assertThat(defaults.resizeShorterSide()).isEqualTo(256);
        assertThat(defaults.cropSize()).isEqualTo(224);
        assertThat(defaults.mean()).containsExactly(IMAGENET_MEAN);
        assertThat(defaults.std()).containsExactly(IMAGENET_STD);
    }

    @Test
    void uniformGrey_shouldNormaliseToTheHandComputedValuePerChannel() {
        float[] chw = defaults.toChw(GrayImage.filled(90, 70, 128));

        assertThat(chw).hasSize(3 * 224 * 224);
        for (int c = 0; c < 3; c++) {
            float expected = (128f / 255f - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
            // channel 0: (0.50196 - 0.485) / 0.229 = 0.07406
            for (int i = c * 224 * 224; i < (c + 1) * 224 * 224; i++) {
                assertThat(chw[i]).isEqualTo(expected);
            }
        }
        assertThat(chw[0]).isCloseTo(0.07406f, org.assertj.core.api.Assertions.within(1e-4f));
    }

    @Test
    void resize_shouldBringTheShorterSideToTheTargetKeepingTheAspectRatio() {
        GrayImage landscape = defaults.resize(GrayImage.filled(300, 200, 10));
        GrayImage portrait = defaults.resize(GrayImage.filled(200, 301, 10));
        GrayImage nearlySquare = defaults.resize(GrayImage.filled(1000, 999, 10));

        assertThat(landscape.width()).isEqualTo(384);
        assertThat(landscape.height()).isEqualTo(256);
        assertThat(portrait.width()).isEqualTo(256);
        assertThat(portrait.height()).isEqualTo(385); // floor(256 * 301 / 200) = floor(385.28)
        assertThat(nearlySquare.width()).isEqualTo(256);
        assertThat(nearlySquare.height()).isEqualTo(256);
    }

    @Test
    void downscaling_shouldAverageAreasInsteadOfSamplingPixels() {
        // A one-pixel checkerboard: nearest or plain bilinear sampling keeps 0/255 stripes,
        // an antialiased filter averages them to mid grey.
        byte[] pixels = new byte[1024 * 1024];
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024; x++) {
                pixels[y * 1024 + x] = (byte) (((x + y) & 1) == 0 ? 0 : 255);
            }
        }

        GrayImage resized = defaults.resize(new GrayImage(1024, 1024, pixels));

        assertThat(resized.width()).isEqualTo(256);
        for (int i = 0; i < resized.pixels().length; i++) {
            assertThat(resized.pixels()[i] & 0xFF).isBetween(126, 129);
        }
    }

    @Test
    void resize_shouldKeepAGradientMonotonic() {
        byte[] pixels = new byte[640 * 480];
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                pixels[y * 640 + x] = (byte) (x * 255 / 639);
            }
        }

        GrayImage resized = defaults.resize(new GrayImage(640, 480, pixels));

        assertThat(resized.width()).isEqualTo(341);
        for (int x = 1; x < resized.width(); x++) {
            assertThat(resized.get(x, 100)).isGreaterThanOrEqualTo(resized.get(x - 1, 100));
        }
        assertThat(resized.get(170, 100)).isBetween(125, 130);
    }

    @ParameterizedTest
    @CsvSource({"24, resize_pillow_down24.png", "128, resize_pillow_up128.png"})
    void resize_shouldMatchPillowsBilinearWithinOneGreyLevel(int shorterSide, String reference) throws Exception {
        GrayImage source = resource("resize_source.png");
        GrayImage expected = resource(reference);
        Preprocessing preprocessing = Preprocessing.builder().resizeShorterSide(shorterSide).cropSize(16).build();

        GrayImage resized = preprocessing.resize(source);

        assertThat(resized.width()).isEqualTo(expected.width());
        assertThat(resized.height()).isEqualTo(expected.height());
        for (int i = 0; i < expected.pixels().length; i++) {
            assertThat(Math.abs((resized.pixels()[i] & 0xFF) - (expected.pixels()[i] & 0xFF)))
                    .as("pixel %d", i).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void centreCrop_shouldTakeTheMiddleWithTiesToEven() {
        Preprocessing small = Preprocessing.builder().resizeShorterSide(8).cropSize(4).build();
        GrayImage image = numbered(9, 8); // offsets: left round(2.5) = 2, top 2

        GrayImage crop = small.centreCrop(image);

        assertThat(crop.width()).isEqualTo(4);
        assertThat(crop.height()).isEqualTo(4);
        assertThat(crop.get(0, 0)).isEqualTo(image.get(2, 2));
        assertThat(crop.get(3, 3)).isEqualTo(image.get(5, 5));
        assertThatThrownBy(() -> small.centreCrop(numbered(3, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resize it first");
    }

    @Test
    void jsonRoundTrip_shouldGiveAnEqualValueAndIdenticalTensors() {
        Preprocessing custom = Preprocessing.builder()
                .resizeShorterSide(72).cropSize(64).mean(0.5f, 0.4f, 0.3f).std(0.2f, 0.25f, 0.3f).build();
        String json = custom.toJson();

        Preprocessing restored = Preprocessing.fromJson(json);

        assertThat(json).isEqualTo(
                "{\"resizeShorterSide\":72,\"cropSize\":64,\"mean\":[0.5,0.4,0.3],\"std\":[0.2,0.25,0.3]}");
        assertThat(restored).isEqualTo(custom).hasSameHashCodeAs(custom);
        GrayImage scene = TestImages.scene(150, 110);
        assertThat(restored.toChw(scene)).containsExactly(custom.toChw(scene));
        assertThat(Preprocessing.fromJson(defaults.toJson()).toChw(scene)).containsExactly(defaults.toChw(scene));
    }

    @Test
    void jackson_shouldSerialiseItInsideAnotherDocument() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String json = mapper.writeValueAsString(Map.of("preprocessing", defaults));

        Preprocessing restored = mapper.readValue(
                mapper.readTree(json).get("preprocessing").toString(), Preprocessing.class);

        assertThat(restored).isEqualTo(defaults);
    }

    @Test
    void fromJson_shouldNameTheBadOrUnknownField() {
        assertThatThrownBy(() -> Preprocessing.fromJson(
                "{\"resizeShorterSide\":64,\"cropSize\":128,\"mean\":[0.5,0.5,0.5],\"std\":[0.2,0.2,0.2]}"))
                .isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("cropSize");
        assertThatThrownBy(() -> Preprocessing.fromJson("{\"resizeShorterSide\":64,\"cropSize\":32,"
                + "\"mean\":[0.5,0.5,0.5],\"std\":[0.2,0.2,0.2],\"interpolation\":\"bicubic\"}"))
                .isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("interpolation");
        assertThatThrownBy(() -> Preprocessing.fromJson("{\"resizeShorterSide\":64}"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("cropSize");
    }

    @Test
    void builder_shouldRejectInvalidValuesNamingTheField() {
        assertThat(fieldOf(() -> Preprocessing.builder().resizeShorterSide(0).build())).isEqualTo("resizeShorterSide");
        assertThat(fieldOf(() -> Preprocessing.builder().cropSize(300).build())).isEqualTo("cropSize");
        assertThat(fieldOf(() -> Preprocessing.builder().mean(0.5f, 0.5f).build())).isEqualTo("mean");
        assertThat(fieldOf(() -> Preprocessing.builder().mean(0.5f, Float.NaN, 0.5f).build())).isEqualTo("mean");
        assertThat(fieldOf(() -> Preprocessing.builder().std(0.2f, 0f, 0.2f).build())).isEqualTo("std");
    }

    @Test
    void toBuilder_shouldMakeVariationsWithoutChangingTheOriginal() {
        Preprocessing smaller = defaults.toBuilder().resizeShorterSide(64).cropSize(56).build();

        assertThat(smaller.cropSize()).isEqualTo(56);
        assertThat(smaller.mean()).containsExactly(IMAGENET_MEAN);
        assertThat(defaults.cropSize()).isEqualTo(224);
        assertThat(smaller).isNotEqualTo(defaults);
        assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
        float[] mean = defaults.mean();
        mean[0] = 99f;
        assertThat(defaults.mean()[0]).isEqualTo(0.485f);
    }

    private GrayImage resource(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream(name)) {
            return Grayscale.of(ImageDecoder.defaults().decode(in.readAllBytes(), name));
        }
    }

    private static GrayImage numbered(int width, int height) {
        byte[] pixels = new byte[width * height];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        return new GrayImage(width, height, pixels);
    }

    private static String fieldOf(Runnable build) {
        try {
            build.run();
        } catch (InvalidConfigurationException e) {
            return e.field();
        }
        throw new AssertionError("no InvalidConfigurationException");
    }
}
