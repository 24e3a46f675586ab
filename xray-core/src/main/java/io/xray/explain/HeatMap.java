package io.xray.explain;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;

/**
 * An attribution map at an image's own resolution: one value in {@code [0, 1]} per pixel, 1 where
 * the evidence for the explained class was strongest, 0 where there was none, and 0 outside the
 * centre crop that the model saw. Immutable.
 */
public final class HeatMap {

    private final int width;
    private final int height;
    private final float[] values;
    private final int peakX;
    private final int peakY;

    private HeatMap(int width, int height, float[] values) {
        this.width = width;
        this.height = height;
        this.values = values;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        // The centroid of the pixels at the maximum: bilinear upsampling makes flat plateaus at
        // the border, and the first pixel of a plateau would be its corner, not its middle.
        double sumX = 0;
        double sumY = 0;
        long count = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (values[y * width + x] >= max) {
                    sumX += x;
                    sumY += y;
                    count++;
                }
            }
        }
        this.peakX = (int) Math.round(sumX / count);
        this.peakY = (int) Math.round(sumY / count);
    }

    /**
     * @param width the width, at least 1
     * @param height the height, at least 1
     * @param values row-major values, {@code width * height} of them, each finite and in {@code [0, 1]}
     * @return the map (the array is copied)
     * @throws IllegalArgumentException when the sizes or the values are not as described
     */
    public static HeatMap of(int width, int height, float[] values) {
        if (width < 1 || height < 1 || values == null || (long) width * height != values.length) {
            throw new IllegalArgumentException("a heat map needs width x height values; got " + width + " x " + height
                    + " and " + (values == null ? "none" : values.length + " values"));
        }
        for (float v : values) {
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("heat map values must be in [0, 1], found " + v);
            }
        }
        return new HeatMap(width, height, values.clone());
    }

    /**
     * Projects a coarse, non-negative attribution grid computed on a model's centre crop back onto
     * the original image: each image pixel is mapped through the resize into the crop and sampled
     * from the grid bilinearly (the grid's cells centred on the crop's pixels as
     * {@code F.interpolate(align_corners=False)} does); the values are divided by their
     * maximum, so that it is 1; pixels outside the crop get 0.
     *
     * @param grid the attribution, row-major, {@code gridWidth * gridHeight} non-negative values
     * @param gridWidth its width
     * @param gridHeight its height
     * @param imageWidth the original image's width
     * @param imageHeight the original image's height
     * @param resizedWidth the width after the model's resize
     * @param resizedHeight the height after the model's resize
     * @param cropLeft the crop's left edge in the resized image
     * @param cropTop the crop's top edge in the resized image
     * @param cropSize the crop's side
     * @return the heat map at {@code imageWidth x imageHeight}
     */
    public static HeatMap project(float[] grid, int gridWidth, int gridHeight, int imageWidth, int imageHeight,
            int resizedWidth, int resizedHeight, int cropLeft, int cropTop, int cropSize) {
        if (grid.length != gridWidth * gridHeight) {
            throw new IllegalArgumentException("grid has " + grid.length + " values, expected " + gridWidth + " x "
                    + gridHeight);
        }
        float max = 0f;
        for (float v : grid) {
            if (!Float.isFinite(v) || v < 0f) {
                throw new IllegalArgumentException("attribution values must be finite and non-negative, found " + v);
            }
            max = Math.max(max, v);
        }
        float[] values = new float[Math.multiplyExact(imageWidth, imageHeight)];
        if (max > 0f) {
            double sx = (double) resizedWidth / imageWidth;
            double sy = (double) resizedHeight / imageHeight;
            for (int y = 0; y < imageHeight; y++) {
                double cy = (y + 0.5) * sy - cropTop;
                if (cy < 0 || cy >= cropSize) {
                    continue;
                }
                double gy = cy * gridHeight / cropSize - 0.5;
                for (int x = 0; x < imageWidth; x++) {
                    double cx = (x + 0.5) * sx - cropLeft;
                    if (cx < 0 || cx >= cropSize) {
                        continue;
                    }
                    double gx = cx * gridWidth / cropSize - 0.5;
                    values[y * imageWidth + x] = (float) bilinear(grid, gridWidth, gridHeight, gx, gy);
                }
            }
            // Scaled so that the image's own maximum is 1 (sampling may miss the grid's maximum).
            float projectedMax = 0f;
            for (float v : values) {
                projectedMax = Math.max(projectedMax, v);
            }
            if (projectedMax > 0f) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = Math.min(1f, values[i] / projectedMax);
                }
            }
        }
        return new HeatMap(imageWidth, imageHeight, values);
    }

    private static double bilinear(float[] grid, int w, int h, double gx, double gy) {
        gx = Math.max(0, Math.min(w - 1, gx));
        gy = Math.max(0, Math.min(h - 1, gy));
        int x0 = (int) Math.floor(gx);
        int y0 = (int) Math.floor(gy);
        int x1 = Math.min(w - 1, x0 + 1);
        int y1 = Math.min(h - 1, y0 + 1);
        double fx = gx - x0;
        double fy = gy - y0;
        double top = grid[y0 * w + x0] * (1 - fx) + grid[y0 * w + x1] * fx;
        double bottom = grid[y1 * w + x0] * (1 - fx) + grid[y1 * w + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /** @return the width in pixels */
    public int width() {
        return width;
    }

    /** @return the height in pixels */
    public int height() {
        return height;
    }

    /**
     * @param x column
     * @param y row
     * @return the value at (x, y), in {@code [0, 1]}
     */
    public float value(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("(" + x + ", " + y + ") outside " + width + "x" + height);
        }
        return values[y * width + x];
    }

    /** @return a copy of the values, row-major */
    public float[] values() {
        return values.clone();
    }

    /** @return the column of the map's maximum (the centroid of the pixels that reach it) */
    public int peakX() {
        return peakX;
    }

    /** @return the row of the map's maximum (the centroid of the pixels that reach it) */
    public int peakY() {
        return peakY;
    }

    /** @return the map as an 8-bit gray image, {@code round(255 * value)} */
    public BufferedImage toGrayImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < values.length; i++) {
            target[i] = (byte) Math.round(values[i] * 255f);
        }
        return image;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HeatMap that && width == that.width && height == that.height
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "HeatMap[" + width + "x" + height + ", peak at (" + peakX + ", " + peakY + ")]";
    }
}
