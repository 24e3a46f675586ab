package io.xray.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the NumPy {@code .npy} format (versions 1.0 and 2.0) for float32 and float64
 * arrays in C order, little- or big-endian.
 *
 * <p>The header dictionary is read by a small strict parser of the few Python literals the format
 * uses (dict, tuple, string, integer, {@code True}/{@code False}); nothing is ever evaluated or
 * unpickled. Object arrays ({@code '|O'}), structured dtypes, integer or other dtypes, Fortran order
 * and versions other than 1.0 and 2.0 are refused with an {@link NpyFormatException} that says why.
 * The product of the declared shape times the item size must equal the number of bytes after the
 * header exactly; this is checked before any array is allocated, so a header declaring a huge shape
 * costs nothing.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class Npy {

    /** The {@code application/x-npy} media type. */
    public static final String CONTENT_TYPE = "application/x-npy";

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER_LENGTH = 64 * 1024;
    private static final int ALIGNMENT = 64;

    private Npy() {
    }

    /**
     * Parses an NPY payload.
     *
     * @param bytes the whole payload (not modified)
     * @return the array
     * @throws NpyFormatException when the payload is not a supported, consistent NPY array
     */
    public static NpyArray read(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < MAGIC.length + 2) {
            throw new NpyFormatException("payload of " + bytes.length + " bytes is too short to be NPY");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new NpyFormatException("bad magic: does not start with \\x93NUMPY");
            }
        }
        int major = bytes[6] & 0xFF;
        int minor = bytes[7] & 0xFF;
        int headerLengthSize;
        if (major == 1 && minor == 0) {
            headerLengthSize = 2;
        } else if (major == 2 && minor == 0) {
            headerLengthSize = 4;
        } else {
            throw new NpyFormatException("unsupported version " + major + "." + minor + " (1.0 and 2.0 are supported)");
        }
        int prefix = 8 + headerLengthSize;
        if (bytes.length < prefix) {
            throw new NpyFormatException("payload ends inside the header length field");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = headerLengthSize == 2
                ? Short.toUnsignedInt(buffer.getShort(8))
                : Integer.toUnsignedLong(buffer.getInt(8));
        if (headerLength > MAX_HEADER_LENGTH) {
            throw new NpyFormatException("header of " + headerLength + " bytes exceeds the limit of " + MAX_HEADER_LENGTH);
        }
        if (prefix + headerLength > bytes.length) {
            throw new NpyFormatException("header declares " + headerLength + " bytes but the payload ends after "
                    + (bytes.length - prefix));
        }
        int dataOffset = (int) (prefix + headerLength);
        String headerText = new String(bytes, prefix, (int) headerLength, StandardCharsets.ISO_8859_1);
        Header header = Header.parse(headerText);

        long expected = header.byteLength();
        long actual = bytes.length - dataOffset;
        if (expected != actual) {
            throw new NpyFormatException("shape " + Arrays.toString(header.shape) + " of " + header.dtype
                    + " needs " + expected + " data bytes but the payload has " + actual);
        }
        int count = (int) (expected / header.dtype.itemSize());
        ByteBuffer data = ByteBuffer.wrap(bytes, dataOffset, (int) actual).slice().order(header.order);
        if (header.dtype == NpyArray.DType.FLOAT32) {
            float[] values = new float[count];
            data.asFloatBuffer().get(values);
            return NpyArray.wrapFloats(values, header.shape);
        }
        double[] values = new double[count];
        data.asDoubleBuffer().get(values);
        return NpyArray.wrapDoubles(values, header.shape);
    }

    /**
     * Writes an array as little-endian NPY (version 1.0, or 2.0 when the header would not fit).
     *
     * @param array the array
     * @return the payload
     */
    public static byte[] write(NpyArray array) {
        return write(array, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Writes an array as NPY with the given byte order (version 1.0, or 2.0 when the header would not fit).
     *
     * @param array the array
     * @param order {@link ByteOrder#LITTLE_ENDIAN} ({@code '<'}) or {@link ByteOrder#BIG_ENDIAN} ({@code '>'})
     * @return the payload
     */
    public static byte[] write(NpyArray array, ByteOrder order) {
        Objects.requireNonNull(array, "array");
        Objects.requireNonNull(order, "order");
        String descr = (order == ByteOrder.LITTLE_ENDIAN ? "<" : ">")
                + (array.dtype() == NpyArray.DType.FLOAT32 ? "f4" : "f8");
        int[] shape = array.shape();
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            dims.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        if (shape.length == 1) {
            dims.append(',');
        }
        dims.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
        int version = 1;
        int prefix = 10;
        int unpadded = prefix + dict.length() + 1;
        if (unpadded + ALIGNMENT > 65535 + prefix) {
            version = 2;
            prefix = 12;
            unpadded = prefix + dict.length() + 1;
        }
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String header = dict + " ".repeat(padding) + "\n";
        byte[] headerBytes = header.getBytes(StandardCharsets.ISO_8859_1);

        int itemSize = array.dtype().itemSize();
        long total = prefix + headerBytes.length + (long) array.size() * itemSize;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(array + " is too large for one NPY byte array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        out.put(MAGIC).put((byte) version).put((byte) 0);
        out.order(ByteOrder.LITTLE_ENDIAN);
        if (version == 1) {
            out.putShort((short) headerBytes.length);
        } else {
            out.putInt(headerBytes.length);
        }
        out.put(headerBytes);
        out.order(order);
        if (array.dtype() == NpyArray.DType.FLOAT32) {
            out.asFloatBuffer().put(array.toFloatArray());
        } else {
            out.asDoubleBuffer().put(array.toDoubleArray());
        }
        return out.array();
    }

    /** The three keys of an NPY header, validated. */
    private static final class Header {
        private final NpyArray.DType dtype;
        private final ByteOrder order;
        private final int[] shape;

        private Header(NpyArray.DType dtype, ByteOrder order, int[] shape) {
            this.dtype = dtype;
            this.order = order;
            this.shape = shape;
        }

        long byteLength() {
            long product = dtype.itemSize();
            for (int dim : shape) {
                product = Math.multiplyExact(product, (long) dim); // dims are ints: cannot overflow before the check below
                if (product > Integer.MAX_VALUE) {
                    throw new NpyFormatException("shape " + Arrays.toString(shape) + " declares more than "
                            + Integer.MAX_VALUE + " bytes of data");
                }
            }
            return product;
        }

        static Header parse(String text) {
            Object parsed = new LiteralParser(text).parseHeader();
            if (!(parsed instanceof Map<?, ?> dict)) {
                throw new NpyFormatException("header is not a dictionary");
            }
            for (Object key : dict.keySet()) {
                if (!"descr".equals(key) && !"fortran_order".equals(key) && !"shape".equals(key)) {
                    throw new NpyFormatException("unexpected header key '" + key + "'");
                }
            }
            Object descr = require(dict, "descr");
            Object fortran = require(dict, "fortran_order");
            Object shapeValue = require(dict, "shape");

            if (descr instanceof List) {
                throw new NpyFormatException("structured dtypes are not supported (descr is a list of fields)");
            }
            if (!(descr instanceof String d)) {
                throw new NpyFormatException("'descr' must be a string");
            }
            if (!(fortran instanceof Boolean f)) {
                throw new NpyFormatException("'fortran_order' must be True or False");
            }
            if (f) {
                throw new NpyFormatException("fortran_order True is not supported; write the array in C order");
            }
            if (!(shapeValue instanceof Tuple tuple)) {
                throw new NpyFormatException("'shape' must be a tuple of integers");
            }
            int[] shape = new int[tuple.items.size()];
            for (int i = 0; i < shape.length; i++) {
                Object dim = tuple.items.get(i);
                if (!(dim instanceof Long value) || value < 0 || value > Integer.MAX_VALUE) {
                    throw new NpyFormatException("'shape' must hold non-negative integers, found " + dim);
                }
                shape[i] = (int) (long) value;
            }
            return parseDescr(d, shape);
        }

        private static Header parseDescr(String descr, int[] shape) {
            if (descr.length() >= 2 && descr.substring(1).startsWith("O")) {
                throw new NpyFormatException("object arrays ('" + descr + "') are refused: they need unpickling");
            }
            if (descr.length() != 3) {
                throw new NpyFormatException("unsupported dtype '" + descr + "' (supported: '<f4', '>f4', '<f8', '>f8')");
            }
            ByteOrder order;
            switch (descr.charAt(0)) {
                case '<' -> order = ByteOrder.LITTLE_ENDIAN;
                case '>' -> order = ByteOrder.BIG_ENDIAN;
                default -> throw new NpyFormatException("unsupported byte order in dtype '" + descr
                        + "' (use '<' or '>')");
            }
            NpyArray.DType dtype = switch (descr.substring(1)) {
                case "f4" -> NpyArray.DType.FLOAT32;
                case "f8" -> NpyArray.DType.FLOAT64;
                default -> throw new NpyFormatException("unsupported dtype '" + descr
                        + "' (supported: '<f4', '>f4', '<f8', '>f8')");
            };
            return new Header(dtype, order, shape);
        }

        private static Object require(Map<?, ?> dict, String key) {
            if (!dict.containsKey(key)) {
                throw new NpyFormatException("header has no '" + key + "' key");
            }
            return dict.get(key);
        }
    }

    /** A parsed Python tuple, kept apart from a list because NPY uses both differently. */
    private record Tuple(List<Object> items) {
    }

    /**
     * A strict recursive-descent parser for the Python literals that appear in an NPY header:
     * dict, list, tuple, single- or double-quoted string without escapes, integer, True, False.
     */
    private static final class LiteralParser {
        private static final int MAX_DEPTH = 8;
        private final String text;
        private int pos;

        LiteralParser(String text) {
            this.text = text;
        }

        Object parseHeader() {
            Object value = parseValue(0);
            skipWhitespace();
            if (pos != text.length()) {
                throw error("unexpected text after the dictionary");
            }
            return value;
        }

        private Object parseValue(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            skipWhitespace();
            if (pos >= text.length()) {
                throw error("unexpected end of header");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{':
                    return parseDict(depth);
                case '(':
                    return new Tuple(parseSequence('(', ')', depth));
                case '[':
                    return parseSequence('[', ']', depth);
                case '\'':
                case '"':
                    return parseString();
                default:
                    if (c == '-' || Character.isDigit(c)) {
                        return parseInteger();
                    }
                    if (text.startsWith("True", pos)) {
                        pos += 4;
                        return Boolean.TRUE;
                    }
                    if (text.startsWith("False", pos)) {
                        pos += 5;
                        return Boolean.FALSE;
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        private Map<String, Object> parseDict(int depth) {
            expect('{');
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            while (peek() != '}') {
                skipWhitespace();
                char quote = peek();
                if (quote != '\'' && quote != '"') {
                    throw error("dictionary keys must be strings");
                }
                String key = parseString();
                skipWhitespace();
                expect(':');
                Object value = parseValue(depth + 1);
                if (map.put(key, value) != null) {
                    throw error("duplicate key '" + key + "'");
                }
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    skipWhitespace();
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            expect('}');
            return map;
        }

        private List<Object> parseSequence(char open, char close, int depth) {
            expect(open);
            List<Object> items = new ArrayList<>();
            skipWhitespace();
            while (peek() != close) {
                items.add(parseValue(depth + 1));
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    skipWhitespace();
                } else if (peek() != close) {
                    throw error("expected ',' or '" + close + "'");
                }
            }
            expect(close);
            return items;
        }

        private String parseString() {
            char quote = text.charAt(pos++);
            int start = pos;
            while (pos < text.length() && text.charAt(pos) != quote) {
                if (text.charAt(pos) == '\\') {
                    throw error("escape sequences are not supported in strings");
                }
                pos++;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            return text.substring(start, pos++);
        }

        private Long parseInteger() {
            int start = pos;
            if (text.charAt(pos) == '-') {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos < text.length() && text.charAt(pos) == 'L') {
                pos++; // Python 2 long suffix, written by old NumPy versions
            }
            String digits = text.substring(start, pos).replace("L", "");
            if (digits.isEmpty() || "-".equals(digits) || digits.length() > 18) {
                throw error("bad integer '" + text.substring(start, pos) + "'");
            }
            return Long.parseLong(digits);
        }

        private char peek() {
            if (pos >= text.length()) {
                throw error("unexpected end of header");
            }
            return text.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void skipWhitespace() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\n'
                    || text.charAt(pos) == '\t' || text.charAt(pos) == '\r')) {
                pos++;
            }
        }

        private NpyFormatException error(String reason) {
            return new NpyFormatException("malformed header at character " + pos + ": " + reason);
        }
    }
}
