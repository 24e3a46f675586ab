package io.xray.serve;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches an image for a {@code {"url": ...}} request under a {@link UrlFetchPolicy}. Each hop
 * (the first URL and every redirect target) is checked against the allow-list, then resolved, and
 * every resolved address must be public before any connection is opened. Redirects are never
 * followed by the HTTP client itself. Refusals are {@link HttpProblem}s: 400 for a malformed URL,
 * 403 for a policy refusal, 413 for an image over the size limit, 502 for a failing remote, 504
 * for a timeout.
 *
 * <p>The check and the connection resolve the host separately; the JVM's positive DNS cache
 * (30 s by default) makes the client reuse the answer that was checked.
 */
final class UrlFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(UrlFetcher.class);

    private final UrlFetchPolicy policy;
    private final HttpClient client;

    UrlFetcher(UrlFetchPolicy policy) {
        this.policy = policy;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(policy.timeout())
                .proxy(java.net.ProxySelector.of(null))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * @param url the URL from the request body
     * @return the downloaded bytes
     */
    byte[] fetch(String url) {
        long deadline = System.nanoTime() + policy.timeout().toNanos();
        URI uri = parse(url);
        for (int hop = 0; ; hop++) {
            checkAllowed(uri, hop);
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .GET()
                    .timeout(remaining(deadline, uri))
                    .header("Accept", "image/jpeg, image/png, image/*;q=0.8")
                    .build();
            CompletableFuture<HttpResponse<byte[]>> future =
                    client.sendAsync(request, info -> new LimitedBody(policy.maxBytes(), info));
            HttpResponse<byte[]> response;
            try {
                response = future.get(remaining(deadline, uri).toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new HttpProblem(504, "fetching " + uri + " took longer than " + policy.timeout().toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HttpProblem(503, "interrupted while fetching " + uri);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof HttpProblem problem) {
                    throw problem;
                }
                if (cause != null && cause.getCause() instanceof HttpProblem problem) {
                    throw problem;
                }
                if (cause instanceof java.net.http.HttpTimeoutException) {
                    throw new HttpProblem(504, "fetching " + uri + " took longer than " + policy.timeout().toMillis() + " ms");
                }
                throw new HttpProblem(502, "cannot fetch " + uri + ": " + describe(cause));
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400 && status != 304) {
                Optional<String> location = response.headers().firstValue("Location");
                if (location.isEmpty()) {
                    throw new HttpProblem(502, uri + " answered " + status + " without a Location header");
                }
                if (hop >= policy.maxRedirects()) {
                    throw new HttpProblem(502, "too many redirects (more than " + policy.maxRedirects() + ") from " + url);
                }
                URI next;
                try {
                    next = uri.resolve(new URI(location.get().trim()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new HttpProblem(502, uri + " redirects to a malformed URL");
                }
                LOG.debug("following redirect {} -> {}", uri, next);
                uri = next;
                continue;
            }
            if (status != 200) {
                throw new HttpProblem(502, uri + " answered HTTP " + status);
            }
            return response.body();
        }
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url.trim());
            if (!uri.isAbsolute()) {
                throw HttpProblem.badRequest("URL must be absolute: " + url);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw HttpProblem.badRequest("malformed URL: " + e.getMessage());
        }
    }

    /** Checks scheme, allow-list and every resolved address of one hop, before connecting. */
    private void checkAllowed(URI uri, int hop) {
        String where = hop == 0 ? "" : " (reached through a redirect)";
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new HttpProblem(403, "URL scheme '" + scheme + "' is not allowed" + where + "; use http or https");
        }
        if (uri.getRawUserInfo() != null) {
            throw new HttpProblem(403, "URLs with user information are not allowed" + where);
        }
        String host = uri.getHost();
        if (host == null) {
            throw new HttpProblem(403, "URL has no host" + where);
        }
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!policy.allows(bareHost) && !policy.allows(host)) {
            throw new HttpProblem(403, "host '" + host + "' is not on the URL allow-list" + where);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : (scheme.equals("https") ? 443 : 80);
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bareHost);
        } catch (UnknownHostException e) {
            throw new HttpProblem(502, "cannot resolve host '" + host + "'" + where);
        }
        for (InetAddress address : addresses) {
            String refusal = AddressRules.refusal(address);
            if (refusal == null) {
                continue;
            }
            if (address.isLoopbackAddress() && policy.loopbackPortsForTests().contains(port)) {
                continue; // explicit test-only opt-in for this exact port, see UrlFetchPolicy
            }
            throw new HttpProblem(403, "host '" + host + "' resolves to " + address.getHostAddress() + ", a "
                    + refusal + ", which the server never fetches from" + where);
        }
    }

    private static Duration remaining(long deadline, URI uri) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HttpProblem(504, "time limit reached while fetching " + uri);
        }
        return Duration.ofNanos(left);
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Collects a body up to a limit; fails with 413 as soon as the limit is passed. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long maxBytes;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(long maxBytes, HttpResponse.ResponseInfo info) {
            this.maxBytes = maxBytes;
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (info.statusCode() == 200 && declared > maxBytes) {
                result.completeExceptionally(new HttpProblem(413, "remote image declares " + declared
                        + " bytes, more than the limit of " + maxBytes));
            }
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > maxBytes) {
                    result.completeExceptionally(new HttpProblem(413, "remote image is larger than the limit of "
                            + maxBytes + " bytes"));
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }
    }
}
