package io.xray.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.serve.ClassifierModel;
import io.xray.serve.ModelServer;
import io.xray.serve.ServerEnvironment;
import io.xray.train.EpochResult;
import io.xray.train.FitListener;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The xray container's two entrypoints, as SageMaker runs them: {@code <image> train} and
 * {@code <image> serve}, over SageMaker's {@code /opt/ml} contract. The root is a parameter, so
 * both run on any folder (tests use a temporary one).
 *
 * <p><b>train</b> ({@link #train(Path, PrintStream)}) reads
 * <ul>
 *   <li>{@code input/config/hyperparameters.json}: the {@link TrainingRecipe} as
 *       {@link TrainingRecipe#fromHyperparameters} reads it (every value a string, JSON-encoded
 *       values accepted, {@code sagemaker_*} keys ignored; an unknown key or a bad value fails
 *       naming both); missing means the default recipe;
 *   <li>{@code input/config/resourceconfig.json}: more than one host is refused (xray trains on one
 *       instance);
 *   <li>{@code input/config/inputdataconfig.json}: every channel must be in {@code File} mode;
 *   <li>the channels {@code input/data/<channel>/}: {@code train} (required) holds a
 *       {@code chest_xray} folder ({@code train/}, and optionally {@code val/} and {@code test/},
 *       each with {@code NORMAL/} and {@code PNEUMONIA/}) or one JSON Lines manifest;
 *       {@code validation} and {@code test} (optional) hold the same and replace those splits.
 *       With no validation images, 10% of the training patients are set aside (seeded by the
 *       recipe).
 * </ul>
 * It trains with {@link ResNetFineTuner}, prints every epoch's {@code Val_epoch} line on the
 * console (what the training job's metric definitions read), writes the model to {@code model/}
 * and checkpoints to {@code checkpoints/} (which managed spot training syncs), and resumes from a
 * checkpoint found there. On SIGTERM ({@code StopTrainingJob}, a spot interruption) the last
 * complete epoch's checkpoint is already on disk (checkpoints are written atomically after every
 * epoch); the process says so and exits, and a restarted job resumes from it. On failure the cause
 * is written first in {@code output/failure} (SageMaker keeps its first 1,024 characters as the
 * job's FailureReason) and the process exits with status 1.
 *
 * <p><b>serve</b> ({@link #serve(Path, Map)}) runs a {@link ModelServer} on port 8080 (or
 * {@code SAGEMAKER_BIND_TO_PORT}) with the model from {@code model/}, configured from the
 * environment by {@link ServerEnvironment}.
 */
public final class SageMakerContainer {

    /** SageMaker's root inside a container. */
    public static final Path DEFAULT_ROOT = Path.of("/opt/ml");
    /** How many characters of {@code output/failure} SageMaker keeps as FailureReason. */
    public static final int FAILURE_REASON_LIMIT = 1024;
    /** The training channel, required. */
    public static final String TRAIN_CHANNEL = "train";
    /** The optional validation channel. */
    public static final String VALIDATION_CHANNEL = "validation";
    /** The optional test channel. */
    public static final String TEST_CHANNEL = "test";
    /** The validation fraction of the training patients when no channel or folder gives validation images. */
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

    private static final Logger LOG = LoggerFactory.getLogger(SageMakerContainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FAILURE_FILE_LIMIT = 64 * 1024;

    private SageMakerContainer() {
    }

    /**
     * {@code train} or {@code serve}, as SageMaker calls the image; {@code --opt-ml DIR} replaces
     * {@code /opt/ml}. Exits 0 on success, 1 on failure (after writing {@code output/failure} for
     * {@code train}), 2 for a bad command line.
     *
     * @param args the command and options
     */
    public static void main(String[] args) {
        int status = run(args, System.getenv(), System.out, true);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs an entrypoint as {@link #main} does, without exiting the JVM.
     *
     * @param args {@code train} or {@code serve}, then optionally {@code --opt-ml DIR}
     * @param environment the environment ({@code serve} reads SageMaker's variables from it)
     * @param console where the {@code Val_epoch} lines and the outcome are printed
     * @param awaitServer for {@code serve}: whether to block until the server stops (true in a container)
     * @return the exit status: 0 success, 1 failure, 2 bad command line
     */
    public static int run(String[] args, Map<String, String> environment, PrintStream console, boolean awaitServer) {
        Path root = DEFAULT_ROOT;
        String command = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--opt-ml") && i + 1 < args.length) {
                root = Path.of(args[++i]);
            } else if (command == null && (args[i].equals("train") || args[i].equals("serve"))) {
                command = args[i];
            } else {
                console.println("usage: (train | serve) [--opt-ml DIR]; unexpected argument '" + args[i] + "'");
                return 2;
            }
        }
        if (command == null) {
            console.println("usage: (train | serve) [--opt-ml DIR]");
            return 2;
        }
        if (command.equals("train")) {
            return trainOrReport(root, console);
        }
        try {
            ModelServer server = serve(root, environment);
            if (awaitServer) {
                server.installShutdownHook();
                server.awaitStop();
                server.close();
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            console.println("serve failed: " + cause(e));
            LOG.error("serve failed", e);
            return 1;
        }
    }

    /**
     * Trains as {@link #train(Path, PrintStream)} does; on failure writes {@code output/failure}
     * (the cause first) and returns 1 instead of throwing.
     *
     * @param root the {@code /opt/ml} folder
     * @param console where the {@code Val_epoch} lines go
     * @return 0 when a model was written, 1 otherwise
     */
    public static int trainOrReport(Path root, PrintStream console) {
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger lastEpoch = new AtomicInteger();
        Thread onSigterm = new Thread(() -> {
            if (!finished.get()) {
                int epoch = lastEpoch.get();
                String message = epoch > 0
                        ? "SIGTERM: stopping; the checkpoint of epoch " + epoch + " (the last complete one) is in "
                                + root.resolve("checkpoints") + "; a restarted job resumes from it"
                        : "SIGTERM: stopping before this run completed an epoch; a restarted job resumes from the"
                                + " checkpoint of an earlier run in " + root.resolve("checkpoints") + " if there is one,"
                                + " else starts afresh";
                console.println(message);
                console.flush();
                LOG.warn(message);
            }
        }, "xray-train-sigterm");
        boolean hooked = addShutdownHook(onSigterm);
        try {
            FitResult result = train(root, console, lastEpoch);
            console.println("Training complete: best epoch " + result.bestEpoch() + ", model in " + result.artifactDirectory());
            return 0;
        } catch (RuntimeException | Error e) {
            writeFailure(root, e);
            console.println("Training failed: " + cause(e));
            LOG.error("training failed; cause written to {}", root.resolve("output/failure"), e);
            return 1;
        } finally {
            finished.set(true);
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSigterm);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
            console.flush();
        }
    }

    /**
     * The {@code train} entrypoint without the failure file: reads the configuration and channels
     * under {@code root}, trains, and writes the model to {@code root/model}.
     *
     * @param root the {@code /opt/ml} folder
     * @param console where every epoch's {@code Val_epoch} line is printed
     * @return the training result; the model is in {@code root/model}
     * @throws InvalidConfigurationException naming the bad hyperparameter, configuration file or channel
     */
    public static FitResult train(Path root, PrintStream console) {
        return train(root, console, new AtomicInteger());
    }

    private static FitResult train(Path root, PrintStream console, AtomicInteger lastEpoch) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(console, "console");
        Path config = root.resolve("input/config");
        Map<String, String> hyperparameters = readHyperparameters(config.resolve("hyperparameters.json"));
        checkResources(config.resolve("resourceconfig.json"));
        checkInputModes(config.resolve("inputdataconfig.json"));
        TrainingRecipe recipe = TrainingRecipe.fromHyperparameters(hyperparameters);
        LOG.info("Recipe from hyperparameters.json: {}", recipe.toHyperparameters());
        Dataset dataset = readChannels(root.resolve("input/data"), recipe.seed());

        ResNetFineTuner tuner = ResNetFineTuner.builder()
                .recipe(recipe)
                .outputDirectory(root)
                .checkpointDirectory(root.resolve("checkpoints"))
                .resume(true)
                .build();
        return tuner.fit(dataset, new FitListener() {
            @Override
            public void onEpoch(EpochResult result, String logLine) {
                lastEpoch.set(result.epoch());
                console.println(logLine);
                console.flush();
            }
        });
    }

    /**
     * The {@code serve} entrypoint: starts a {@link ModelServer} with the model from
     * {@code root/model}, loaded in the background so the port is open at once, on port 8080 unless
     * {@code SAGEMAKER_BIND_TO_PORT} says otherwise.
     *
     * @param root the {@code /opt/ml} folder
     * @param environment SageMaker's serving variables, read by {@link ServerEnvironment#of(Map)}
     * @return the started server; the caller closes it
     * @throws InvalidConfigurationException naming a bad variable, or {@code model} when
     *     {@code root/model} is missing
     */
    public static ModelServer serve(Path root, Map<String, String> environment) {
        Path model = root.resolve("model");
        if (!Files.isDirectory(model)) {
            throw new InvalidConfigurationException("model", model + " is not a folder: SageMaker unpacks the model"
                    + " artifact (model.tar.gz) there; check the model's ModelDataUrl");
        }
        ServerEnvironment serving = ServerEnvironment.of(environment);
        serving.warnings().forEach(w -> LOG.warn("{}", w));
        ModelServer.Builder builder = ModelServer.builder()
                .port(ModelServer.DEFAULT_PORT)
                .modelLoader(() -> ClassifierModel.load(model));
        return serving.applyTo(builder).build().start();
    }

    // ------------------------------------------------------------------ configuration files

    static Map<String, String> readHyperparameters(Path file) {
        if (!Files.exists(file)) {
            LOG.info("{} is missing: training the default recipe", file);
            return Map.of();
        }
        JsonNode json = readJson(file);
        if (!json.isObject()) {
            throw new InvalidConfigurationException("hyperparameters.json", "must hold a JSON object, not " + json.getNodeType());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // SageMaker sends strings; anything else (a hand-written file) is taken as its JSON text.
            values.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        }
        return values;
    }

    private static void checkResources(Path file) {
        if (!Files.exists(file)) {
            return;
        }
        JsonNode hosts = readJson(file).path("hosts");
        if (hosts.isArray() && hosts.size() > 1) {
            throw new InvalidConfigurationException("resourceconfig.json", "the job runs on " + hosts.size()
                    + " instances " + hosts + ", but xray trains on one: set the instance count to 1");
        }
    }

    private static void checkInputModes(Path file) {
        if (!Files.exists(file)) {
            return;
        }
        JsonNode channels = readJson(file);
        for (Iterator<Map.Entry<String, JsonNode>> it = channels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String mode = e.getValue().path("TrainingInputMode").asText("File");
            if (!mode.equals("File")) {
                throw new InvalidConfigurationException("inputdataconfig.json", "channel '" + e.getKey() + "' is in "
                        + mode + " mode; xray reads files: use TrainingInputMode File");
            }
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidConfigurationException(file.getFileName().toString(), "cannot read " + file + ": " + e.getMessage());
        }
    }

    static Dataset readChannels(Path data, long seed) {
        Path train = data.resolve(TRAIN_CHANNEL);
        if (!Files.isDirectory(train)) {
            throw new InvalidConfigurationException("channel " + TRAIN_CHANNEL, train + " is missing: give the job a '"
                    + TRAIN_CHANNEL + "' channel holding a chest_xray folder (train/, val/, test/) or a manifest");
        }
        List<ImageRecord> records = new ArrayList<>(channel(TRAIN_CHANNEL, train).records());
        for (String name : List.of(VALIDATION_CHANNEL, TEST_CHANNEL)) {
            Path folder = data.resolve(name);
            if (Files.isDirectory(folder)) {
                Split split = name.equals(VALIDATION_CHANNEL) ? Split.VAL : Split.TEST;
                records.removeIf(r -> r.split() == split);
                for (ImageRecord r : channel(name, folder).records()) {
                    records.add(r.split() == split ? r : r.withSplit(split));
                }
            }
        }
        Dataset dataset = Dataset.of(records);
        if (dataset.records(Split.VAL).isEmpty()) {
            LOG.info("No validation images (no '{}' channel, no val/ folder): setting {}% of the training patients aside",
                    VALIDATION_CHANNEL, Math.round(DEFAULT_VALIDATION_FRACTION * 100));
            dataset = dataset.withValidationFromTrain(DEFAULT_VALIDATION_FRACTION, seed);
        }
        return dataset;
    }

    private static Dataset channel(String name, Path folder) {
        List<Path> manifests;
        try (Stream<Path> files = Files.list(folder)) {
            manifests = files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jsonl")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (manifests.size() > 1) {
            throw new InvalidConfigurationException("channel " + name, "holds " + manifests.size()
                    + " manifests " + manifests + "; give one");
        }
        try {
            return Dataset.load(manifests.isEmpty() ? folder : manifests.get(0));
        } catch (XrayException e) {
            throw new InvalidConfigurationException("channel " + name, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ failure reporting

    private static boolean addShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    /** The cause in one line: the message for xray's own exceptions, else the class and message. */
    static String cause(Throwable e) {
        Throwable root = e;
        while (!(root instanceof XrayException) && root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage();
        return root instanceof XrayException ? message : root.getClass().getName() + (message.isEmpty() ? "" : ": " + message);
    }

    /**
     * Writes {@code output/failure}: the cause first, cut to {@link #FAILURE_REASON_LIMIT}
     * characters so that SageMaker's FailureReason holds it whole or marked as cut, then the stack
     * trace for the logs, the whole file at most 64 KiB.
     */
    static void writeFailure(Path root, Throwable e) {
        String cause = cause(e).replace('\n', ' ');
        if (cause.length() > FAILURE_REASON_LIMIT) {
            cause = cause.substring(0, FAILURE_REASON_LIMIT - 3) + "...";
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String text = cause + "\n\n" + trace;
        if (text.length() > FAILURE_FILE_LIMIT) {
            text = text.substring(0, FAILURE_FILE_LIMIT);
        }
        Path failure = root.resolve("output/failure");
        try {
            Files.createDirectories(failure.getParent());
            Files.writeString(failure, text, StandardCharsets.UTF_8);
        } catch (IOException io) {
            LOG.error("cannot write {}: {}", failure, io.toString());
        }
    }
}
