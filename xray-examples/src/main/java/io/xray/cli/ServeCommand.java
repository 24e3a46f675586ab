package io.xray.cli;

import io.xray.InvalidConfigurationException;
import io.xray.model.InferenceOptions;
import io.xray.model.ModelArtifact;
import io.xray.serve.ClassifierModel;
import io.xray.serve.ModelServer;
import io.xray.serve.ServerEnvironment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xray serve}: runs a model behind SageMaker's inference container contract ({@code /ping},
 * {@code /invocations}, {@code /execution-parameters}, {@code /metrics}) until SIGTERM or SIGINT.
 *
 * <p>It reads SageMaker's environment with {@link ServerEnvironment}: {@code SAGEMAKER_BIND_TO_PORT} (the port, unless
 * {@code --port} is given), {@code SAGEMAKER_MAX_PAYLOAD_IN_MB} (the body limit, unless
 * {@code --max-payload-mb} is given), {@code SAGEMAKER_BATCH=true} (batch transform: the request
 * timeout defaults to 590 s instead of 55 s), and {@code SAGEMAKER_MAX_CONCURRENT_TRANSFORMS} and
 * {@code SAGEMAKER_BATCH_STRATEGY}, which {@code GET /execution-parameters} reports.
 *
 * <p>The port opens at once and {@code /ping} answers 200 when the model has loaded. On SIGTERM
 * the server stops accepting, drains in-flight requests and exits within 30 s.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a model over HTTP with SageMaker's inference contract: GET /ping, POST /invocations,"
                    + " GET /execution-parameters, GET /metrics. Stops, draining requests, on SIGTERM.",
            "Environment: SAGEMAKER_BIND_TO_PORT, SAGEMAKER_MAX_PAYLOAD_IN_MB, SAGEMAKER_BATCH,"
                    + " SAGEMAKER_MAX_CONCURRENT_TRANSFORMS, SAGEMAKER_BATCH_STRATEGY (options given on the"
                    + " command line win)."
        })
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    private CommandSpec spec;

    @Mixin
    private PrecisionOptions precision = new PrecisionOptions();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model directory written by xray train")
    private Path model;

    @Option(names = "--port", paramLabel = "N",
            description = "port to listen on; 0 picks a free one (default: $SAGEMAKER_BIND_TO_PORT, else 8080)")
    private Integer port;

    @Option(names = "--host", defaultValue = "0.0.0.0",
            description = "interface to bind; 127.0.0.1 for loopback only (default: ${DEFAULT-VALUE})")
    private String host;

    @Option(names = "--max-batch-size", defaultValue = "8",
            description = "most images per model call (default: ${DEFAULT-VALUE})")
    private int maxBatchSize;

    @Option(names = "--max-batch-delay-ms", defaultValue = "5",
            description = "how long the model thread waits to fill a batch, ms (default: ${DEFAULT-VALUE})")
    private long maxBatchDelayMs;

    @Option(names = "--queue-capacity", defaultValue = "64",
            description = "requests that may wait for the model before 503 (default: ${DEFAULT-VALUE})")
    private int queueCapacity;

    @Option(names = "--max-payload-mb", paramLabel = "MB",
            description = "largest request body in MiB (default: $SAGEMAKER_MAX_PAYLOAD_IN_MB, else 6)")
    private Integer maxPayloadMb;

    @Option(names = "--request-timeout-s", paramLabel = "S",
            description = "time to answer an invocation, s (default: 55, or 590 when SAGEMAKER_BATCH=true)")
    private Integer requestTimeoutSeconds;

    @Option(names = "--demo",
            description = "also serve a demo page at / (pick or drop an X-ray; label, probability, heat map) and the"
                    + " model's description at /model; off by default")
    private boolean demo;

    @Option(names = "--worker-threads", defaultValue = "16",
            description = "threads that read bodies and decode images (default: ${DEFAULT-VALUE})")
    private int workerThreads;

    private final Map<String, String> environment;

    /** Reads the process environment. */
    ServeCommand() {
        this(System.getenv());
    }

    /** @param environment the environment to read SageMaker's variables from (tests pass their own) */
    ServeCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public Integer call() throws Exception {
        check();
        precision.requireGuardChoice(false);
        ModelArtifact.read(model); // fails at once, naming the file, when DIR is not a model
        InferenceOptions options = precision.toOptions(false);
        ModelServer.Builder builder = configure(ModelServer.builder())
                .modelLoader(() -> ClassifierModel.load(model, options));
        PrintWriter out = spec.commandLine().getOut();
        try (ModelServer server = builder.build().start()) {
            server.installShutdownHook();
            String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
            out.printf("xray serve: listening on %s (model %s loading)%n", url, model);
            out.flush();
            if (!server.awaitReady(ModelServer.LOAD_LIMIT)) {
                spec.commandLine().getErr().println("xray: the model did not load: " + server.loadFailure()
                        .orElse("still loading after " + ModelServer.LOAD_LIMIT.toMinutes() + " minutes"));
                spec.commandLine().getErr().flush();
                return 1;
            }
            out.printf(Locale.ROOT, "xray serve: ready at %s/invocations (%s mode, max batch %d, queue %d)%n",
                    url, server.isBatchMode() ? "batch-transform" : "real-time", maxBatchSize, queueCapacity);
            if (demo) {
                out.printf("xray serve: demo page at %s/%n", url);
            }
            out.flush();
            server.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // embedded use: the server was closed on the way out
        }
        return 0;
    }

    /**
     * Checks the numeric options against the server's limits before the model is read, naming the
     * option. The request timeout must stay under SageMaker's wait for an invocation: 60 s, or
     * 600 s in batch transform ({@code SAGEMAKER_BATCH=true}).
     */
    private void check() {
        OptionChecks checks = OptionChecks.of(spec);
        precision.check(checks);
        checks.between("--port", port, 0, 65535)
                .between("--max-batch-size", maxBatchSize, 1, 1024)
                .between("--max-batch-delay-ms", maxBatchDelayMs, 0, 1000)
                .between("--queue-capacity", queueCapacity, 1, 100_000)
                .between("--max-payload-mb", maxPayloadMb, 1, ServerEnvironment.MAX_PAYLOAD_MB)
                .between("--worker-threads", workerThreads, 1, 1024);
        if (requestTimeoutSeconds != null) {
            boolean batch = ServerEnvironment.of(environment).batch();
            Duration limit = batch ? ModelServer.BATCH_INVOCATION_LIMIT : ModelServer.REAL_TIME_INVOCATION_LIMIT;
            checks.between("--request-timeout-s", requestTimeoutSeconds, 1, limit.toSeconds() - 1);
        }
    }

    /**
     * Applies SageMaker's environment ({@link ServerEnvironment}), then the options, to a server
     * builder: an option given on the command line wins over the environment.
     *
     * @param builder a builder
     * @return the builder, without a model
     * @throws InvalidConfigurationException naming the option or environment variable that is wrong
     */
    ModelServer.Builder configure(ModelServer.Builder builder) {
        ServerEnvironment serving = ServerEnvironment.of(environment);
        serving.warnings().forEach(LOG::warn);
        serving.applyTo(builder)
                .host(host)
                .maxBatchSize(maxBatchSize)
                .maxBatchDelay(Duration.ofMillis(maxBatchDelayMs))
                .queueCapacity(queueCapacity)
                .workerThreads(workerThreads)
                .demoPage(demo);
        if (port != null) {
            builder.port(port);
        }
        if (maxPayloadMb != null) {
            if (maxPayloadMb < 1 || maxPayloadMb > ServerEnvironment.MAX_PAYLOAD_MB) {
                throw new InvalidConfigurationException("--max-payload-mb", "must be 1 to "
                        + ServerEnvironment.MAX_PAYLOAD_MB + " MiB, was " + maxPayloadMb);
            }
            builder.maxBodyBytes((long) maxPayloadMb << 20);
        }
        if (requestTimeoutSeconds != null) {
            builder.requestTimeout(Duration.ofSeconds(requestTimeoutSeconds));
        }
        return builder;
    }
}
