package io.xray.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xray.XrayException;

/** Writes result values as JSON for {@code --json}: one object, on standard output. */
final class JsonOutput {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonOutput() {}

    /**
     * @param value a Jackson-serializable result
     * @return its JSON text
     */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new XrayException("could not write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
