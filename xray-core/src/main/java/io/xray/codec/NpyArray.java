package io.xray.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable n-dimensional array of float32 or float64 values in C (row-major) order, as read from
 * or written to an NPY payload by {@link Npy}.
 *
 * <p>Values are held in their own precision: {@link #toFloatArray()} and {@link #toDoubleArray()}
 * return fresh copies converted as needed.
 */
public final class NpyArray {

    /** The element types xray reads and writes. */
    public enum DType {
        /** IEEE 754 single precision, NPY descr {@code f4}. */
        FLOAT32(4),
        /** IEEE 754 double precision, NPY descr {@code f8}. */
        FLOAT64(8);

        private final int itemSize;

        DType(int itemSize) {
            this.itemSize = itemSize;
        }

        /** @return the size of one element in bytes */
        public int itemSize() {
            return itemSize;
        }
    }

    private final int[] shape;
    private final DType dtype;
    private final float[] floats;
    private final double[] doubles;

    private NpyArray(int[] shape, DType dtype, float[] floats, double[] doubles) {
        this.shape = shape;
        this.dtype = dtype;
        this.floats = floats;
        this.doubles = doubles;
    }

    /**
     * @param data the values in C order (copied)
     * @param shape the dimensions; their product must equal {@code data.length}; an empty shape is a scalar
     * @return a float32 array
     * @throws IllegalArgumentException when the shape is negative or does not match the data
     */
    public static NpyArray ofFloats(float[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] dims = checkShape(shape, data.length);
        return new NpyArray(dims, DType.FLOAT32, data.clone(), null);
    }

    /**
     * @param data the values in C order (copied)
     * @param shape the dimensions; their product must equal {@code data.length}; an empty shape is a scalar
     * @return a float64 array
     * @throws IllegalArgumentException when the shape is negative or does not match the data
     */
    public static NpyArray ofDoubles(double[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] dims = checkShape(shape, data.length);
        return new NpyArray(dims, DType.FLOAT64, null, data.clone());
    }

    /** Wraps arrays that the caller has just allocated and will not touch again. */
    static NpyArray wrapFloats(float[] data, int[] shape) {
        return new NpyArray(shape.clone(), DType.FLOAT32, data, null);
    }

    static NpyArray wrapDoubles(double[] data, int[] shape) {
        return new NpyArray(shape.clone(), DType.FLOAT64, null, data);
    }

    private static int[] checkShape(int[] shape, int length) {
        Objects.requireNonNull(shape, "shape");
        long product = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            product *= dim;
            if (product > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
            }
        }
        if (product != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + product
                    + " values but the data has " + length);
        }
        return shape.clone();
    }

    /** @return a copy of the dimensions (empty for a scalar) */
    public int[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions */
    public int rank() {
        return shape.length;
    }

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return the number of values (the product of the shape) */
    public int size() {
        return floats != null ? floats.length : doubles.length;
    }

    /**
     * @param index a flat C-order index
     * @return the value, widened to double
     */
    public double getDouble(int index) {
        return floats != null ? floats[index] : doubles[index];
    }

    /** @return a copy of the values as float32 (float64 values are rounded) */
    public float[] toFloatArray() {
        if (floats != null) {
            return floats.clone();
        }
        float[] out = new float[doubles.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) doubles[i];
        }
        return out;
    }

    /** @return a copy of the values as float64 */
    public double[] toDoubleArray() {
        if (doubles != null) {
            return doubles.clone();
        }
        double[] out = new double[floats.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = floats[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof NpyArray that)) {
            return false;
        }
        return dtype == that.dtype && Arrays.equals(shape, that.shape)
                && Arrays.equals(floats, that.floats) && Arrays.equals(doubles, that.doubles);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + dtype.hashCode())
                + (floats != null ? Arrays.hashCode(floats) : Arrays.hashCode(doubles));
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
