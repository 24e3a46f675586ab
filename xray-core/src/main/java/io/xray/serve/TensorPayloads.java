package io.xray.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.xray.codec.Npy;
import io.xray.codec.NpyArray;
import io.xray.codec.NpyFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads already-preprocessed tensors from NPY, JSON (nested lists) and CSV bodies, checking their
 * shape against the model: one image {@code (3, crop, crop)} or a batch {@code (N, 3, crop, crop)}.
 * Every failure is an {@link HttpProblem} with status 400.
 */
final class TensorPayloads {

    /** The deepest JSON a valid body can have: a batch is 4 levels of arrays. */
    static final int MAX_JSON_DEPTH = 8;

    /** The most images one JSON or CSV body may hold (the body size limit usually comes first). */
    static final int MAX_JSON_IMAGES = 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_JSON_DEPTH)
                    .maxNumberLength(64)
                    .maxStringLength(64 * 1024)
                    .build())
            .build();

    private final int cropSize;
    private final int imageSize;

    TensorPayloads(int cropSize) {
        this.cropSize = cropSize;
        this.imageSize = 3 * cropSize * cropSize;
    }

    /** The result of reading a JSON body: either a tensor or a URL to fetch. */
    record JsonBody(float[][] images, String url) {
    }

    float[][] fromNpy(byte[] body) {
        NpyArray array;
        try {
            array = Npy.read(body);
        } catch (NpyFormatException e) {
            throw HttpProblem.badRequest(e.getMessage());
        }
        return split(array.shape(), array.toFloatArray());
    }

    JsonBody fromJson(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                String url = readUrlObject(parser);
                expectEnd(parser);
                return new JsonBody(null, url);
            }
            if (first != JsonToken.START_ARRAY) {
                throw HttpProblem.badRequest("JSON body must be a nested list of numbers or an object {\"url\": ...}");
            }
            int[] shape = {-1, -1, -1, -1, -1};
            FloatList values = new FloatList(imageSize);
            readArray(parser, 0, shape, values);
            expectEnd(parser);
            return new JsonBody(split(Arrays.copyOf(shape, shape[4]), values.toArray()), null);
        } catch (StreamConstraintsException e) {
            throw HttpProblem.badRequest("JSON body exceeds a parser limit (nesting depth at most "
                    + MAX_JSON_DEPTH + "): " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw HttpProblem.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String readUrlObject(JsonParser parser) throws IOException {
        String url = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!"url".equals(name)) {
                throw HttpProblem.badRequest("unexpected field '" + name + "' in JSON object; only {\"url\": \"...\"} is accepted");
            }
            if (value != JsonToken.VALUE_STRING) {
                throw HttpProblem.badRequest("'url' must be a string");
            }
            url = parser.getText();
        }
        if (url == null) {
            throw HttpProblem.badRequest("JSON object has no 'url' field");
        }
        return url;
    }

    private static void expectEnd(JsonParser parser) throws IOException {
        if (parser.nextToken() != null) {
            throw HttpProblem.badRequest("unexpected content after the JSON value");
        }
    }

    /**
     * Reads the array whose START_ARRAY was just consumed. {@code shape[d]} is the length seen for
     * lists at depth d (-1 until the first one ends); {@code shape[4]} is the rank (-1 until the
     * first list of numbers ends). Ragged or mixed lists are refused.
     */
    private void readArray(JsonParser parser, int depth, int[] shape, FloatList values) throws IOException {
        if (depth >= 4) {
            throw HttpProblem.badRequest("JSON tensor has more than 4 dimensions");
        }
        int count = 0;
        boolean numbers = false;
        boolean lists = false;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw HttpProblem.badRequest("malformed JSON: unexpected end of input");
            }
            if (token == JsonToken.START_ARRAY) {
                lists = true;
                readArray(parser, depth + 1, shape, values);
            } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                numbers = true;
                values.add(parser.getFloatValue());
                if (values.size() > MAX_JSON_IMAGES * imageSize) {
                    throw HttpProblem.badRequest("JSON tensor holds more than " + MAX_JSON_IMAGES + " images");
                }
            } else {
                throw HttpProblem.badRequest("JSON tensor may hold only numbers and lists, found " + token);
            }
            if (numbers && lists) {
                throw HttpProblem.badRequest("JSON tensor mixes numbers and lists at depth " + depth);
            }
            count++;
        }
        if (count == 0) {
            throw HttpProblem.badRequest("JSON tensor has an empty list at depth " + depth);
        }
        if (numbers) {
            if (shape[4] == -1) {
                shape[4] = depth + 1;
            } else if (shape[4] != depth + 1) {
                throw HttpProblem.badRequest("JSON tensor is ragged: lists of numbers at different depths");
            }
        }
        if (shape[depth] == -1) {
            shape[depth] = count;
        } else if (shape[depth] != count) {
            throw HttpProblem.badRequest("JSON tensor is ragged: a list at depth " + depth + " has " + count
                    + " items where an earlier one had " + shape[depth]);
        }
    }

    float[][] fromCsv(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        List<float[]> rows = new ArrayList<>();
        int lineNumber = 0;
        for (String line : text.split("\r?\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != imageSize) {
                throw HttpProblem.badRequest(String.format(Locale.ROOT,
                        "CSV line %d has %d values; each line must hold one image of 3x%dx%d = %d values",
                        lineNumber, cells.length, cropSize, cropSize, imageSize));
            }
            float[] row = new float[imageSize];
            for (int i = 0; i < cells.length; i++) {
                try {
                    row[i] = Float.parseFloat(cells[i].trim());
                } catch (NumberFormatException e) {
                    throw HttpProblem.badRequest("CSV line " + lineNumber + " value " + (i + 1) + " is not a number: '"
                            + abbreviate(cells[i]) + "'");
                }
            }
            checkFinite(row, "CSV line " + lineNumber);
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw HttpProblem.badRequest("CSV body holds no rows");
        }
        return rows.toArray(new float[0][]);
    }

    /** Splits a flat C-order tensor of shape (3,c,c) or (N,3,c,c) into one array per image. */
    float[][] split(int[] shape, float[] values) {
        int count;
        if (shape.length == 3 && matchesImage(shape, 0)) {
            count = 1;
        } else if (shape.length == 4 && shape[0] >= 1 && matchesImage(shape, 1)) {
            count = shape[0];
        } else {
            throw HttpProblem.badRequest(String.format(Locale.ROOT,
                    "tensor shape %s does not match the model: expected (3, %d, %d) or (N, 3, %d, %d)",
                    Arrays.toString(shape).replace('[', '(').replace(']', ')'), cropSize, cropSize, cropSize, cropSize));
        }
        float[][] images = new float[count][];
        for (int i = 0; i < count; i++) {
            images[i] = Arrays.copyOfRange(values, i * imageSize, (i + 1) * imageSize);
            checkFinite(images[i], "image " + i);
        }
        return images;
    }

    private boolean matchesImage(int[] shape, int from) {
        return shape[from] == 3 && shape[from + 1] == cropSize && shape[from + 2] == cropSize;
    }

    private static void checkFinite(float[] values, String where) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw HttpProblem.badRequest(where + " holds a non-finite value at index " + i);
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 20 ? text : text.substring(0, 20) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline >= 0 ? message.substring(0, newline) : message;
    }

    /** A growable float array. */
    private static final class FloatList {
        private float[] data;
        private int size;

        FloatList(int capacity) {
            data = new float[Math.max(16, Math.min(capacity, 1 << 20))];
        }

        void add(float value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[size++] = value;
        }

        int size() {
            return size;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
