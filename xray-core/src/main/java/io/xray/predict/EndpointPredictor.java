package io.xray.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import io.xray.serve.InferenceModel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Calls a model the way a client calls a SageMaker endpoint, mirroring the SageMaker Python SDK's
 * {@code Predictor}/{@code ImagePredictor}: a {@link Serializer} writes the request body, a
 * {@link Deserializer} reads the answer, and an {@link EndpointTransport} carries it, in-process
 * or over HTTP to any {@code /invocations} URL. The defaults are those of {@code ImagePredictor}
 * with a JSON answer: JPEG bytes in, {@link EndpointPrediction}s out.
 *
 * <pre>{@code
 * try (EndpointPredictor<byte[], List<EndpointPrediction>> predictor = EndpointPredictor.builder()
 *         .http(URI.create("http://localhost:8080/invocations"))
 *         .build()) {
 *     EndpointPrediction p = predictor.predict(Files.readAllBytes(xray)).get(0);
 * }
 * // tensors in, probabilities out:
 * EndpointPredictor<NpyArray, double[]> tensors = EndpointPredictor.builder().inProcess(model)
 *         .serializer(Serializer.npy()).deserializer(Deserializer.npy()).build();
 * }</pre>
 *
 * <p>Closing the predictor closes its transport; a model passed to {@link Builder#inProcess} is
 * never closed. Thread-safe when the transport is (both built-in ones are).
 *
 * @param <I> what {@link #predict} takes
 * @param <O> what {@link #predict} returns
 */
public final class EndpointPredictor<I, O> implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EndpointTransport transport;
    private final Serializer<I> serializer;
    private final Deserializer<O> deserializer;

    private EndpointPredictor(Builder<I, O> builder) {
        this.transport = builder.transport;
        this.serializer = builder.serializer;
        this.deserializer = builder.deserializer;
    }

    /** @return a builder with a JPEG serializer and a JSON deserializer; choose a transport */
    public static Builder<byte[], List<EndpointPrediction>> builder() {
        return new Builder<>(null, Serializer.jpeg(), Deserializer.json());
    }

    /**
     * Serializes, sends and deserializes one request.
     *
     * @param input the input, for example JPEG bytes or a preprocessed tensor
     * @return the deserialized answer
     * @throws EndpointException when the endpoint answers a non-2xx status (with its message and
     *     status), cannot be reached, or answers a body the deserializer cannot read
     */
    public O predict(I input) {
        byte[] body = serializer.serialize(input);
        EndpointTransport.Response response = transport.invoke(body, serializer.contentType(), deserializer.accept());
        if (response.status() < 200 || response.status() >= 300) {
            throw new EndpointException(transport.toString(), response.status(), errorMessage(response.body()));
        }
        try {
            return deserializer.deserialize(response.body(), response.contentType());
        } catch (IllegalArgumentException e) {
            throw new EndpointException(transport.toString(), "cannot read the response: " + e.getMessage(), e);
        }
    }

    /** @return the serializer's content type */
    public String contentType() {
        return serializer.contentType();
    }

    /** @return the deserializer's accept type */
    public String accept() {
        return deserializer.accept();
    }

    private static String errorMessage(byte[] body) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.hasNonNull("message")) {
                return json.get("message").asText();
            }
        } catch (Exception notJson) {
            // fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    /** Closes the transport. */
    @Override
    public void close() {
        transport.close();
    }

    /**
     * Builds an {@link EndpointPredictor}; the type parameters follow the serializer and
     * deserializer chosen.
     *
     * @param <I> the input type
     * @param <O> the output type
     */
    public static final class Builder<I, O> {
        private EndpointTransport transport;
        private Serializer<I> serializer;
        private Deserializer<O> deserializer;
        private Duration timeout = Duration.ofSeconds(60);
        private URI httpUrl;

        private Builder(EndpointTransport transport, Serializer<I> serializer, Deserializer<O> deserializer) {
            this.transport = transport;
            this.serializer = serializer;
            this.deserializer = deserializer;
        }

        /**
         * @param model a model in this JVM, called through the server's own decoding and encoding; not closed
         * @return this builder
         */
        public Builder<I, O> inProcess(InferenceModel model) {
            this.transport = EndpointTransport.inProcess(Objects.requireNonNull(model, "model"));
            this.httpUrl = null;
            return this;
        }

        /**
         * @param invocationsUrl the full URL of an {@code /invocations} endpoint
         * @return this builder
         */
        public Builder<I, O> http(URI invocationsUrl) {
            this.httpUrl = Objects.requireNonNull(invocationsUrl, "invocationsUrl");
            this.transport = null;
            return this;
        }

        /**
         * @param timeout the time limit of each HTTP call, default 60 s
         * @return this builder
         */
        public Builder<I, O> timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new InvalidConfigurationException("timeout", "must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param transport any transport (such as the SageMaker runtime one); closed with the predictor
         * @return this builder
         */
        public Builder<I, O> transport(EndpointTransport transport) {
            this.transport = transport;
            this.httpUrl = null;
            return this;
        }

        /**
         * @param serializer how to write the request body
         * @param <J> the new input type
         * @return this builder, retyped
         */
        public <J> Builder<J, O> serializer(Serializer<J> serializer) {
            return new Builder<>(transport, serializer, deserializer).with(timeout, httpUrl);
        }

        /**
         * @param deserializer how to read the answer
         * @param <P> the new output type
         * @return this builder, retyped
         */
        public <P> Builder<I, P> deserializer(Deserializer<P> deserializer) {
            return new Builder<>(transport, serializer, deserializer).with(timeout, httpUrl);
        }

        private Builder<I, O> with(Duration timeout, URI httpUrl) {
            this.timeout = timeout;
            this.httpUrl = httpUrl;
            return this;
        }

        /**
         * @return the predictor
         * @throws InvalidConfigurationException naming {@code transport}, {@code serializer} or {@code deserializer} when unset
         */
        public EndpointPredictor<I, O> build() {
            if (httpUrl != null) {
                try {
                    transport = EndpointTransport.http(httpUrl, timeout);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigurationException("http", e.getMessage());
                }
            }
            if (transport == null) {
                throw new InvalidConfigurationException("transport", "choose inProcess(model), http(url) or transport(...)");
            }
            if (serializer == null) {
                throw new InvalidConfigurationException("serializer", "must not be null");
            }
            if (deserializer == null) {
                throw new InvalidConfigurationException("deserializer", "must not be null");
            }
            return new EndpointPredictor<>(this);
        }
    }
}
