package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.StringJoiner;

/** Loopback HTTP helpers for server tests. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Http() {
    }

    static HttpResponse<byte[]> post(int port, String contentType, String accept, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request.build());
    }

    static HttpResponse<byte[]> get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build());
    }

    static HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(response.body(), StandardCharsets.UTF_8), e);
        }
    }

    /** Raw exchange over a socket: writes {@code head} (and nothing more), returns what the server answers. */
    static String raw(int port, String head) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readResponse(socket.getInputStream());
        }
    }

    /** Reads one response (headers and a Content-Length body) or until the server closes. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int contentLength = -1;
        int headerEnd = -1;
        int b;
        while ((b = in.read()) != -1) {
            out.write(b);
            if (headerEnd < 0) {
                String text = out.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r\n\r\n")) {
                    headerEnd = out.size();
                    for (String line : text.split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            contentLength = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    if (contentLength == 0) {
                        break;
                    }
                }
            } else if (contentLength >= 0 && out.size() - headerEnd >= contentLength) {
                break;
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * @param crop the images' width and height
     * @param images CHW tensors of {@code 3 * crop * crop} values
     * @return the batch as the nested JSON arrays {@code [image][channel][row][column]} that
     *     {@code /invocations} takes as {@code application/json}
     */
    static String tensorJson(int crop, float[]... images) {
        StringJoiner batch = new StringJoiner(",", "[", "]");
        for (float[] image : images) {
            StringJoiner channels = new StringJoiner(",", "[", "]");
            for (int c = 0; c < 3; c++) {
                StringJoiner rows = new StringJoiner(",", "[", "]");
                for (int y = 0; y < crop; y++) {
                    StringJoiner row = new StringJoiner(",", "[", "]");
                    for (int x = 0; x < crop; x++) {
                        row.add(Float.toString(image[(c * crop + y) * crop + x]));
                    }
                    rows.add(row.toString());
                }
                channels.add(rows.toString());
            }
            batch.add(channels.toString());
        }
        return batch.toString();
    }

    /**
     * @param image a CHW tensor
     * @return its values as one CSV line, without the line end
     */
    static String tensorCsv(float[] image) {
        StringJoiner line = new StringJoiner(",");
        for (float v : image) {
            line.add(Float.toString(v));
        }
        return line.toString();
    }

    /**
     * @param response an answer of {@code /invocations}
     * @return its only prediction, after checking the answer is a 200 with exactly one
     */
    static JsonNode onlyPrediction(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        JsonNode predictions = json(response).get("predictions");
        assertThat(predictions).hasSize(1);
        return predictions.get(0);
    }

    /**
     * @param response an answer of {@code /invocations}
     * @return the probability of its only prediction, see {@link #onlyPrediction}
     */
    static double probability(HttpResponse<byte[]> response) {
        return onlyPrediction(response).get("probability").asDouble();
    }
}
