package io.xray.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.InvalidImageException;
import io.xray.codec.Npy;
import io.xray.codec.NpyArray;
import io.xray.codec.PredictionsJson;
import io.xray.image.ImageDecoder;
import io.xray.model.Explanation;
import io.xray.model.Prediction;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /invocations} wire contract as a plain function: request bytes, Content-Type and
 * Accept in; status, Content-Type and response bytes out. {@link ModelServer} uses the same
 * decoding and encoding, and the in-process transport of {@code EndpointPredictor} calls
 * {@link #invoke} directly, so both answer byte-for-byte alike.
 *
 * <p>Errors are answered, never thrown: a 4xx status with the JSON body
 * {@code {"status": N, "error": "...", "message": "..."}}. URL bodies are refused with 403 here
 * (only the server fetches URLs, under its {@link UrlFetchPolicy}).
 *
 * <p>Instances are thread-safe when the model is; {@link #invoke} runs the model on the calling
 * thread, without batching.
 */
public final class Invocations {

    /** Label for probabilities at or above the model's threshold. */
    public static final String PNEUMONIA = "PNEUMONIA";
    /** Label for probabilities below the model's threshold. */
    public static final String NORMAL = "NORMAL";

    private static final Logger LOG = LoggerFactory.getLogger(Invocations.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InferenceModel model;
    private final ImageDecoder decoder;
    private final TensorPayloads payloads;
    private final UrlFetcher urlFetcher;

    Invocations(InferenceModel model, ImageDecoder decoder, UrlFetcher urlFetcher) {
        this.model = Objects.requireNonNull(model, "model");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.payloads = new TensorPayloads(model.preprocessing().cropSize());
        this.urlFetcher = urlFetcher;
    }

    /**
     * @param model the model to call; not closed by this object
     * @return the contract over this model with the default {@link ImageDecoder} limits
     */
    public static Invocations of(InferenceModel model) {
        return new Invocations(model, ImageDecoder.defaults(), null);
    }

    /**
     * @param model the model to call; not closed by this object
     * @param decoder the decoder and its limits for image bodies
     * @return the contract over this model
     */
    public static Invocations of(InferenceModel model, ImageDecoder decoder) {
        return new Invocations(model, decoder, null);
    }

    /**
     * One answer of the contract.
     *
     * @param status the HTTP status
     * @param contentType the media type of {@code body}
     * @param body the response bytes
     */
    public record Response(int status, String contentType, byte[] body) {
        /** @return the body as UTF-8 text, for JSON answers and error messages */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Response that && status == that.status
                    && contentType.equals(that.contentType) && Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * status + contentType.hashCode()) + Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            return "Response[" + status + " " + contentType + ", " + body.length + " bytes]";
        }
    }

    /**
     * Runs one invocation synchronously.
     *
     * @param body the request body
     * @param contentType the request Content-Type (parameters and case ignored)
     * @param accept the Accept header, or null for JSON
     * @return the answer: 200 with predictions, or a 4xx/5xx with a JSON error body
     */
    public Response invoke(byte[] body, String contentType, String accept) {
        return invoke(body, contentType, accept, false);
    }

    /**
     * Runs one invocation synchronously, with or without an explanation. {@code Accept: image/png}
     * always asks for one and answers the overlay PNG
     * ({@link io.xray.model.Explanation#overlayPng()}); {@code application/json} with
     * {@code explain} adds to the prediction an {@code explanation} object: {@code method},
     * {@code layer} and {@code heat_map_png}, the heat map as a base64 gray PNG at the image's
     * resolution. Explanations need an image body ({@code image/jpeg}, {@code image/png}, or a
     * JSON {@code url} the server may fetch): 415 otherwise; {@code application/x-npy} cannot
     * carry one: 406.
     *
     * @param body the request body
     * @param contentType the request Content-Type (parameters and case ignored)
     * @param accept the Accept header, or null for JSON
     * @param explain true for {@code ?explain=true} or the custom attribute {@code explain=true}
     * @return the answer: 200 with predictions (and the explanation), or a 4xx/5xx with a JSON error body
     */
    public Response invoke(byte[] body, String contentType, String accept, boolean explain) {
        try {
            String requestType = requestType(contentType);
            String responseType = responseType(accept);
            if (body == null || body.length == 0) {
                throw HttpProblem.badRequest("empty request body (0 bytes)");
            }
            if (explain || MediaTypes.PNG.equals(responseType)) {
                return new Response(200, responseType, explain(body, requestType, responseType));
            }
            double[] probabilities = model.predictProbabilities(parse(body, requestType));
            return new Response(200, responseType, encode(probabilities, responseType));
        } catch (HttpProblem problem) {
            return new Response(problem.status(), MediaTypes.JSON, problemJson(problem));
        } catch (RuntimeException e) {
            LOG.error("model failure", e);
            HttpProblem problem = new HttpProblem(500, "model failed: " + e.getClass().getSimpleName());
            return new Response(500, MediaTypes.JSON, problemJson(problem));
        }
    }

    /** @return the model this contract calls */
    public InferenceModel model() {
        return model;
    }

    // ------------------------------------------------------------------ shared with ModelServer

    /** The bare request type, or a 415 problem. */
    static String requestType(String header) {
        String type = MediaTypes.essence(header);
        if (type == null) {
            throw new HttpProblem(415, "missing Content-Type; supported: " + String.join(", ", MediaTypes.REQUEST_TYPES));
        }
        if (!MediaTypes.REQUEST_TYPES.contains(type)) {
            throw new HttpProblem(415, "unsupported Content-Type '" + type + "'; supported: "
                    + String.join(", ", MediaTypes.REQUEST_TYPES));
        }
        return type;
    }

    /** The response type for an Accept header, or a 406 problem. */
    static String responseType(String accept) {
        String type = MediaTypes.negotiate(accept);
        if (type == null) {
            throw new HttpProblem(406, "cannot answer with Accept '" + accept + "'; supported: "
                    + String.join(", ", MediaTypes.RESPONSE_TYPES));
        }
        return type;
    }

    /**
     * Explains an image body and encodes the answer: the overlay PNG for {@code image/png}, the
     * prediction with an {@code explanation} object for JSON. Runs on the calling thread.
     */
    byte[] explain(byte[] body, String requestType, String responseType) {
        BufferedImage image = explanationImage(body, requestType, responseType);
        Explanation explanation;
        try {
            explanation = model.explain(image);
        } catch (UnsupportedOperationException e) {
            throw new HttpProblem(501, e.getMessage());
        } catch (InvalidImageException e) {
            throw HttpProblem.badRequest(e.getMessage());
        }
        return encodeExplanation(explanation, responseType);
    }

    /** Checks that an explanation can be answered as {@code responseType} and decodes the image to explain. */
    BufferedImage explanationImage(byte[] body, String requestType, String responseType) {
        if (MediaTypes.NPY.equals(responseType)) {
            throw new HttpProblem(406, "an explanation cannot be answered as " + MediaTypes.NPY
                    + "; ask for application/json or image/png");
        }
        BufferedImage image = switch (requestType) {
            case MediaTypes.JPEG, MediaTypes.PNG -> decodeDeclared(body, requestType);
            case MediaTypes.JSON -> {
                TensorPayloads.JsonBody json = payloads.fromJson(body);
                if (json.url() == null) {
                    throw new HttpProblem(415, "an explanation needs an image, not a tensor: send image/jpeg or"
                            + " image/png (or a JSON url)");
                }
                if (urlFetcher == null) {
                    throw new HttpProblem(403, "URL fetching is disabled on this server; send the image bytes instead");
                }
                yield decode(urlFetcher.fetch(json.url()), json.url());
            }
            default -> throw new HttpProblem(415, "an explanation needs an image, not " + requestType
                    + ": send image/jpeg or image/png");
        };
        return image;
    }

    /** The overlay PNG, or the prediction JSON with an {@code explanation} object. */
    byte[] encodeExplanation(Explanation explanation, String responseType) {
        if (MediaTypes.PNG.equals(responseType)) {
            return explanation.overlayPng();
        }
        ObjectNode answer;
        try {
            answer = (ObjectNode) JSON.readTree(PredictionsJson.write(List.of(explanation.prediction()), model.modelId()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ObjectNode detail = ((ObjectNode) answer.get("predictions").get(0)).putObject("explanation");
        detail.put("method", explanation.method().id());
        detail.put("layer", explanation.method().layer());
        detail.put("width", explanation.heatMap().width());
        detail.put("height", explanation.heatMap().height());
        detail.put("heat_map_png", Base64.getEncoder().encodeToString(explanation.heatMapPng()));
        return answer.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes an image body as the format its Content-Type declares: bytes that are another format
     * get a 415 naming both, bytes of no known image format a 400.
     */
    private BufferedImage decodeDeclared(byte[] body, String requestType) {
        String detected = ImageSniffer.detect(body);
        if (!requestType.equals(detected)) {
            String declared = requestType.equals(MediaTypes.JPEG) ? "JPEG" : "PNG";
            if (detected == null) {
                throw HttpProblem.badRequest("the body is declared " + requestType + " but is not a " + declared
                        + " image: unrecognised image format (it starts with " + ImageSniffer.head(body) + ")");
            }
            boolean supported = MediaTypes.REQUEST_TYPES.contains(detected);
            throw new HttpProblem(415, "the body is declared " + requestType + " but its bytes are " + detected
                    + (supported ? "; send it with Content-Type: " + detected
                            : ", which this server does not read; send image/jpeg or image/png"));
        }
        return decode(body, "request body");
    }

    /** Decodes a body of a supported type into preprocessed images; 400/403 problems otherwise. */
    float[][] parse(byte[] body, String requestType) {
        return switch (requestType) {
            case MediaTypes.JPEG, MediaTypes.PNG -> new float[][] {preprocess(decodeDeclared(body, requestType))};
            case MediaTypes.NPY -> payloads.fromNpy(body);
            case MediaTypes.CSV -> payloads.fromCsv(body);
            case MediaTypes.JSON -> {
                TensorPayloads.JsonBody json = payloads.fromJson(body);
                if (json.url() == null) {
                    yield json.images();
                }
                if (urlFetcher == null) {
                    throw new HttpProblem(403, "URL fetching is disabled on this server; send the image bytes instead");
                }
                byte[] fetched = urlFetcher.fetch(json.url());
                yield new float[][] {preprocess(decode(fetched, json.url()))};
            }
            default -> throw new HttpProblem(415, "unsupported Content-Type '" + requestType + "'");
        };
    }

    /** Encodes probabilities as JSON predictions or an NPY float64 vector. */
    byte[] encode(double[] probabilities, String responseType) {
        if (MediaTypes.NPY.equals(responseType)) {
            return Npy.write(NpyArray.ofDoubles(probabilities, probabilities.length));
        }
        double threshold = model.threshold();
        List<Prediction> predictions = new ArrayList<>(probabilities.length);
        for (double probability : probabilities) {
            predictions.add(Prediction.of(probability, threshold));
        }
        return PredictionsJson.write(predictions, model.modelId());
    }

    static byte[] problemJson(HttpProblem problem) {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", problem.status());
        body.put("error", reason(problem.status()));
        body.put("message", problem.getMessage());
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private BufferedImage decode(byte[] bytes, String source) {
        try {
            return decoder.decode(bytes, source);
        } catch (InvalidImageException e) {
            throw HttpProblem.badRequest(e.getMessage());
        }
    }

    private float[] preprocess(BufferedImage image) {
        try {
            return model.preprocessing().toChw(image);
        } catch (InvalidImageException e) {
            throw HttpProblem.badRequest(e.getMessage());
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 408 -> "Request Timeout";
            case 413 -> "Payload Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 501 -> "Not Implemented";
            case 431 -> "Request Header Fields Too Large";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
