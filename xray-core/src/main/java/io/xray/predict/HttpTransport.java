package io.xray.predict;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/** {@link EndpointTransport} over {@link HttpClient}: one POST per call, redirects not followed. */
final class HttpTransport implements EndpointTransport {

    private final URI url;
    private final Duration timeout;
    private final HttpClient client;

    HttpTransport(URI url, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        String scheme = url.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("endpoint URL must be http or https: " + url);
        }
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Response invoke(byte[] body, String contentType, String accept) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", contentType)
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse("application/octet-stream"), response.body());
        } catch (IOException e) {
            throw new EndpointException(url.toString(), "cannot reach the endpoint: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EndpointException(url.toString(), "interrupted while calling the endpoint", e);
        }
    }

    @Override
    public void close() {
        // java.net.http.HttpClient (Java 17) holds no resources that need closing.
    }

    @Override
    public String toString() {
        return "http(" + url + ")";
    }
}
