package io.xray.metrics;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Jackson mapping of a {@code double} that may be NaN (meaning "undefined"): NaN is written as
 * JSON {@code null} and {@code null} (or an absent property) is read back as NaN, so the JSON holds
 * only plain numbers and nulls that any reader understands.
 */
final class NanAsNullJson {
    private NanAsNullJson() {}

    /** Writes NaN as {@code null}, any other value as a number. */
    static final class Serializer extends StdSerializer<Double> {
        private static final long serialVersionUID = 1L;

        Serializer() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            if (value == null || value.isNaN()) {
                gen.writeNull();
            } else {
                gen.writeNumber(value);
            }
        }
    }

    /** Reads {@code null} or an absent value as NaN, a number as itself. */
    static final class Deserializer extends StdDeserializer<Double> {
        private static final long serialVersionUID = 1L;

        Deserializer() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser parser, DeserializationContext context)
                throws IOException {
            return _parseDoublePrimitive(parser, context); // numbers; strings such as "NaN" as Jackson does
        }

        @Override
        public Double getNullValue(DeserializationContext context) {
            return Double.NaN;
        }

        @Override
        public Object getAbsentValue(DeserializationContext context) {
            return Double.NaN;
        }
    }
}
