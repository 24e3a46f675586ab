package io.xray.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.image.Grayscale;
import io.xray.image.Preprocessing;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The transformer's workers hand the classifier images already resized by the model's
 * preprocessing; the classifier's own preprocessing must then give exactly the tensor it gives
 * for the original image.
 */
class PreResizeTest {

    @Test
    void preprocessingOfAnImageAlreadyResized_shouldEqualPreprocessingOfTheOriginal() {
        Random random = new Random(5);
        int[][] sizes = {{300, 200}, {200, 300}, {257, 257}, {1000, 257}, {37, 90}, {40, 40}, {256, 255}};
        for (Preprocessing preprocessing : new Preprocessing[] {
            Preprocessing.defaults(), Preprocessing.builder().resizeShorterSide(36).cropSize(32).build()
        }) {
            for (int[] size : sizes) {
                for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY}) {
                    BufferedImage original = noise(size[0], size[1], type, random);
                    BufferedImage resized = preprocessing.resize(Grayscale.of(original)).toBufferedImage();

                    assertThat(preprocessing.toChw(resized))
                            .as("%dx%d type %d for %s", size[0], size[1], type, preprocessing)
                            .isEqualTo(preprocessing.toChw(original));
                }
            }
        }
    }

    private static BufferedImage noise(int width, int height, int type, Random random) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    image.getRaster().setSample(x, y, 0, random.nextInt(256));
                } else {
                    image.setRGB(x, y, random.nextInt(0x1000000));
                }
            }
        }
        return image;
    }
}
