package io.xray.batch;

import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ConfusionMatrix;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * Draws a 2x2 confusion matrix with plain Java2D: rows are the true class, columns the predicted
 * class, each cell holding its count and its share of the row, shaded by that share.
 */
final class ConfusionMatrixImage {

    static final int WIDTH = 560;
    static final int HEIGHT = 470;
    private static final int CELL = 150;
    private static final int LEFT = 160;
    private static final int TOP = 110;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color DARK = new Color(0x08, 0x30, 0x6b);
    private static final Color LIGHT = new Color(0xf7, 0xfb, 0xff);

    private ConfusionMatrixImage() {}

    /**
     * @param metrics the metrics whose confusion matrix to draw
     * @param modelId shown in the title
     * @return the picture
     */
    static BufferedImage render(BinaryMetrics metrics, String modelId) {
        ConfusionMatrix cm = metrics.confusion();
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(INK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            centre(g, "Confusion matrix", WIDTH / 2, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            centre(g, String.format(Locale.ROOT, "%s, threshold %.4f, %d images", modelId, metrics.threshold(),
                    metrics.count()), WIDTH / 2, 52);

            long[][] counts = {
                {cm.trueNegatives(), cm.falsePositives()},
                {cm.falseNegatives(), cm.truePositives()},
            };
            String[] names = {"NORMAL", "PNEUMONIA"};
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            centre(g, "Predicted", LEFT + CELL, TOP - 30);
            for (int c = 0; c < 2; c++) {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                centre(g, names[c], LEFT + CELL * c + CELL / 2, TOP - 8);
            }
            drawRotated(g, "True", 40, TOP + CELL);
            for (int r = 0; r < 2; r++) {
                long rowTotal = counts[r][0] + counts[r][1];
                g.setColor(INK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                FontMetrics fm = g.getFontMetrics();
                g.drawString(names[r], LEFT - 12 - fm.stringWidth(names[r]), TOP + CELL * r + CELL / 2 + 5);
                for (int c = 0; c < 2; c++) {
                    double share = rowTotal == 0 ? 0 : (double) counts[r][c] / rowTotal;
                    int x = LEFT + CELL * c;
                    int y = TOP + CELL * r;
                    g.setColor(blend(share));
                    g.fillRect(x, y, CELL, CELL);
                    g.setColor(share > 0.5 ? Color.WHITE : INK);
                    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 28));
                    centre(g, Long.toString(counts[r][c]), x + CELL / 2, y + CELL / 2 + 4);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                    centre(g, String.format(Locale.ROOT, "%.1f%% of row", 100 * share), x + CELL / 2, y + CELL / 2 + 28);
                }
            }
            g.setColor(INK);
            g.setStroke(new BasicStroke(1f));
            g.drawRect(LEFT, TOP, 2 * CELL, 2 * CELL);
            g.drawLine(LEFT + CELL, TOP, LEFT + CELL, TOP + 2 * CELL);
            g.drawLine(LEFT, TOP + CELL, LEFT + 2 * CELL, TOP + CELL);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            centre(g, String.format(Locale.ROOT, "accuracy %.3f   precision %.3f   recall %.3f   specificity %.3f   F1 %.3f",
                    metrics.accuracy(), metrics.precision(), metrics.recall(), metrics.specificity(), metrics.f1()),
                    WIDTH / 2, TOP + 2 * CELL + 40);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static Color blend(double share) {
        return new Color(
                (int) Math.round(LIGHT.getRed() + (DARK.getRed() - LIGHT.getRed()) * share),
                (int) Math.round(LIGHT.getGreen() + (DARK.getGreen() - LIGHT.getGreen()) * share),
                (int) Math.round(LIGHT.getBlue() + (DARK.getBlue() - LIGHT.getBlue()) * share));
    }

    private static void centre(Graphics2D g, String text, int x, int baseline) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    private static void drawRotated(Graphics2D g, String text, int x, int y) {
        AffineTransform saved = g.getTransform();
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.rotate(-Math.PI / 2, x, y);
        centre(g, text, x, y + 5);
        g.setTransform(saved);
    }
}
