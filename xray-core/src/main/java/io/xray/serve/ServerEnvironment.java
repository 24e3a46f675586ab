package io.xray.serve;

import io.xray.InvalidConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What SageMaker's inference container environment says about serving, read once from an
 * environment map and applied to a {@link ModelServer.Builder}. The SageMaker {@code serve}
 * entrypoint and {@code xray serve} read it from {@link System#getenv()}:
 *
 * <pre>{@code
 * ModelServer.Builder builder = ServerEnvironment.of(System.getenv()).applyTo(ModelServer.builder());
 * builder.port(9000); // settings given explicitly afterwards win over the environment
 * }</pre>
 *
 * <ul>
 *   <li>{@value #BIND_TO_PORT}: the port (0 to 65535);
 *   <li>{@value #MAX_PAYLOAD_IN_MB}: the body limit in MiB (1 to {@value #MAX_PAYLOAD_MB}); under
 *       batch transform 0 means SageMaker states no limit, and the server takes
 *       {@value #UNSTATED_BATCH_PAYLOAD_MB} MiB;
 *   <li>{@value #BATCH}: {@code true} under batch transform: batch mode, with the request timeout
 *       {@link ModelServer#BATCH_REQUEST_TIMEOUT} instead of {@link ModelServer#DEFAULT_REQUEST_TIMEOUT};
 *       {@code true/false}, {@code 1/0} or {@code yes/no};
 *   <li>{@value #MAX_CONCURRENT_TRANSFORMS} and {@value #BATCH_STRATEGY}: what
 *       {@code GET /execution-parameters} reports.
 * </ul>
 *
 * <p>A variable that is absent or blank leaves the builder's setting alone. A value that cannot
 * work is refused when the environment is read, with an {@link InvalidConfigurationException} whose
 * field is the variable's name.
 */
public final class ServerEnvironment {

    /** The port SageMaker calls the container on. */
    public static final String BIND_TO_PORT = "SAGEMAKER_BIND_TO_PORT";
    /** The largest request body SageMaker sends, in MiB. */
    public static final String MAX_PAYLOAD_IN_MB = "SAGEMAKER_MAX_PAYLOAD_IN_MB";
    /** {@code true} when the container runs a batch transform job. */
    public static final String BATCH = "SAGEMAKER_BATCH";
    /** How many requests batch transform sends at once. */
    public static final String MAX_CONCURRENT_TRANSFORMS = "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS";
    /** {@code SINGLE_RECORD} or {@code MULTI_RECORD}. */
    public static final String BATCH_STRATEGY = "SAGEMAKER_BATCH_STRATEGY";
    /** PyTorch's OpenMP wait policy; not SageMaker's, but serving throughput depends on it. */
    public static final String OMP_WAIT_POLICY = "OMP_WAIT_POLICY";

    /** The body limit when batch transform sets {@value #MAX_PAYLOAD_IN_MB} to 0 (no stated limit). */
    public static final int UNSTATED_BATCH_PAYLOAD_MB = 100;
    /** The largest body limit accepted, in MiB. */
    public static final int MAX_PAYLOAD_MB = 1024;

    private final Integer port;
    private final boolean batch;
    private final Integer maxPayloadMb;
    private final Integer maxConcurrentTransforms;
    private final String batchStrategy;
    private final List<String> warnings;

    private ServerEnvironment(Integer port, boolean batch, Integer maxPayloadMb, Integer maxConcurrentTransforms,
            String batchStrategy, List<String> warnings) {
        this.port = port;
        this.batch = batch;
        this.maxPayloadMb = maxPayloadMb;
        this.maxConcurrentTransforms = maxConcurrentTransforms;
        this.batchStrategy = batchStrategy;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads the serving variables of an environment; other variables are ignored.
     *
     * @param environment variable names to values, such as {@link System#getenv()}
     * @return what they say
     * @throws InvalidConfigurationException naming the first variable whose value cannot work
     */
    public static ServerEnvironment of(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        boolean batch = booleanVariable(environment, BATCH);
        Integer port = intVariable(environment, BIND_TO_PORT);
        if (port != null && (port < 0 || port > 65535)) {
            throw new InvalidConfigurationException(BIND_TO_PORT, "must be 0 to 65535, was " + port);
        }
        Integer payloadMb = intVariable(environment, MAX_PAYLOAD_IN_MB);
        if (payloadMb != null && payloadMb == 0 && batch) {
            payloadMb = UNSTATED_BATCH_PAYLOAD_MB;
        }
        if (payloadMb != null && (payloadMb < 1 || payloadMb > MAX_PAYLOAD_MB)) {
            throw new InvalidConfigurationException(MAX_PAYLOAD_IN_MB, "must be 1 to " + MAX_PAYLOAD_MB
                    + " MiB" + (batch ? " or 0 (no stated limit)" : "") + ", was " + payloadMb);
        }
        Integer transforms = intVariable(environment, MAX_CONCURRENT_TRANSFORMS);
        if (transforms != null && (transforms < 0 || transforms > ModelServer.MAX_CONCURRENT_TRANSFORMS)) {
            throw new InvalidConfigurationException(MAX_CONCURRENT_TRANSFORMS, "must be 0 to "
                    + ModelServer.MAX_CONCURRENT_TRANSFORMS + ", was " + transforms);
        }
        String strategy = value(environment, BATCH_STRATEGY);
        if (strategy != null) {
            strategy = strategy.toUpperCase(Locale.ROOT);
            if (!ModelServer.BATCH_STRATEGIES.contains(strategy)) {
                throw new InvalidConfigurationException(BATCH_STRATEGY, "must be SINGLE_RECORD or MULTI_RECORD, was '"
                        + environment.get(BATCH_STRATEGY) + "'");
            }
        }
        List<String> warnings = new ArrayList<>();
        if (value(environment, OMP_WAIT_POLICY) == null) {
            warnings.add(OMP_WAIT_POLICY + " is not set: PyTorch's OpenMP threads will spin after every forward pass"
                    + " and take the CPU that decoding and HTTP need; export " + OMP_WAIT_POLICY + "=PASSIVE before"
                    + " starting the server");
        }
        return new ServerEnvironment(port, batch, payloadMb, transforms, strategy, warnings);
    }

    /**
     * Sets on the builder what the environment states: the port, the body limit, batch mode with
     * its longer request timeout (when {@value #BATCH} is true), the concurrent transforms and the
     * batch strategy. Settings the environment does not state are left as they are; set any of them
     * again afterwards to override the environment.
     *
     * @param builder a server builder
     * @return the same builder
     */
    public ModelServer.Builder applyTo(ModelServer.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        if (port != null) {
            builder.port(port);
        }
        if (maxPayloadMb != null) {
            builder.maxBodyBytes((long) maxPayloadMb << 20);
        }
        if (batch) {
            builder.batchMode(true).requestTimeout(requestTimeout());
        }
        if (maxConcurrentTransforms != null) {
            builder.maxConcurrentTransforms(maxConcurrentTransforms);
        }
        if (batchStrategy != null) {
            builder.batchStrategy(batchStrategy);
        }
        return builder;
    }

    /** @return the port {@value #BIND_TO_PORT} states, if it does */
    public OptionalInt port() {
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    /** @return whether {@value #BATCH} says the container runs a batch transform job */
    public boolean batch() {
        return batch;
    }

    /**
     * @return the body limit in bytes that {@value #MAX_PAYLOAD_IN_MB} states ({@value
     *     #UNSTATED_BATCH_PAYLOAD_MB} MiB for 0 under batch transform), if it does
     */
    public OptionalLong maxBodyBytes() {
        return maxPayloadMb == null ? OptionalLong.empty() : OptionalLong.of((long) maxPayloadMb << 20);
    }

    /**
     * @return the request timeout the environment calls for: {@link ModelServer#BATCH_REQUEST_TIMEOUT}
     *     under batch transform, else {@link ModelServer#DEFAULT_REQUEST_TIMEOUT}
     */
    public Duration requestTimeout() {
        return batch ? ModelServer.BATCH_REQUEST_TIMEOUT : ModelServer.DEFAULT_REQUEST_TIMEOUT;
    }

    /** @return what {@value #MAX_CONCURRENT_TRANSFORMS} states, if it does */
    public OptionalInt maxConcurrentTransforms() {
        return maxConcurrentTransforms == null ? OptionalInt.empty() : OptionalInt.of(maxConcurrentTransforms);
    }

    /** @return the batch strategy {@value #BATCH_STRATEGY} states, upper case, if it does */
    public Optional<String> batchStrategy() {
        return Optional.ofNullable(batchStrategy);
    }

    /**
     * @return advice about the environment that does not stop the server, such as an unset
     *     {@value #OMP_WAIT_POLICY}; the caller logs or prints it
     */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return "ServerEnvironment[port=" + port + ", batch=" + batch + ", maxPayloadMb=" + maxPayloadMb
                + ", maxConcurrentTransforms=" + maxConcurrentTransforms + ", batchStrategy=" + batchStrategy + "]";
    }

    private static String value(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static boolean booleanVariable(Map<String, String> environment, String name) {
        String value = value(environment, name);
        if (value == null) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new InvalidConfigurationException(name, "must be true or false, was '"
                    + environment.get(name) + "'");
        };
    }

    private static Integer intVariable(Map<String, String> environment, String name) {
        String value = value(environment, name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(name, "must be a whole number, was '" + environment.get(name) + "'");
        }
    }
}
