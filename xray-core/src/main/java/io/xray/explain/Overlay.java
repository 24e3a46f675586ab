package io.xray.explain;

import io.xray.image.GrayImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Draws an X-ray with a heat map over it: each pixel is the X-ray blended half and half with the
 * map's colour (the border outside the model's centre crop has value 0, the lowest colour). A legend on the right
 * shows the colour map from low (bottom) to high (top), with a caption when there is room.
 */
public final class Overlay {

    /** How much of the map's colour goes into an overlaid pixel. */
    static final double OPACITY = 0.5;

    private Overlay() {}

    /**
     * @param xray the image the map explains
     * @param map a heat map of the same size
     * @param colors the colour map
     * @param caption a short text for the legend, such as {@code "Grad-CAM, p=0.93"}; may be empty
     * @return a new RGB image: the overlay, and the legend strip to its right
     * @throws IllegalArgumentException when the sizes differ
     */
    public static BufferedImage render(GrayImage xray, HeatMap map, ColorMap colors, String caption) {
        int width = xray.width();
        int height = xray.height();
        if (map.width() != width || map.height() != height) {
            throw new IllegalArgumentException("the heat map is " + map.width() + "x" + map.height()
                    + " but the image is " + width + "x" + height);
        }
        int legend = Math.max(12, Math.min(120, width / 5));
        BufferedImage out = new BufferedImage(width + legend, height, BufferedImage.TYPE_INT_RGB);
        float[] values = map.values();
        byte[] pixels = xray.pixels();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                int gray = pixels[i] & 0xFF;
                int rgb = (gray << 16) | (gray << 8) | gray;
                rgb = blend(rgb, colors.rgb(values[i]), OPACITY);
                out.setRGB(x, y, rgb);
            }
        }
        drawLegend(out, width, legend, height, colors, caption);
        return out;
    }

    private static void drawLegend(BufferedImage out, int left, int legend, int height, ColorMap colors,
            String caption) {
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(left, 0, legend, height);
            int margin = Math.max(1, legend / 8);
            int fontSize = Math.max(8, Math.min(14, legend / 5));
            boolean text = height >= 96 && legend >= 40;
            int textHeight = text ? fontSize + 4 : 0;
            int barTop = margin + textHeight;
            int barBottom = height - margin - textHeight;
            int barLeft = left + margin;
            int barWidth = Math.max(2, text ? legend / 3 : legend - 2 * margin);
            for (int y = barTop; y < barBottom; y++) {
                double value = barBottom - 1 == barTop ? 1 : (double) (barBottom - 1 - y) / (barBottom - 1 - barTop);
                g.setColor(new Color(colors.rgb(value)));
                g.fillRect(barLeft, y, barWidth, 1);
            }
            if (text) {
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontSize));
                g.setColor(Color.BLACK);
                g.drawString("high", barLeft, barTop - 3);
                g.drawString("low", barLeft, height - margin - 2);
                if (caption != null && !caption.isEmpty()) {
                    // The caption runs up the strip, beside the bar.
                    Graphics2D rotated = (Graphics2D) g.create();
                    rotated.rotate(-Math.PI / 2);
                    rotated.drawString(caption, -barBottom + 2, barLeft + barWidth + fontSize + 2);
                    rotated.dispose();
                }
            }
        } finally {
            g.dispose();
        }
    }

    private static int blend(int base, int color, double alpha) {
        int r = (int) Math.round(((base >> 16) & 0xFF) * (1 - alpha) + ((color >> 16) & 0xFF) * alpha);
        int g = (int) Math.round(((base >> 8) & 0xFF) * (1 - alpha) + ((color >> 8) & 0xFF) * alpha);
        int b = (int) Math.round((base & 0xFF) * (1 - alpha) + (color & 0xFF) * alpha);
        return (r << 16) | (g << 8) | b;
    }

    /**
     * @param image an image
     * @return it encoded as PNG
     */
    public static byte[] toPng(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
