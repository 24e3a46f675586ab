package io.xray.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import io.xray.model.Classifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xray loadtest}: drives a running server on this machine with concurrent clients and
 * reports throughput, latency percentiles, errors and the server's resident memory before and
 * after; or, with {@code --raw-model}, measures the model's own batched forward throughput on the
 * same image, for comparison.
 */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        description = {
            "Drive a running xray server (loopback only) with N concurrent clients and print throughput,"
                    + " p50/p99 latency, the error count and the server's RSS before and after (from its /metrics).",
            "With --raw-model DIR, measure the model's raw batched forward throughput instead (no server, no"
                    + " decoding: the image is preprocessed once and batches of --batch-size go through the model).",
            "Exit status 1 when any request failed."
        })
final class LoadTestCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
            description = "the server's base URL, on a loopback address (default: ${DEFAULT-VALUE})")
    private URI url;

    @Option(names = "--image", required = true, paramLabel = "FILE",
            description = "the request body: an image (.jpeg, .png) or a tensor (.npy, .json, .csv)")
    private Path image;

    @Option(names = "--content-type", description = "Content-Type of the body (default: from the file's extension)")
    private String contentType;

    @Option(names = "--accept", defaultValue = "application/json",
            description = "Accept of the requests; image/png asks for the explanation overlay (default: ${DEFAULT-VALUE})")
    private String accept;

    @Option(names = "--concurrency", defaultValue = "8", description = "concurrent clients (default: ${DEFAULT-VALUE})")
    private int concurrency;

    @Option(names = "--requests", defaultValue = "2000",
            description = "measured requests, or images in --raw-model mode (default: ${DEFAULT-VALUE})")
    private int requests;

    @Option(names = "--warmup", defaultValue = "100",
            description = "requests (or images) sent first and not measured (default: ${DEFAULT-VALUE})")
    private int warmup;

    @Option(names = "--timeout-s", defaultValue = "60", description = "per-request timeout, s (default: ${DEFAULT-VALUE})")
    private int timeoutSeconds;

    @Option(names = "--wait-ready-s", defaultValue = "0",
            description = "wait this long for GET /ping to answer 200 before starting (default: ${DEFAULT-VALUE})")
    private int waitReadySeconds;

    @Option(names = "--raw-model", paramLabel = "DIR",
            description = "measure this model's batched forward throughput in process instead of calling a server")
    private Path rawModel;

    @Option(names = "--batch-size", defaultValue = "8",
            description = "images per forward pass in --raw-model mode: the server's --max-batch-size (default: ${DEFAULT-VALUE})")
    private int batchSize;

    @Mixin
    private PrecisionOptions precision = new PrecisionOptions();

    @Option(names = "--json", description = "print the results as one JSON object on one line")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        precision.check(OptionChecks.of(spec).between("--concurrency", concurrency, 1, 1024)
                .atLeast("--requests", requests, 1)
                .atLeast("--warmup", warmup, 0)
                .atLeast("--timeout-s", timeoutSeconds, 1)
                .atLeast("--wait-ready-s", waitReadySeconds, 0)
                .between("--batch-size", batchSize, 1, 1024));
        if (!Files.isRegularFile(image)) {
            throw new XrayException(image + ": not found");
        }
        return rawModel != null ? raw() : load();
    }

    // ------------------------------------------------------------------ raw model

    private int raw() {
        // --raw-model times a copied image: a reduced precision is timed unchecked without --guard-data.
        try (Classifier classifier = Classifier.load(rawModel, precision.toOptions(true))) {
            String modelId = classifier.modelId();
            Preprocessing preprocessing = classifier.artifact().preprocessing();
            float[] tensor = preprocessing.toChw(ImageDecoder.defaults().decode(image));
            float[][] batch = new float[batchSize][];
            for (int i = 0; i < batchSize; i++) {
                batch[i] = tensor.clone();
            }
            int warmupBatches = Math.max(2, ceilDiv(warmup, batchSize));
            for (int i = 0; i < warmupBatches; i++) {
                classifier.probabilities(batch);
            }
            int batches = ceilDiv(requests, batchSize);
            long start = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                classifier.probabilities(batch);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long images = (long) batches * batchSize;
            ObjectNode result = JSON.createObjectNode();
            result.put("mode", "raw-model");
            result.put("model", rawModel.toString());
            result.put("precision", classifier.precision().label());
            result.put("model_id", modelId);
            result.put("crop_size", preprocessing.cropSize());
            result.put("batch_size", batchSize);
            result.put("batches", batches);
            result.put("images", images);
            result.put("seconds", round(seconds, 3));
            result.put("images_per_second", round(images / seconds, 2));
            result.put("ms_per_batch", round(seconds * 1000 / batches, 3));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(result);
            } else {
                out.printf(Locale.ROOT, "raw model %s: %.1f images/s (%d batches of %d at %dx%d in %.2f s, %.2f ms per batch)%n",
                        modelId, images / seconds, batches, batchSize, preprocessing.cropSize(), preprocessing.cropSize(),
                        seconds, seconds * 1000 / batches);
            }
            out.flush();
            return 0;
        }
    }

    // ------------------------------------------------------------------ server

    private int load() throws IOException, InterruptedException {
        URI base = loopbackBase(url);
        String type = contentType != null ? contentType : contentTypeOf(image);
        byte[] body = Files.readAllBytes(image);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest invocation = HttpRequest.newBuilder(base.resolve("/invocations"))
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .header("Content-Type", type)
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        if (waitReadySeconds > 0) {
            awaitPing(client, base, Duration.ofSeconds(waitReadySeconds));
        }
        String metricsStart = metrics(client, base);
        if (warmup > 0) {
            drive(client, invocation, warmup, new long[warmup], new ConcurrentHashMap<>());
        }
        String metricsBefore = metrics(client, base);
        long[] latencies = new long[requests];
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        drive(client, invocation, requests, latencies, errors);
        double seconds = (System.nanoTime() - start) / 1e9;
        String metricsAfter = metrics(client, base);
        OptionalDouble rssStart = parseResidentMemory(metricsStart);
        OptionalDouble rssBefore = parseResidentMemory(metricsBefore);
        OptionalDouble rssAfter = parseResidentMemory(metricsAfter);

        int errorCount = errors.values().stream().mapToInt(AtomicInteger::get).sum();
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        ObjectNode result = JSON.createObjectNode();
        result.put("mode", "server");
        result.put("url", base.resolve("/invocations").toString());
        result.put("content_type", type);
        result.put("body_bytes", body.length);
        result.put("concurrency", concurrency);
        result.put("requests", requests);
        result.put("warmup", warmup);
        result.put("errors", errorCount);
        ObjectNode kinds = result.putObject("error_kinds");
        new TreeMap<>(errors).forEach((kind, count) -> kinds.put(kind, count.get()));
        result.put("seconds", round(seconds, 3));
        result.put("throughput_rps", round(requests / seconds, 2));
        ObjectNode latency = result.putObject("latency_ms");
        latency.put("p50", millis(percentile(sorted, 0.50)));
        latency.put("p90", millis(percentile(sorted, 0.90)));
        latency.put("p99", millis(percentile(sorted, 0.99)));
        latency.put("max", millis(sorted[sorted.length - 1]));
        latency.put("mean", millis((long) Arrays.stream(sorted).average().orElse(0)));
        putBytes(result, "rss_start_bytes", rssStart);
        putBytes(result, "rss_before_bytes", rssBefore);
        putBytes(result, "rss_after_bytes", rssAfter);
        if (rssBefore.isPresent() && rssAfter.isPresent()) {
            result.put("rss_growth", round(rssAfter.getAsDouble() / rssBefore.getAsDouble() - 1, 4));
        } else {
            result.putNull("rss_growth");
        }
        OptionalDouble heapBefore = parseHeapCommitted(metricsBefore);
        OptionalDouble heapAfter = parseHeapCommitted(metricsAfter);
        putBytes(result, "heap_committed_before_bytes", heapBefore);
        putBytes(result, "heap_committed_after_bytes", heapAfter);

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(result);
        } else {
            out.printf(Locale.ROOT, "loadtest: %d requests (after %d warm-up), %d clients, %s of %d bytes to %s%n",
                    requests, warmup, concurrency, type, body.length, result.get("url").asText());
            out.printf(Locale.ROOT, "throughput: %.1f req/s (%.2f s)%n", requests / seconds, seconds);
            out.printf(Locale.ROOT, "latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    latency.get("p50").asDouble(), latency.get("p90").asDouble(), latency.get("p99").asDouble(),
                    latency.get("max").asDouble());
            out.printf(Locale.ROOT, "errors: %d%s%n", errorCount, errorCount == 0 ? "" : " " + kinds);
            out.printf(Locale.ROOT, "server RSS: before %s, after %s%s (at start, before warm-up: %s);"
                            + " JVM heap committed: before %s, after %s%n",
                    mebibytes(rssBefore), mebibytes(rssAfter),
                    result.get("rss_growth").isNull() ? ""
                            : String.format(Locale.ROOT, " (%+.1f%%)", 100 * result.get("rss_growth").asDouble()),
                    mebibytes(rssStart), mebibytes(heapBefore), mebibytes(heapAfter));
        }
        out.flush();
        return errorCount == 0 ? 0 : 1;
    }

    /** Runs {@code count} requests over {@link #concurrency} client threads, recording each latency by index. */
    private void drive(HttpClient client, HttpRequest request, int count, long[] latencies,
                       Map<String, AtomicInteger> errors) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        int threads = Math.min(concurrency, count);
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> clients = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        long start = System.nanoTime();
                        String error = null;
                        try {
                            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (response.statusCode() != 200) {
                                error = "HTTP " + response.statusCode();
                            }
                        } catch (IOException e) {
                            error = e.getClass().getSimpleName();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        latencies[i] = System.nanoTime() - start;
                        if (error != null) {
                            errors.computeIfAbsent(error, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                } catch (RuntimeException e) {
                    errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                } finally {
                    done.countDown();
                }
            }, "xray-loadtest-" + t);
            thread.setDaemon(true);
            clients.add(thread);
        }
        clients.forEach(Thread::start);
        done.await();
    }

    private static void awaitPing(HttpClient client, URI base, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        HttpRequest ping = HttpRequest.newBuilder(base.resolve("/ping")).timeout(Duration.ofSeconds(2)).GET().build();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                int status = client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new XrayException(base + "/ping did not answer 200 within " + limit.toSeconds() + " s (last: " + last + ")");
    }

    /** The server's {@code GET /metrics} text, empty when it has none. */
    static String metrics(HttpClient client, URI base) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/metrics")).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The sum of {@code jvm_memory_committed_bytes{area="heap",...}}, if the server reports it. */
    static OptionalDouble parseHeapCommitted(String prometheusText) {
        double sum = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith("jvm_memory_committed_bytes{") && line.contains("area=\"heap\"")) {
                try {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
                    found = true;
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    static OptionalDouble parseResidentMemory(String prometheusText) {
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith("process_resident_memory_bytes ") || line.startsWith("process_resident_memory_bytes{")) {
                String value = line.substring(line.lastIndexOf(' ') + 1).trim();
                try {
                    double bytes = Double.parseDouble(value);
                    return Double.isFinite(bytes) ? OptionalDouble.of(bytes) : OptionalDouble.empty();
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return OptionalDouble.empty();
    }

    /** The base URL, refused unless it is plain HTTP to a loopback address. */
    static URI loopbackBase(URI url) {
        if (url == null || !"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new InvalidConfigurationException("--url", "must be http://HOST:PORT on a loopback address, was " + url);
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(url.getHost())) {
                if (!address.isLoopbackAddress()) {
                    String where = address.getHostAddress().equals(url.getHost()) ? url.getHost()
                            : url.getHost() + " (" + address.getHostAddress() + ")";
                    throw new InvalidConfigurationException("--url", where + " is not a loopback address;"
                            + " loadtest drives servers on this machine only (127.0.0.1, ::1, localhost)");
                }
            }
        } catch (UnknownHostException e) {
            throw new InvalidConfigurationException("--url", "unknown host " + url.getHost());
        }
        int port = url.getPort() < 0 ? 80 : url.getPort();
        return URI.create("http://" + (url.getHost().contains(":") && !url.getHost().startsWith("[")
                ? "[" + url.getHost() + "]" : url.getHost()) + ":" + port);
    }

    static String contentTypeOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (name.endsWith(".png")) {
            return "image/png";
        }
        if (name.endsWith(".npy")) {
            return "application/x-npy";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".csv")) {
            return "text/csv";
        }
        throw new InvalidConfigurationException("--content-type", "cannot tell the type of " + file + " from its name; give it");
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double millis(long nanos) {
        return round(nanos / 1e6, 3);
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void putBytes(ObjectNode node, String field, OptionalDouble bytes) {
        if (bytes.isPresent()) {
            node.put(field, (long) bytes.getAsDouble());
        } else {
            node.putNull(field);
        }
    }

    private static String mebibytes(OptionalDouble bytes) {
        return bytes.isPresent() ? String.format(Locale.ROOT, "%.1f MiB", bytes.getAsDouble() / (1 << 20)) : "n/a";
    }
}
