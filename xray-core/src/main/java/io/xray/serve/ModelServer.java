package io.xray.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.image.ImageDecoder;
import io.xray.image.Preprocessing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * An HTTP model server speaking SageMaker's inference container contract, on Undertow.
 *
 * <ul>
 *   <li>{@code GET /ping}: 200 once the model is loaded, 503 before (and while stopping).
 *   <li>{@code POST /invocations}: {@code image/jpeg} or {@code image/png} (decoded by
 *       {@link ImageDecoder} with its limits and preprocessed by the model's own
 *       {@link Preprocessing}); {@code application/x-npy}, {@code application/json} (nested lists)
 *       or {@code text/csv} (one image of {@code 3*crop*crop} values per line) holding an
 *       already-preprocessed tensor of shape {@code (3, crop, crop)} or {@code (N, 3, crop, crop)};
 *       and {@code application/json {"url": "..."}} only when a {@link UrlFetchPolicy} is set.
 *       {@code Accept: application/json} (also the default, and for {@code *}{@code /*}) answers
 *       {@code {"predictions": [{"label", "probability", "threshold", "model_id"}, ...]}};
 *       {@code Accept: application/x-npy} answers the probabilities as a float64 NPY vector.
 *       An image body is decoded only as the format its Content-Type declares (a GIF or PNG sent
 *       as {@code image/jpeg} gets a 415 naming both). {@code Accept: image/png} answers the
 *       explanation overlay ({@link io.xray.model.Explanation#overlayPng()}); JSON with
 *       {@code ?explain=true} or the header {@code X-Amzn-SageMaker-Custom-Attributes: explain=true}
 *       adds the heat map as a base64 PNG ({@link Invocations#invoke(byte[], String, String, boolean)}).
 *       Explanations are batched like predictions, through their own queue and model thread.
 *   <li>{@code POST /endpoints/{name}/invocations}: the same as {@code /invocations}; the SageMaker
 *       runtime's own path, so a SageMaker runtime client (AWS SDK, boto3, the AWS CLI) with an
 *       endpoint override pointing here works unchanged, whatever endpoint name it gives.
 *   <li>{@code GET /execution-parameters}: SageMaker batch transform's parameters
 *       ({@link Builder#maxConcurrentTransforms}, {@link Builder#batchStrategy}, the body limit in MB).
 *   <li>{@code GET /metrics}: Prometheus text (requests by route and status with a latency
 *       histogram, batch sizes, queue depth, queue rejections, and the process's resident memory
 *       as {@code process_resident_memory_bytes}).
 * </ul>
 *
 * <p>Every error is answered with a JSON body {@code {"status": N, "error": "...", "message": "..."}}:
 * 400 malformed body, 403 URL refused by policy, 404/405 unknown route or method, 406 unsupported
 * Accept, 408 body not received in time, 413 body over {@link Builder#maxBodyBytes} (refused from
 * Content-Length before reading, or as soon as a streamed body passes the limit), 414 URI over
 * {@link Builder#maxUriLength}, 415 unsupported Content-Type, 431 headers over
 * {@link Builder#maxHeaderBytes}, 503 with {@code Retry-After} when the queue is full, the model is
 * not loaded or the model did not answer within {@link Builder#requestTimeout}; 500 means a bug.
 *
 * <p>Concurrent requests are grouped into model batches by one model thread fed through a bounded
 * queue. {@link #close()} stops accepting, drains in-flight requests and returns within
 * {@link Builder#shutdownTimeout}. Start with {@link #start()}:
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder().model(model).port(8080).build().start()) {
 *     server.installShutdownHook();
 *     server.awaitStop();
 * }
 * }</pre>
 */
public final class ModelServer implements AutoCloseable {

    /** Default port, the one SageMaker calls. */
    public static final int DEFAULT_PORT = 8080;
    /** Default body limit: 6 MiB, SageMaker's real-time payload limit. */
    public static final long DEFAULT_MAX_BODY_BYTES = 6L * 1024 * 1024;
    /** SageMaker real-time endpoints wait 60 s for an invocation; the request timeout must stay under it. */
    public static final Duration REAL_TIME_INVOCATION_LIMIT = Duration.ofSeconds(60);
    /** SageMaker batch transform waits 600 s for an invocation; in batch mode the request timeout may reach it. */
    public static final Duration BATCH_INVOCATION_LIMIT = Duration.ofSeconds(600);
    /** Default request timeout: a real-time endpoint's answer must come within SageMaker's 60 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(55);
    /** The request timeout under batch transform, under SageMaker batch's 600 s per invocation. */
    public static final Duration BATCH_REQUEST_TIMEOUT = Duration.ofSeconds(590);
    /**
     * How long SageMaker waits after the container starts for {@code GET /ping} to answer 200: the
     * longest a model may take to load, and what to give {@link #awaitReady(Duration)}.
     */
    public static final Duration LOAD_LIMIT = Duration.ofMinutes(4);
    /** The most {@link Builder#maxConcurrentTransforms(int)} accepts. */
    public static final int MAX_CONCURRENT_TRANSFORMS = 10_000;
    /** SageMaker batch transform's record strategies, as {@code GET /execution-parameters} reports them. */
    public static final java.util.Set<String> BATCH_STRATEGIES = java.util.Set.of("SINGLE_RECORD", "MULTI_RECORD");

    private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpString RETRY_AFTER = new HttpString("Retry-After");
    /** The SageMaker runtime's InvokeEndpoint path, with SageMaker's endpoint-name pattern. */
    private static final java.util.regex.Pattern RUNTIME_ROUTE =
            java.util.regex.Pattern.compile("/endpoints/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}/invocations");

    private final Builder config;
    private final ServerMetrics metrics;
    private final UrlFetcher urlFetcher;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile InferenceModel model;
    private volatile PredictionBatcher batcher;
    private volatile ExplanationBatcher explanationBatcher;
    private volatile Invocations invocations;
    private volatile String loadFailure;
    private volatile boolean stopping;
    private Undertow undertow;
    private GracefulShutdownHandler graceful;
    private Thread loader;
    private Thread shutdownHook;

    private ModelServer(Builder builder) {
        this.config = builder.copy();
        this.metrics = new ServerMetrics(() -> {
            PredictionBatcher current = batcher;
            return current == null ? 0 : current.queueDepth();
        });
        this.urlFetcher = config.urlFetchPolicy == null ? null : new UrlFetcher(config.urlFetchPolicy);
    }

    /** @return a builder with the defaults: port 8080, 6 MiB bodies, batches of 8, 5 ms wait, queue of 64 */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listening, then loads the model (in the background when a loader was given), so the
     * port accepts connections at once and {@code /ping} turns 200 when the model is ready.
     *
     * @return this server
     * @throws IllegalStateException when already started
     * @throws XrayException naming the host and port when the server cannot listen there (the port
     *     is taken, the host is not this machine's); the server is then closed
     */
    public ModelServer start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("server already started");
        }
        graceful = Handlers.gracefulShutdown(this::handle);
        int undertowHeaderLimit = (int) Math.min(Integer.MAX_VALUE,
                4L * Math.max(config.maxHeaderBytes, config.maxUriLength) + 8192);
        undertow = Undertow.builder()
                .addHttpListener(config.port, config.host)
                .setIoThreads(config.ioThreads)
                .setWorkerThreads(config.workerThreads)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, undertowHeaderLimit)
                // Undertow's own entity limit answers a bare 400 before any handler runs; the limit is
                // enforced per exchange instead (Content-Length check, then setMaxEntitySize) with a JSON 413.
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) config.headerTimeout.toMillis())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                .setSocketOption(Options.READ_TIMEOUT, (int) config.headerTimeout.toMillis())
                .setHandler(exchange -> {
                    if (stopping) { // answered before the graceful handler so the 503 carries a JSON body
                        sendProblem(exchange, HttpProblem.unavailable("server is stopping", 5));
                    } else {
                        graceful.handleRequest(exchange);
                    }
                })
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException ignored) {
                // half-started; the start failure is what matters
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new XrayException("cannot listen on " + config.host + ":" + config.port + ": " + cause.getMessage(), e);
        }
        LOG.info("model server listening on {}:{}", config.host, port());
        if (config.model != null) {
            install(config.model);
        } else {
            loader = new Thread(this::load, "xray-model-loader");
            loader.setDaemon(true);
            loader.start();
        }
        return this;
    }

    private void load() {
        try {
            InferenceModel loaded = Objects.requireNonNull(config.modelLoader.call(), "model loader returned null");
            if (stopping) {
                loaded.close();
                return;
            }
            install(loaded);
        } catch (Exception | Error e) {
            loadFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.error("model failed to load; /ping will answer 503", e);
        }
    }

    private void install(InferenceModel loaded) {
        int crop = loaded.preprocessing().cropSize();
        this.invocations = new Invocations(loaded, config.imageDecoder, urlFetcher);
        this.batcher = new PredictionBatcher(loaded, config.maxBatchSize, config.maxBatchDelay,
                config.queueCapacity, metrics::recordBatch);
        this.explanationBatcher = new ExplanationBatcher(loaded, config.maxBatchSize, config.maxBatchDelay,
                config.queueCapacity);
        this.model = loaded;
        LOG.info("model {} ready (crop {}, threshold {})", loaded.modelId(), crop, loaded.threshold());
    }

    /** @return the port the server listens on (the chosen one when built with port 0) */
    public int port() {
        if (undertow == null) {
            throw new IllegalStateException("server not started");
        }
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** @return whether the model is loaded and the server answers predictions */
    public boolean isReady() {
        return model != null && !stopping;
    }

    /**
     * @return why the model loader failed, such as {@code "XrayException: ..."}; empty while loading,
     *     once loaded, and when the model was given ready-made
     */
    public java.util.Optional<String> loadFailure() {
        return java.util.Optional.ofNullable(loadFailure);
    }

    /** @return whether this server runs in SageMaker batch-transform mode (longer request timeout) */
    public boolean isBatchMode() {
        return config.batchMode;
    }

    /**
     * Waits for the model to load.
     *
     * @param timeout how long to wait
     * @return true when ready, false when the wait timed out or loading failed
     * @throws InterruptedException when interrupted
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady() && loadFailure == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return isReady();
    }

    /**
     * Blocks until {@link #close()} has finished (from another thread or the shutdown hook).
     *
     * @throws InterruptedException when interrupted
     */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Registers a JVM shutdown hook (run on SIGTERM and SIGINT) that closes this server, draining
     * in-flight requests, within {@link Builder#shutdownTimeout}. For command-line use.
     *
     * @return this server
     */
    public synchronized ModelServer installShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::close, "xray-server-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return this;
    }

    /**
     * Stops accepting requests (new ones get 503, {@code /ping} too), waits for in-flight requests
     * for at most {@link Builder#shutdownTimeout}, stops the model thread and the listener, and closes
     * the model when it was loaded by this server's loader. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopping = true;
        long deadline = System.nanoTime() + config.shutdownTimeout.toNanos();
        try {
            if (graceful != null) {
                graceful.shutdown();
                try {
                    if (!graceful.awaitShutdown(Math.max(1, config.shutdownTimeout.toMillis() * 3 / 4))) {
                        LOG.warn("in-flight requests did not finish within the drain time; stopping anyway");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            PredictionBatcher current = batcher;
            if (current != null) {
                current.close(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            }
            ExplanationBatcher explaining = explanationBatcher;
            if (explaining != null) {
                explaining.close(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            }
            if (undertow != null) {
                undertow.stop();
            }
            if (config.model == null && model != null) {
                model.close();
            }
            LOG.info("model server stopped");
        } finally {
            stopped.countDown();
            if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down
                }
            }
        }
    }

    /** The largest model batch so far, for tests and diagnostics. */
    int largestBatch() {
        PredictionBatcher current = batcher;
        return current == null ? 0 : current.largestBatch();
    }

    /** The largest explanation batch so far, for tests and diagnostics. */
    int largestExplanationBatch() {
        ExplanationBatcher current = explanationBatcher;
        return current == null ? 0 : current.largestBatch();
    }

    // ------------------------------------------------------------------ request handling

    private void handle(HttpServerExchange exchange) {
        long start = System.nanoTime();
        String path = exchange.getRequestPath();
        String route = switch (path) {
            case "/ping", "/invocations", "/execution-parameters", "/metrics" -> path;
            case DemoPage.PAGE, DemoPage.MODEL -> config.demoPage ? path : "other";
            // the SageMaker runtime's own route, so its clients work against this server unchanged
            default -> RUNTIME_ROUTE.matcher(path).matches() ? "/invocations" : "other";
        };
        exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                metrics.recordRequest(route, ex.getStatusCode(), System.nanoTime() - start);
            } finally {
                next.proceed();
            }
        });
        if (!route.equals("/invocations") && (exchange.getRequestContentLength() > 0 || exchange.isRequestChannelAvailable()
                && exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING))) {
            exchange.setPersistent(false); // never drain a body that no route reads
        }
        try {
            checkRequestLine(exchange);
            boolean get = exchange.getRequestMethod().equals(Methods.GET);
            boolean post = exchange.getRequestMethod().equals(Methods.POST);
            switch (route) {
                case "/ping" -> {
                    requireMethod(get, "GET");
                    ping(exchange);
                }
                case "/execution-parameters" -> {
                    requireMethod(get, "GET");
                    executionParameters(exchange);
                }
                case "/metrics" -> {
                    requireMethod(get, "GET");
                    send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                            metrics.scrape().getBytes(StandardCharsets.UTF_8));
                }
                case "/invocations" -> {
                    requireMethod(post, "POST");
                    startInvocation(exchange, start);
                }
                case DemoPage.PAGE -> {
                    requireMethod(get, "GET");
                    send(exchange, 200, "text/html; charset=utf-8", DemoPage.html());
                }
                case DemoPage.MODEL -> {
                    requireMethod(get, "GET");
                    InferenceModel current = model;
                    if (current == null) {
                        throw HttpProblem.unavailable("model is not loaded yet", 1);
                    }
                    send(exchange, 200, MediaTypes.JSON, DemoPage.modelJson(current));
                }
                default -> throw new HttpProblem(404, "no such route: " + path
                        + " (routes: GET /ping, POST /invocations, POST /endpoints/{name}/invocations,"
                        + " GET /execution-parameters, GET /metrics)");
            }
        } catch (HttpProblem problem) {
            sendProblem(exchange, problem);
        } catch (RuntimeException e) {
            LOG.error("bug while handling {} {}", exchange.getRequestMethod(), path, e);
            sendProblem(exchange, new HttpProblem(500, "internal error: " + e.getClass().getSimpleName()));
        }
    }

    private void checkRequestLine(HttpServerExchange exchange) {
        long uriLength = exchange.getRequestURI().length() + exchange.getQueryString().length();
        if (uriLength > config.maxUriLength) {
            throw new HttpProblem(414, "request URI of " + uriLength + " characters exceeds the limit of "
                    + config.maxUriLength, true, null);
        }
        long headerBytes = 0;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            for (String value : values) {
                headerBytes += values.getHeaderName().length() + value.length() + 4;
            }
        }
        if (headerBytes > config.maxHeaderBytes) {
            throw new HttpProblem(431, "request headers of " + headerBytes + " bytes exceed the limit of "
                    + config.maxHeaderBytes, true, null);
        }
    }

    private static void requireMethod(boolean ok, String allowed) {
        if (!ok) {
            throw new HttpProblem(405, "method not allowed; use " + allowed);
        }
    }

    private void ping(HttpServerExchange exchange) {
        if (isReady()) {
            send(exchange, 200, "application/json", "{\"status\":\"ready\"}".getBytes(StandardCharsets.UTF_8));
        } else if (stopping) {
            throw HttpProblem.unavailable("server is stopping", 5);
        } else if (loadFailure != null) {
            throw HttpProblem.unavailable("model failed to load: " + loadFailure, 30);
        } else {
            throw HttpProblem.unavailable("model is loading", 1);
        }
    }

    private void executionParameters(HttpServerExchange exchange) {
        ObjectNode body = JSON.createObjectNode();
        body.put("MaxConcurrentTransforms",
                config.maxConcurrentTransforms > 0 ? config.maxConcurrentTransforms : config.maxBatchSize);
        body.put("BatchStrategy", config.batchStrategy);
        body.put("MaxPayloadInMB", Math.max(1, config.maxBodyBytes / (1024 * 1024)));
        send(exchange, 200, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Header checks on the I/O thread, then the body is read and decoded on a worker thread. */
    private void startInvocation(HttpServerExchange exchange, long start) {
        String contentType = Invocations.requestType(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
        String accept = Invocations.responseType(exchange.getRequestHeaders().getFirst(Headers.ACCEPT));
        boolean explain = MediaTypes.PNG.equals(accept) || MediaTypes.explainRequested(exchange.getQueryString(),
                exchange.getRequestHeaders().getFirst(MediaTypes.CUSTOM_ATTRIBUTES));
        long declared = exchange.getRequestContentLength();
        if (declared > config.maxBodyBytes) {
            throw HttpProblem.tooLarge("body of " + declared + " bytes exceeds the limit of " + config.maxBodyBytes + " bytes");
        }
        if (!isReady()) {
            throw HttpProblem.unavailable(stopping ? "server is stopping" : "model is not loaded yet", 1);
        }
        exchange.dispatch(exchange.getConnection().getWorker(), () -> {
            try {
                if (explain) {
                    explainInvocation(exchange, contentType, accept, start);
                } else {
                    invoke(exchange, contentType, accept, start);
                }
            } catch (HttpProblem problem) {
                sendProblem(exchange, problem);
            } catch (RuntimeException | Error e) {
                LOG.error("bug while handling /invocations", e);
                sendProblem(exchange, new HttpProblem(500, "internal error: " + e.getClass().getSimpleName()));
            }
        });
    }

    private void invoke(HttpServerExchange exchange, String contentType, String accept, long start) {
        long deadline = start + config.requestTimeout.toNanos();
        exchange.startBlocking();
        byte[] body = readBody(exchange, deadline);
        Invocations current = invocations;
        PredictionBatcher currentBatcher = batcher;
        if (current == null || currentBatcher == null) {
            throw HttpProblem.unavailable("model is not loaded yet", 1);
        }
        float[][] images = current.parse(body, contentType);
        CompletableFuture<double[]> future;
        try {
            future = currentBatcher.submit(images);
        } catch (MicroBatcher.Rejected e) {
            metrics.recordRejection();
            throw HttpProblem.unavailable(e.getMessage(), 1);
        }
        long left = deadline - System.nanoTime();
        Executor worker = exchange.getConnection().getWorker();
        future.orTimeout(Math.max(1, left), TimeUnit.NANOSECONDS)
                .whenCompleteAsync((probabilities, failure) -> {
                    try {
                        if (failure == null) {
                            send(exchange, 200, accept, current.encode(probabilities, accept));
                        } else {
                            sendProblem(exchange, failureProblem(failure));
                        }
                    } catch (RuntimeException e) {
                        LOG.error("bug while answering /invocations", e);
                        sendProblem(exchange, new HttpProblem(500, "internal error: " + e.getClass().getSimpleName()));
                    }
                }, worker);
    }

    /**
     * An explanation: the body is read and decoded on this worker thread, then explained in a
     * batch by the {@link ExplanationBatcher} and answered like a prediction.
     */
    private void explainInvocation(HttpServerExchange exchange, String contentType, String accept, long start) {
        long deadline = start + config.requestTimeout.toNanos();
        exchange.startBlocking();
        byte[] body = readBody(exchange, deadline);
        Invocations current = invocations;
        ExplanationBatcher explaining = explanationBatcher;
        if (current == null || explaining == null) {
            throw HttpProblem.unavailable("model is not loaded yet", 1);
        }
        if (body.length == 0) {
            throw HttpProblem.badRequest("empty request body (0 bytes)");
        }
        java.awt.image.BufferedImage image = current.explanationImage(body, contentType, accept);
        CompletableFuture<io.xray.model.Explanation> future;
        try {
            future = explaining.submit(image);
        } catch (MicroBatcher.Rejected e) {
            metrics.recordRejection();
            throw HttpProblem.unavailable(e.getMessage(), 1);
        }
        long left = deadline - System.nanoTime();
        future.orTimeout(Math.max(1, left), TimeUnit.NANOSECONDS)
                .whenCompleteAsync((explanation, failure) -> {
                    try {
                        if (failure == null) {
                            send(exchange, 200, accept, current.encodeExplanation(explanation, accept));
                        } else {
                            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                    ? failure.getCause() : failure;
                            sendProblem(exchange, cause instanceof UnsupportedOperationException
                                    ? new HttpProblem(501, cause.getMessage()) : failureProblem(failure));
                        }
                    } catch (RuntimeException e) {
                        LOG.error("bug while answering /invocations", e);
                        sendProblem(exchange, new HttpProblem(500, "internal error: " + e.getClass().getSimpleName()));
                    }
                }, exchange.getConnection().getWorker());
    }

    private HttpProblem failureProblem(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return HttpProblem.unavailable("the model did not answer within " + config.requestTimeout.toMillis()
                    + " ms; try again later", 5);
        }
        if (cause instanceof MicroBatcher.Rejected) {
            return HttpProblem.unavailable(cause.getMessage(), 5);
        }
        LOG.error("model failure", cause);
        return new HttpProblem(500, "model failed: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }

    private byte[] readBody(HttpServerExchange exchange, long deadline) {
        long max = config.maxBodyBytes;
        long declared = exchange.getRequestContentLength();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 8192), max));
        byte[] buffer = new byte[64 * 1024];
        long lastProgress = System.nanoTime();
        try {
            InputStream in = exchange.getInputStream();
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + (long) n > max) {
                    throw HttpProblem.tooLarge("body exceeds the limit of " + max + " bytes");
                }
                out.write(buffer, 0, n);
                lastProgress = System.nanoTime();
                if (lastProgress > deadline) {
                    throw new HttpProblem(408, "body not received within " + config.requestTimeout.toMillis() + " ms", true, null);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof HttpProblem problem) {
                throw problem;
            }
            // A stalled client trips the socket read timeout; Undertow then fails the read (sometimes
            // with an unchecked exception from its closed buffer). Either way the body is incomplete.
            if (System.nanoTime() - lastProgress >= config.headerTimeout.toNanos() * 9 / 10) {
                throw new HttpProblem(408, "body stalled for more than " + config.headerTimeout.toMillis() + " ms", true, null);
            }
            throw new HttpProblem(400, "cannot read the request body: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), true, null);
        }
        if (out.size() == 0) {
            throw HttpProblem.badRequest("empty request body (0 bytes)");
        }
        return out.toByteArray();
    }

    private static void sendProblem(HttpServerExchange exchange, HttpProblem problem) {
        if (exchange.isResponseStarted() || exchange.isComplete()) {
            LOG.debug("response already started; dropping problem {}", problem.getMessage());
            if (!exchange.isComplete()) {
                exchange.endExchange();
            }
            return;
        }
        if (problem.status() >= 500 && problem.status() != 503 && problem.status() != 504) {
            LOG.warn("{} {}: {}", problem.status(), exchange.getRequestPath(), problem.getMessage());
        } else {
            LOG.debug("{} {}: {}", problem.status(), exchange.getRequestPath(), problem.getMessage());
        }
        if (problem.retryAfterSeconds() != null) {
            exchange.getResponseHeaders().put(RETRY_AFTER, problem.retryAfterSeconds());
        }
        if (problem.closeConnection()) {
            exchange.setPersistent(false);
            exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        }
        send(exchange, problem.status(), MediaTypes.JSON, Invocations.problemJson(problem));
    }

    private static void send(HttpServerExchange exchange, int status, String contentType, byte[] body) {
        try {
            exchange.setStatusCode(status);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
            exchange.getResponseSender().send(ByteBuffer.wrap(body));
        } catch (RuntimeException e) {
            // The client is gone (closed, reset or timed out); there is nobody to answer.
            LOG.debug("cannot send {} to {}: {}", status, exchange.getSourceAddress(), e.toString());
            if (!exchange.isComplete()) {
                exchange.setPersistent(false);
                exchange.endExchange();
            }
        }
    }

    // ------------------------------------------------------------------ configuration

    /** Builds a {@link ModelServer}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private InferenceModel model;
        private Callable<? extends InferenceModel> modelLoader;
        private String host = "0.0.0.0";
        private int port = DEFAULT_PORT;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxBatchSize = 8;
        private Duration maxBatchDelay = Duration.ofMillis(5);
        private int queueCapacity = 64;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(25);
        private int maxHeaderBytes = 16 * 1024;
        private int maxUriLength = 4096;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int workerThreads = 16;
        private UrlFetchPolicy urlFetchPolicy;
        private ImageDecoder imageDecoder = ImageDecoder.defaults();
        private boolean batchMode;
        private int maxConcurrentTransforms;
        private String batchStrategy = "SINGLE_RECORD";
        private boolean demoPage;

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.model = model;
            b.modelLoader = modelLoader;
            b.host = host;
            b.port = port;
            b.maxBodyBytes = maxBodyBytes;
            b.maxBatchSize = maxBatchSize;
            b.maxBatchDelay = maxBatchDelay;
            b.queueCapacity = queueCapacity;
            b.requestTimeout = requestTimeout;
            b.headerTimeout = headerTimeout;
            b.shutdownTimeout = shutdownTimeout;
            b.maxHeaderBytes = maxHeaderBytes;
            b.maxUriLength = maxUriLength;
            b.ioThreads = ioThreads;
            b.workerThreads = workerThreads;
            b.urlFetchPolicy = urlFetchPolicy;
            b.imageDecoder = imageDecoder;
            b.batchMode = batchMode;
            b.maxConcurrentTransforms = maxConcurrentTransforms;
            b.demoPage = demoPage;
            b.batchStrategy = batchStrategy;
            return b;
        }

        /**
         * @param model a loaded model; the server uses it but does not close it (the caller owns it)
         * @return this builder
         */
        public Builder model(InferenceModel model) {
            this.model = model;
            this.modelLoader = null;
            return this;
        }

        /**
         * @param loader loads the model on a background thread after the port is open; the server
         *     owns and closes the loaded model
         * @return this builder
         */
        public Builder modelLoader(Callable<? extends InferenceModel> loader) {
            this.modelLoader = loader;
            this.model = null;
            return this;
        }

        /** @param host the interface to bind, default {@code 0.0.0.0}; use {@code 127.0.0.1} for loopback only
         *  @return this builder */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** @param port the port, default 8080; 0 picks a free port (read it with {@link ModelServer#port()})
         *  @return this builder */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** @param maxBodyBytes the largest request body, default 6 MiB
         *  @return this builder */
        public Builder maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** @param maxBatchSize the most images per model call, default 8
         *  @return this builder */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** @param maxBatchDelay how long the model thread waits for more requests to fill a batch, default 5 ms
         *  @return this builder */
        public Builder maxBatchDelay(Duration maxBatchDelay) {
            this.maxBatchDelay = maxBatchDelay;
            return this;
        }

        /** @param queueCapacity how many requests may wait for the model before 503, default 64
         *  @return this builder */
        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        /** @param requestTimeout the time from request headers to answer, under SageMaker's 60 s; default 55 s.
         *      In {@link #batchMode(boolean) batch mode} it may reach batch transform's 600 s.
         *  @return this builder */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** @param headerTimeout the time a client has to send its request headers, and the longest pause
         *      while sending the body; default 10 s
         *  @return this builder */
        public Builder headerTimeout(Duration headerTimeout) {
            this.headerTimeout = headerTimeout;
            return this;
        }

        /** @param shutdownTimeout how long {@link ModelServer#close()} may take, at most 30 s; default 25 s
         *  @return this builder */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /** @param maxHeaderBytes the largest request header block before 431, default 16 KiB
         *  @return this builder */
        public Builder maxHeaderBytes(int maxHeaderBytes) {
            this.maxHeaderBytes = maxHeaderBytes;
            return this;
        }

        /** @param maxUriLength the longest request URI before 414, default 4096
         *  @return this builder */
        public Builder maxUriLength(int maxUriLength) {
            this.maxUriLength = maxUriLength;
            return this;
        }

        /** @param workerThreads threads that read bodies and decode images, default 16
         *  @return this builder */
        public Builder workerThreads(int workerThreads) {
            this.workerThreads = workerThreads;
            return this;
        }

        /** @param policy enables {@code {"url": ...}} bodies under this policy; null (default) disables them
         *  @return this builder */
        public Builder urlFetching(UrlFetchPolicy policy) {
            this.urlFetchPolicy = policy;
            return this;
        }

        /** @param decoder the image decoder and its limits, default {@link ImageDecoder#defaults()}
         *  @return this builder */
        public Builder imageDecoder(ImageDecoder decoder) {
            this.imageDecoder = decoder;
            return this;
        }

        /**
         * SageMaker batch transform (the container sees {@code SAGEMAKER_BATCH=true}) waits up to
         * 600 s per invocation instead of a real-time endpoint's 60 s: batch mode lets
         * {@link #requestTimeout(Duration)} go up to {@link #BATCH_INVOCATION_LIMIT}. It does not
         * change the timeout by itself.
         *
         * @param batchMode true under batch transform; default false
         * @return this builder
         */
        public Builder batchMode(boolean batchMode) {
            this.batchMode = batchMode;
            return this;
        }

        /**
         * @param demoPage true to serve {@code GET /}, a page where one picks or drops an X-ray and
         *     sees the label, the probability against the threshold and the heat map beside the
         *     image, and {@code GET /model}, the model's id and {@code model.json} as JSON. Plain
         *     HTML and JavaScript from the jar, no network. Off by default: both routes answer 404.
         * @return this builder
         */
        public Builder demoPage(boolean demoPage) {
            this.demoPage = demoPage;
            return this;
        }

        /**
         * @param maxConcurrentTransforms what {@code GET /execution-parameters} reports as
         *     {@code MaxConcurrentTransforms} (SageMaker's {@code SAGEMAKER_MAX_CONCURRENT_TRANSFORMS});
         *     0 (default) reports the max batch size
         * @return this builder
         */
        public Builder maxConcurrentTransforms(int maxConcurrentTransforms) {
            this.maxConcurrentTransforms = maxConcurrentTransforms;
            return this;
        }

        /**
         * @param batchStrategy what {@code GET /execution-parameters} reports as {@code BatchStrategy}
         *     (SageMaker's {@code SAGEMAKER_BATCH_STRATEGY}): {@code SINGLE_RECORD} (default; one
         *     image per request) or {@code MULTI_RECORD}; case-insensitive
         * @return this builder
         */
        public Builder batchStrategy(String batchStrategy) {
            this.batchStrategy = batchStrategy == null ? null : batchStrategy.trim().toUpperCase(java.util.Locale.ROOT);
            return this;
        }

        /**
         * @return the server, not yet started
         * @throws InvalidConfigurationException naming the first bad field
         */
        public ModelServer build() {
            if (model == null && modelLoader == null) {
                throw new InvalidConfigurationException("model", "set a model or a modelLoader");
            }
            if (host == null || host.isBlank()) {
                throw new InvalidConfigurationException("host", "must not be blank");
            }
            if (port < 0 || port > 65535) {
                throw new InvalidConfigurationException("port", "must be 0 to 65535, was " + port);
            }
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigurationException("maxBodyBytes", "must be 1 to 2 GiB, was " + maxBodyBytes);
            }
            if (maxBatchSize < 1 || maxBatchSize > 1024) {
                throw new InvalidConfigurationException("maxBatchSize", "must be 1 to 1024, was " + maxBatchSize);
            }
            requirePositive("maxBatchDelay", maxBatchDelay, Duration.ofSeconds(1), true);
            if (queueCapacity < 1 || queueCapacity > 100_000) {
                throw new InvalidConfigurationException("queueCapacity", "must be 1 to 100000, was " + queueCapacity);
            }
            requirePositive("requestTimeout", requestTimeout,
                    batchMode ? BATCH_INVOCATION_LIMIT : REAL_TIME_INVOCATION_LIMIT, false);
            requirePositive("headerTimeout", headerTimeout, Duration.ofSeconds(60), true);
            requirePositive("shutdownTimeout", shutdownTimeout, Duration.ofSeconds(30), true);
            if (maxHeaderBytes < 256) {
                throw new InvalidConfigurationException("maxHeaderBytes", "must be at least 256, was " + maxHeaderBytes);
            }
            if (maxUriLength < 64) {
                throw new InvalidConfigurationException("maxUriLength", "must be at least 64, was " + maxUriLength);
            }
            if (workerThreads < 1 || workerThreads > 1024) {
                throw new InvalidConfigurationException("workerThreads", "must be 1 to 1024, was " + workerThreads);
            }
            if (imageDecoder == null) {
                throw new InvalidConfigurationException("imageDecoder", "must not be null");
            }
            if (maxConcurrentTransforms < 0 || maxConcurrentTransforms > MAX_CONCURRENT_TRANSFORMS) {
                throw new InvalidConfigurationException("maxConcurrentTransforms", "must be 0 (report the max batch"
                        + " size) to " + MAX_CONCURRENT_TRANSFORMS + ", was " + maxConcurrentTransforms);
            }
            if (batchStrategy == null || !BATCH_STRATEGIES.contains(batchStrategy)) {
                throw new InvalidConfigurationException("batchStrategy",
                        "must be SINGLE_RECORD or MULTI_RECORD, was " + batchStrategy);
            }
            return new ModelServer(this);
        }

        private static void requirePositive(String field, Duration value, Duration max, boolean inclusive) {
            if (value == null || value.isNegative() || (value.isZero() && !field.equals("maxBatchDelay"))) {
                throw new InvalidConfigurationException(field, "must be positive, was " + value);
            }
            int cmp = value.compareTo(max);
            if (cmp > 0 || (cmp == 0 && !inclusive)) {
                throw new InvalidConfigurationException(field, "must be " + (inclusive ? "at most " : "under ")
                        + max.toSeconds() + " s, was " + value);
            }
        }
    }
}
