package io.xray.predict;

import io.xray.codec.Npy;
import io.xray.codec.NpyArray;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns a predictor's input into a request body of one content type, like SageMaker's serializers.
 *
 * @param <I> the input type
 */
public interface Serializer<I> {

    /** @return the Content-Type of the bodies this serializer writes */
    String contentType();

    /**
     * @param input the input
     * @return the request body
     */
    byte[] serialize(I input);

    /** @return encoded JPEG bytes sent as they are ({@code image/jpeg}) */
    static Serializer<byte[]> jpeg() {
        return identity("image/jpeg");
    }

    /** @return encoded PNG bytes sent as they are ({@code image/png}) */
    static Serializer<byte[]> png() {
        return identity("image/png");
    }

    /**
     * @param contentType the content type to declare
     * @return bytes sent as they are
     */
    static Serializer<byte[]> identity(String contentType) {
        Objects.requireNonNull(contentType, "contentType");
        return new Serializer<>() {
            @Override
            public String contentType() {
                return contentType;
            }

            @Override
            public byte[] serialize(byte[] input) {
                return Objects.requireNonNull(input, "input");
            }
        };
    }

    /** @return an already-preprocessed tensor as NPY ({@code application/x-npy}) */
    static Serializer<NpyArray> npy() {
        return new Serializer<>() {
            @Override
            public String contentType() {
                return Npy.CONTENT_TYPE;
            }

            @Override
            public byte[] serialize(NpyArray input) {
                return Npy.write(input);
            }
        };
    }

    /** @return an already-preprocessed tensor as nested JSON lists ({@code application/json}) */
    static Serializer<NpyArray> json() {
        return new Serializer<>() {
            @Override
            public String contentType() {
                return "application/json";
            }

            @Override
            public byte[] serialize(NpyArray input) {
                StringBuilder out = new StringBuilder(input.size() * 12);
                appendNested(out, input, input.shape(), 0, 0);
                return out.toString().getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private static int appendNested(StringBuilder out, NpyArray array, int[] shape, int dim, int offset) {
        if (dim == shape.length) {
            double value = array.getDouble(offset);
            out.append(array.dtype() == NpyArray.DType.FLOAT32 ? Float.toString((float) value) : Double.toString(value));
            return offset + 1;
        }
        out.append('[');
        for (int i = 0; i < shape[dim]; i++) {
            if (i > 0) {
                out.append(',');
            }
            offset = appendNested(out, array, shape, dim + 1, offset);
        }
        out.append(']');
        return offset;
    }
}
