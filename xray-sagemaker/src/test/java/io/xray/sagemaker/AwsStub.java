package io.xray.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * A loopback HTTP server that answers AWS calls from queued replies and records every request:
 * the SageMaker control plane's JSON 1.1 ({@code POST /}, {@code X-Amz-Target: SageMaker.<Op>})
 * keyed by operation, CloudWatch Logs' JSON 1.1 ({@code X-Amz-Target: Logs_20140328.<Op>}) keyed by
 * operation likewise, CloudWatch's Query protocol keyed by its {@code Action}, and the runtime's {@code POST /endpoints/{name}/invocations} keyed by path.
 */
final class AwsStub implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    record Request(String method, String path, String target, Map<String, List<String>> headers, byte[] body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    record Reply(int status, String contentType, String errorType, byte[] body) {
        static Reply json(Object body) {
            try {
                return new Reply(200, "application/x-amz-json-1.1", null, JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Reply error(int status, String type, String message) {
            return error(status, type, Map.of("__type", type, "message", message));
        }

        static Reply error(int status, String type, Map<String, Object> body) {
            try {
                return new Reply(status, "application/x-amz-json-1.1", type, JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpServer server;
    private final Map<String, Deque<Reply>> replies = new ConcurrentHashMap<>();
    private final Map<String, java.util.function.Function<Request, Reply>> handlers = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    AwsStub() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A session on this stub with fast throttling backoff. */
    SageMakerSession session(int maxAttempts) {
        return SageMakerSession.builder()
                .region(Region.EU_WEST_1)
                .roleArn("arn:aws:iam::123456789012:role/xray-sagemaker")
                .defaultBucket("xray-test-bucket")
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSTUB", "stub-secret")))
                .sageMakerEndpoint(uri())
                .runtimeEndpoint(uri())
                .logsEndpoint(uri())
                .maxAttempts(maxAttempts)
                .throttlingBackoff(java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(20))
                .build();
    }

    /** Queues replies for an operation ({@code CreateTrainingJob}) or a runtime path. */
    AwsStub on(String key, Reply... queued) {
        replies.computeIfAbsent(key, k -> new ArrayDeque<>()).addAll(List.of(queued));
        return this;
    }

    /** Answers an operation from the request itself. */
    AwsStub handle(String key, java.util.function.Function<Request, Reply> handler) {
        handlers.put(key, handler);
        return this;
    }

    /** An AWS Query (form) reply, as CloudWatch's protocol answers. */
    static Reply xml(String body) {
        return new Reply(200, "text/xml", null, utf8(body));
    }

    List<Request> requests(String key) {
        return requests.stream().filter(r -> key.equals(r.target()) || key.equals(r.path())).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String operation = target == null ? null : target.substring(target.indexOf('.') + 1);
        String form = new String(body, StandardCharsets.UTF_8);
        if (operation == null && form.startsWith("Action=")) { // the AWS Query protocol (CloudWatch)
            operation = form.substring("Action=".length(), form.contains("&") ? form.indexOf('&') : form.length());
        }
        String path = exchange.getRequestURI().getPath();
        Request request = new Request(exchange.getRequestMethod(), path, operation, Map.copyOf(exchange.getRequestHeaders()), body);
        requests.add(request);
        String key = operation != null ? operation : path;
        Deque<Reply> queue = replies.get(key);
        Reply reply;
        synchronized (this) {
            reply = queue == null ? null : queue.size() > 1 ? queue.poll() : queue.peek();
        }
        if (reply == null && handlers.containsKey(key)) {
            reply = handlers.get(key).apply(request);
        }
        if (reply == null) {
            reply = Reply.error(400, "UnknownOperationException", "the stub has no reply for " + key);
        }
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.getResponseHeaders().set("x-amzn-RequestId", "stub-" + requests.size());
        if (reply.errorType() != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", reply.errorType());
        }
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        exchange.getResponseBody().write(reply.body());
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
