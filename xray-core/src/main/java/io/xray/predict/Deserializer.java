package io.xray.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.codec.Npy;
import io.xray.codec.NpyFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an endpoint's successful response body into a predictor's output, like SageMaker's
 * deserializers. Its {@link #accept()} type is sent as the request's Accept header.
 *
 * @param <O> the output type
 */
public interface Deserializer<O> {

    /** @return the media type asked for in the Accept header */
    String accept();

    /**
     * @param body the response body
     * @param contentType the response's Content-Type
     * @return the output
     * @throws IllegalArgumentException when the body cannot be read
     */
    O deserialize(byte[] body, String contentType);

    /** @return {@code {"predictions": [...]}} JSON as one {@link EndpointPrediction} per image */
    static Deserializer<List<EndpointPrediction>> json() {
        ObjectMapper mapper = new ObjectMapper();
        return new Deserializer<>() {
            @Override
            public String accept() {
                return "application/json";
            }

            @Override
            public List<EndpointPrediction> deserialize(byte[] body, String contentType) {
                JsonNode predictions;
                try {
                    predictions = mapper.readTree(body).path("predictions");
                } catch (IOException e) {
                    throw new IllegalArgumentException("response is not JSON: " + e.getMessage(), e);
                }
                if (!predictions.isArray()) {
                    throw new IllegalArgumentException("response JSON has no 'predictions' list");
                }
                List<EndpointPrediction> out = new ArrayList<>();
                for (JsonNode p : predictions) {
                    if (!p.path("probability").isNumber()) {
                        throw new IllegalArgumentException("prediction without a numeric 'probability': " + p);
                    }
                    out.add(new EndpointPrediction(p.path("label").asText(), p.path("probability").asDouble(),
                            p.path("threshold").asDouble(Double.NaN), p.path("model_id").asText(null)));
                }
                return List.copyOf(out);
            }
        };
    }

    /** @return an NPY response as the probabilities of pneumonia, one per image */
    static Deserializer<double[]> npy() {
        return new Deserializer<>() {
            @Override
            public String accept() {
                return Npy.CONTENT_TYPE;
            }

            @Override
            public double[] deserialize(byte[] body, String contentType) {
                try {
                    return Npy.read(body).toDoubleArray();
                } catch (NpyFormatException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
        };
    }
}
