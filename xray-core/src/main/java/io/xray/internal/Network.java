package io.xray.internal;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.Devices;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.backbone.Architecture;
import io.xray.backbone.Backbone;
import io.xray.backbone.BackboneKind;
import io.xray.backbone.BackboneUnavailableException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A binary classification network: a ResNet18-style feature extractor (the backbone) followed by
 * a fresh fully connected head with one output, the logit of pneumonia. The probability is
 * {@code sigmoid(logit)}.
 *
 * <p>The backbone is one of three kinds ({@link BackboneKind}): torchvision's ResNet18 layout
 * built from DJL blocks at random; a TorchScript feature extractor loaded with
 * {@code trainParam=true} so that it can be fine-tuned; or the ImageNet ResNet18 embedding of
 * DJL's PyTorch model zoo. Parameters are named by stage ({@code stem}, {@code layer1} ...
 * {@code layer4}, {@code head}) so that training can freeze all but the last stages.
 *
 * <p>A TorchScript module is loaded in evaluation mode and DJL never switches it, so its
 * BatchNorm layers would silently stop updating their running statistics during training.
 * {@link #setTrainingMode(boolean)} switches the module explicitly; the trainer calls it before
 * every training and every evaluation pass.
 *
 * <p>A network owns native memory: close it.
 */
public final class Network implements AutoCloseable {

    /** Role of the single weight file of a from-scratch network. */
    public static final String NETWORK_WEIGHTS = "network";
    /** Role of the TorchScript backbone file of a fine-tuned TorchScript or zoo network. */
    public static final String BACKBONE_WEIGHTS = "backbone";
    /** Role of the head's weight file of a fine-tuned TorchScript or zoo network. */
    public static final String HEAD_WEIGHTS = "head";
    /** The stages, in order from input to output. */
    public static final List<String> STAGES = List.of("stem", "layer1", "layer2", "layer3", "layer4", "head");
    /** The model-zoo URL of DJL's ImageNet ResNet18 feature extractor. */
    public static final String IMAGENET_RESNET18_URL = "djl://ai.djl.pytorch/resnet18_embedding";

    private static final Logger LOG = LoggerFactory.getLogger(Network.class);
    private static final ObjectMapper MODEL_JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final int PROBE_SIZE = 64;
    /** BatchNorm's epsilon, as PyTorch's. */
    static final float BATCH_NORM_EPSILON = 1e-5f;
    /**
     * System property: {@code false} feeds images to the network in PyTorch's default contiguous
     * (N, C, H, W) layout instead of channels-last; for comparison only, it is slower.
     */
    public static final String CHANNELS_LAST_PROPERTY = "xray.channelsLast";
    /**
     * System property: {@code false} runs evaluation through the network's blocks, BatchNorm
     * included, instead of the folded convolutions; for comparison only, it is slower.
     */
    public static final String FOLD_BATCH_NORM_PROPERTY = "xray.foldBatchNorm";

    private final Architecture architecture;
    private final Device device;
    private final NDManager manager;
    private final Block backbone;
    private final Block head;
    private final ZooModel<NDList, NDList> scriptModel;
    private final Map<String, Parameter> parameters;
    private boolean trainingMode;
    private boolean backboneFrozen;
    private FoldedResNet folded;
    private ScriptedResNet scripted;
    private final DirectBuffers inputBuffers = new DirectBuffers();
    private final ReluProbe reluProbe;
    /** False for a TorchScript backbone with narrow 1x1 convolutions: see {@link #narrowPointwiseWeights}. */
    private final boolean channelsLastSafe;

    private Network(
            Architecture architecture,
            Device device,
            NDManager manager,
            Block backbone,
            Block head,
            ZooModel<NDList, NDList> scriptModel,
            ReluProbe reluProbe) {
        this.reluProbe = reluProbe;
        this.architecture = architecture;
        this.device = device;
        this.manager = manager;
        this.backbone = backbone;
        this.head = head;
        this.scriptModel = scriptModel;
        this.parameters = nameParameters(backbone, head);
        List<String> narrow = backbone instanceof PtSymbolBlock ? narrowPointwiseWeights(parameters) : List.of();
        this.channelsLastSafe = narrow.isEmpty();
        if (!channelsLastSafe) {
            LOG.info("The TorchScript backbone has 1x1 convolutions with fewer than {} input channels ({}): while"
                    + " it trains, its images stay in the contiguous layout, as oneDNN's weight gradient of a"
                    + " strided 1x1 convolution writes past its buffer on narrow channels-last inputs",
                    SubsamplingConv2d.SAFE_INPUT_CHANNELS, String.join(", ", narrow));
        }
    }

    /**
     * Names the 1x1 convolution weights, {@code (out, in, 1, 1)}, with fewer than
     * {@value SubsamplingConv2d#SAFE_INPUT_CHANNELS} input channels. A TorchScript module cannot be
     * rewritten the way {@link SubsamplingConv2d} rewrites a from-scratch network's shortcuts, and
     * its weights do not tell a strided convolution from another, so a backbone with any such
     * weight gets contiguous images whenever its weights can take gradients: oneDNN's channels-last
     * strided 1x1 weight gradient kills the process on them, its other path does not. Forward passes
     * and gradients with respect to the input alone are not affected, so a frozen backbone (a
     * loaded model, head-only training) keeps channels-last.
     */
    static List<String> narrowPointwiseWeights(Map<String, Parameter> parameters) {
        List<String> narrow = new java.util.ArrayList<>();
        parameters.forEach((name, parameter) -> {
            if (parameter.isInitialized()) {
                long[] shape = parameter.getArray().getShape().getShape();
                if (shape.length == 4 && shape[2] == 1 && shape[3] == 1
                        && shape[1] < SubsamplingConv2d.SAFE_INPUT_CHANNELS) {
                    narrow.add(name);
                }
            }
        });
        return narrow;
    }

    /**
     * @return true when images go to the backbone channels-last ({@link #channelsLast(NDArray)}):
     *     unless {@value #CHANNELS_LAST_PROPERTY} is {@code false}, or the backbone has narrow 1x1
     *     convolutions ({@link #narrowPointwiseWeights}) and some of its weights take gradients
     */
    boolean channelsLastInput() {
        if ("false".equals(System.getProperty(CHANNELS_LAST_PROPERTY))) {
            return false;
        }
        if (channelsLastSafe) {
            return true;
        }
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            if (!"head".equals(stageOf(entry.getKey())) && entry.getValue().requiresGradient()) {
                return false;
            }
        }
        return true;
    }

    /** @return the images channels-last when {@link #channelsLastInput()}, else as they are */
    private NDArray inputLayout(NDArray images) {
        return channelsLastInput() ? channelsLast(images) : images;
    }

    /**
     * Builds the network a backbone describes, with a fresh head.
     *
     * @param backbone the backbone
     * @param device where the network lives
     * @param seed seeds the initialisation
     * @return the network; close it
     */
    public static Network create(Backbone backbone, Device device, long seed) {
        return switch (backbone.kind()) {
            case RESNET18_SCRATCH -> resNet18FromScratch(backbone.stageWidths(), device, seed);
            case TORCHSCRIPT -> torchScript(backbone.file().orElseThrow(), device, seed);
            case RESNET18_IMAGENET_ZOO -> imagenetResNet18(device, seed);
            case XRAY_MODEL -> fromModel(backbone.file().orElseThrow(), device, seed);
        };
    }

    /**
     * Builds torchvision's ResNet18 layout (7x7/2 convolution and 3x3/2 max-pool stem, four stages
     * of two basic blocks, global average pool) from DJL blocks, with Kaiming-normal convolutions,
     * and a fresh one-logit head.
     *
     * @param stageWidths channels of the four stages, torchvision's being 64, 128, 256, 512; the
     *     stem has the first stage's width
     * @param device where the parameters live
     * @param seed seeds the engine's random generator before the parameters are initialised
     * @return the network, in training mode
     */
    public static Network resNet18FromScratch(List<Integer> stageWidths, Device device, long seed) {
        if (stageWidths == null || stageWidths.size() != 4 || stageWidths.stream().anyMatch(w -> w == null || w <= 0)) {
            throw new InvalidConfigurationException("stageWidths", "needs 4 positive widths, got " + stageWidths);
        }
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        return buildFromScratch(stageWidths, device);
    }

    private static Network buildFromScratch(List<Integer> stageWidths, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            ReluProbe probe = new ReluProbe();
            SequentialBlock backbone = resNet18Blocks(stageWidths, probe);
            backbone.setInitializer(
                    new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                    Parameter.Type.WEIGHT);
            backbone.initialize(manager, DataType.FLOAT32, new Shape(1, 3, PROBE_SIZE, PROBE_SIZE));
            int featureSize = stageWidths.get(3);
            Block head = newHead(manager, featureSize);
            Architecture architecture =
                    new Architecture(BackboneKind.RESNET18_SCRATCH, stageWidths, featureSize, "random", Map.of());
            Network network = new Network(architecture, device, manager, backbone, head, null, probe);
            network.setTrainingMode(true);
            return network;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a TorchScript feature extractor (a module whose forward maps {@code (N, 3, H, W)}
     * images to {@code (N, F)} or {@code (N, F, 1, 1)} features) so that its parameters can be
     * fine-tuned, and puts a fresh one-logit head after it.
     *
     * @param file the TorchScript file
     * @param device where the parameters live
     * @param seed seeds the head's initialisation
     * @return the network
     * @throws InvalidConfigurationException when the file does not exist
     * @throws XrayException when the file cannot be loaded as a TorchScript module
     */
    public static Network torchScript(Path file, Device device, long seed) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new InvalidConfigurationException("backbone", "TorchScript file not found: " + file);
        }
        ZooModel<NDList, NDList> model;
        try {
            model = scriptCriteria(device).optModelPath(file.toAbsolutePath()).build().loadModel();
        } catch (Exception e) {
            throw new XrayException(file + ": cannot load as a TorchScript module: " + e.getMessage(), e);
        }
        return withHead(model, BackboneKind.TORCHSCRIPT, file.getFileName().toString(), device, seed);
    }

    /**
     * Loads DJL's ImageNet ResNet18 feature extractor ({@value #IMAGENET_RESNET18_URL}) from the
     * model zoo so that it can be fine-tuned, and puts a fresh one-logit head after it. The first
     * call downloads it, which needs network access and {@code ai.djl.offline} unset or false.
     *
     * @param device where the parameters live
     * @param seed seeds the head's initialisation
     * @return the network
     * @throws BackboneUnavailableException saying what to do when the model cannot be downloaded
     */
    public static Network imagenetResNet18(Device device, long seed) {
        ZooModel<NDList, NDList> model;
        try {
            model = scriptCriteria(device)
                    .optModelUrls(IMAGENET_RESNET18_URL)
                    .optProgress(new ProgressBar())
                    .build()
                    .loadModel();
        } catch (Exception e) {
            throw new BackboneUnavailableException(Backbone.imagenetResNet18(), String.valueOf(e.getMessage()),
                    "The ImageNet ResNet18 backbone comes from DJL's model zoo ("
                            + IMAGENET_RESNET18_URL
                            + ") and could not be loaded: "
                            + e.getMessage()
                            + ". Its first use downloads it, which needs network access and the system property"
                            + " ai.djl.offline unset or false (it is "
                            + System.getProperty("ai.djl.offline", "unset")
                            + " here). Without network access, use Backbone.torchScript(file) with a ResNet18"
                            + " exported as TorchScript (see make_torchscript_resnet18_fixture.py), or"
                            + " Backbone.resNet18FromScratch().",
                    e);
        }
        return withHead(model, BackboneKind.RESNET18_IMAGENET_ZOO, IMAGENET_RESNET18_URL, device, seed);
    }

    /**
     * Loads an earlier xray model's network and replaces its head with a fresh one: fine-tuning
     * from that model's backbone. The network's architecture is the earlier model's (its kind,
     * widths and feature size), so a model trained from it loads as that one does.
     *
     * @param modelDirectory a model directory ({@code model.json} and weights)
     * @param device where the parameters live
     * @param seed seeds the head's initialisation
     * @return the network, in training mode
     * @throws InvalidConfigurationException when the folder holds no model
     */
    public static Network fromModel(Path modelDirectory, Device device, long seed) {
        Path modelJson = modelDirectory == null ? null : modelDirectory.resolve("model.json");
        if (modelJson == null || !Files.isRegularFile(modelJson)) {
            throw new InvalidConfigurationException("backbone", "model:" + modelDirectory
                    + " holds no model.json; expected a model directory written by xray train");
        }
        Architecture earlier;
        try {
            JsonNode root = MODEL_JSON.readTree(modelJson.toFile());
            earlier = MODEL_JSON.treeToValue(root.path("architecture"), Architecture.class);
        } catch (IOException | RuntimeException e) {
            throw new XrayException(modelJson + ": cannot read the model's architecture: " + e.getMessage(), e);
        }
        if (earlier == null) {
            throw new XrayException(modelJson + ": has no architecture");
        }
        Network loaded = load(earlier, modelDirectory, device);
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        Block head = newHead(loaded.manager, earlier.featureSize());
        Architecture architecture = new Architecture(earlier.backbone(), earlier.stageWidths(), earlier.featureSize(),
                "model:" + modelDirectory.toAbsolutePath().normalize(), Map.of());
        Network network = new Network(architecture, device, loaded.manager, loaded.backbone, head, loaded.scriptModel,
                loaded.reluProbe);
        network.setTrainableStages(Set.copyOf(STAGES));
        network.setTrainingMode(true);
        LOG.info("Loaded the backbone of the model in {} ({}, {} features) with a fresh head", modelDirectory,
                earlier.backbone(), earlier.featureSize());
        return network;
    }

    /**
     * Loads a network saved by {@link #save(Path, String)}.
     *
     * @param architecture the architecture, naming the weight files
     * @param directory the directory that holds the weight files
     * @param device where the parameters go
     * @return the network, in evaluation mode
     * @throws XrayException naming the file when a weight file is missing or malformed
     */
    public static Network load(Architecture architecture, Path directory, Device device) {
        Network network;
        if (architecture.backbone() == BackboneKind.RESNET18_SCRATCH) {
            Path file = weightFile(architecture, directory, NETWORK_WEIGHTS);
            network = buildFromScratch(architecture.stageWidths(), device);
            try (InputStream in = Files.newInputStream(file);
                    DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
                network.backbone.loadParameters(network.manager, data);
                network.head.loadParameters(network.manager, data);
            } catch (IOException | MalformedModelException | RuntimeException e) {
                network.close();
                throw new XrayException(file + ": cannot load the network weights: " + e.getMessage(), e);
            }
            network = network.withArchitecture(architecture);
        } else {
            Path backboneFile = weightFile(architecture, directory, BACKBONE_WEIGHTS);
            Path headFile = weightFile(architecture, directory, HEAD_WEIGHTS);
            ZooModel<NDList, NDList> model;
            try {
                model = scriptCriteria(device).optModelPath(backboneFile.toAbsolutePath()).build().loadModel();
            } catch (Exception e) {
                throw new XrayException(backboneFile + ": cannot load the TorchScript backbone: " + e.getMessage(), e);
            }
            NDManager manager = NDManager.newBaseManager(device);
            Block head = newHead(manager, architecture.featureSize());
            try (InputStream in = Files.newInputStream(headFile);
                    DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
                head.loadParameters(manager, data);
            } catch (IOException | MalformedModelException | RuntimeException e) {
                manager.close();
                model.close();
                throw new XrayException(headFile + ": cannot load the head weights: " + e.getMessage(), e);
            }
            network = new Network(architecture, device, manager, model.getBlock(), head, model, null);
        }
        network.setTrainableStages(Set.of());
        network.setTrainingMode(false);
        return network;
    }

    private Network withArchitecture(Architecture newArchitecture) {
        return new Network(newArchitecture, device, manager, backbone, head, scriptModel, reluProbe);
    }

    private static Path weightFile(Architecture architecture, Path directory, String role) {
        String name = architecture.weightFiles().get(role);
        if (name == null) {
            throw new XrayException(
                    directory + ": the architecture names no '" + role + "' weight file: " + architecture.weightFiles());
        }
        Path file = directory.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new XrayException(file + ": weight file not found");
        }
        return file;
    }

    private static Criteria.Builder<NDList, NDList> scriptCriteria(Device device) {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("PyTorch")
                .optDevice(device)
                // Without trainParam=true, DJL loads TorchScript parameters frozen under an inference guard.
                .optOption("trainParam", "true");
    }

    private static Network withHead(
            ZooModel<NDList, NDList> model, BackboneKind kind, String source, Device device, long seed) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Block backbone = model.getBlock();
            if (!(backbone instanceof PtSymbolBlock)) {
                throw new XrayException(source + ": expected a TorchScript module, got " + backbone.getClass().getName());
            }
            int featureSize;
            try (NDManager probe = manager.newSubManager()) {
                NDArray ones = probe.ones(new Shape(2, 3, PROBE_SIZE, PROBE_SIZE));
                NDArray features = backbone.forward(new ParameterStore(probe, false), new NDList(ones), false)
                        .get(0);
                featureSize = (int) (features.size() / 2);
            }
            Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
            Block head = newHead(manager, featureSize);
            Architecture architecture = new Architecture(kind, List.of(), featureSize, source, Map.of());
            Network network = new Network(architecture, device, manager, backbone, head, model, null);
            network.setTrainingMode(true);
            LOG.info("Loaded {} backbone {} with {} features", kind, source, featureSize);
            return network;
        } catch (RuntimeException e) {
            manager.close();
            model.close();
            throw e;
        }
    }

    private static Block newHead(NDManager manager, int featureSize) {
        Block head = Linear.builder().setUnits(1).build();
        head.initialize(manager, DataType.FLOAT32, new Shape(1, featureSize));
        return head;
    }

    private static SequentialBlock resNet18Blocks(List<Integer> widths, ReluProbe probe) {
        SequentialBlock stem = new SequentialBlock()
                .add(conv(widths.get(0), 7, 2, 3))
                .add(batchNorm())
                .add(probe.reluBlock("stem.relu"))
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        SequentialBlock network = new SequentialBlock().add(stem);
        int in = widths.get(0);
        for (int stage = 0; stage < 4; stage++) {
            int out = widths.get(stage);
            int stride = stage == 0 ? 1 : 2;
            String stageName = STAGES.get(stage + 1);
            network.add(new SequentialBlock()
                    .add(basicBlock(in, out, stride, probe, stageName + ".0"))
                    .add(basicBlock(out, out, 1, probe, stageName + ".1")));
            in = out;
        }
        network.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
        return network;
    }

    private static Block basicBlock(int in, int out, int stride, ReluProbe probe, String name) {
        SequentialBlock residual = new SequentialBlock()
                .add(conv(out, 3, stride, 1))
                .add(batchNorm())
                .add(probe.reluBlock(name + ".relu1"))
                .add(conv(out, 3, 1, 1))
                .add(batchNorm());
        SequentialBlock shortcut = new SequentialBlock();
        if (stride != 1 || in != out) {
            // Narrow strided 1x1 convolutions crash oneDNN's weight gradient: see SubsamplingConv2d.
            shortcut.add(SubsamplingConv2d.pointwise(in, out, stride)).add(batchNorm());
        } else {
            shortcut.add(Blocks.identityBlock());
        }
        String joinName = name + ".relu2";
        return new ParallelBlock(
                outputs -> new NDList(probe.relu(joinName, outputs.get(0).singletonOrThrow()
                        .add(outputs.get(1).singletonOrThrow()))),
                List.of(residual, shortcut));
    }

    private static Block conv(int filters, int kernel, int stride, int padding) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .setFilters(filters)
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optBias(false)
                .build();
    }

    private static Block batchNorm() {
        // DJL's momentum 0.9 is PyTorch's momentum 0.1.
        return BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).optMomentum(0.9f).build();
    }

    private static Map<String, Parameter> nameParameters(Block backbone, Block head) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        if (backbone instanceof PtSymbolBlock) {
            for (Pair<String, Parameter> pair : backbone.getParameters()) {
                named.put(pair.getKey(), pair.getValue());
            }
        } else {
            ai.djl.nn.BlockList children = backbone.getChildren();
            for (int i = 0; i < children.size(); i++) {
                String stage = i < 5 ? STAGES.get(i) : "pool" + i;
                for (Pair<String, Parameter> pair : children.get(i).getValue().getParameters()) {
                    named.put(stage + "." + pair.getKey(), pair.getValue());
                }
            }
        }
        for (Pair<String, Parameter> pair : head.getParameters()) {
            named.put("head." + pair.getKey(), pair.getValue());
        }
        return Collections.unmodifiableMap(named);
    }

    /**
     * @param parameterName a name from {@link #parameters()}
     * @return its stage, one of {@link #STAGES}
     */
    public static String stageOf(String parameterName) {
        int dot = parameterName.indexOf('.');
        String first = dot < 0 ? parameterName : parameterName.substring(0, dot);
        if (STAGES.contains(first)) {
            return first;
        }
        // TorchScript ResNet18: conv1, bn1 belong to the stem; fc to the head.
        return "fc".equals(first) ? "head" : "stem";
    }

    /**
     * Asks the next training forward pass to measure every ReLU of a from-scratch network (see
     * {@link ReluStatistics}); a no-op for a TorchScript or zoo backbone, whose ReLUs run inside
     * one native module.
     *
     * @return true when the network has ReLUs it can measure
     */
    public boolean measureReluOnNextForward() {
        if (reluProbe == null) {
            return false;
        }
        reluProbe.arm();
        return true;
    }

    /**
     * @return what the ReLUs did on the forward pass measured after {@link #measureReluOnNextForward()},
     *     in network order, and forgets it; empty when nothing was measured
     */
    public List<ReluStatistics> takeReluStatistics() {
        return reluProbe == null ? List.of() : reluProbe.take();
    }

    /** @return how to rebuild this network; names weight files only once it was saved or loaded */
    public Architecture architecture() {
        return architecture;
    }

    /** @return the backbone's block: for a from-scratch network, stem, four stages, pool and flatten */
    Block backbone() {
        return backbone;
    }

    /** @return the device its parameters live on */
    public Device device() {
        return device;
    }

    /** @return the manager that owns the parameters (per-batch managers are made under it) */
    public NDManager manager() {
        return manager;
    }

    /** @return every parameter by name, prefixed by its stage for a from-scratch network */
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    /** @return the parameters that training updates, by name, in a stable order */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        parameters.forEach((name, parameter) -> {
            if (parameter.requiresGradient()) {
                trainable.put(name, parameter);
            }
        });
        return trainable;
    }

    /**
     * Freezes every parameter outside the given stages and unfreezes those inside (BatchNorm running
     * statistics are never trained by gradient).
     *
     * @param stages names from {@link #STAGES}
     */
    public void setTrainableStages(Set<String> stages) {
        parameters.forEach((name, parameter) -> {
            boolean statistic = parameter.getType() == Parameter.Type.RUNNING_MEAN
                    || parameter.getType() == Parameter.Type.RUNNING_VAR;
            parameter.freeze(statistic || !stages.contains(stageOf(name)));
        });
        backboneFrozen = stages.stream().allMatch("head"::equals);
        setTrainingMode(trainingMode);
    }

    /**
     * @return true when only the head trains: the backbone then runs in evaluation mode even in
     *     training mode (BatchNorm uses and keeps its running statistics), so that it is truly
     *     frozen and its features can be computed once ({@link #features})
     */
    public boolean isBackboneFrozen() {
        return backboneFrozen;
    }

    /**
     * Switches between training mode (BatchNorm normalises with batch statistics and updates its
     * running statistics) and evaluation mode (BatchNorm uses the running statistics, unchanged).
     * For a TorchScript backbone it switches the native module explicitly, because DJL leaves a
     * loaded module in evaluation mode.
     *
     * @param training true for training mode
     */
    public void setTrainingMode(boolean training) {
        if (backbone instanceof PtSymbolBlock script) {
            if (training && !backboneFrozen) {
                JniUtils.enableTrainingMode(script);
            } else {
                JniUtils.enableInferenceMode(script);
            }
        }
        trainingMode = training;
        if (training) {
            dropFolded();
        }
    }

    /** Forgets the folded snapshot: the parameters are about to change. */
    private synchronized void dropFolded() {
        if (scripted != null) {
            scripted.close();
            scripted = null;
        }
        if (folded != null) {
            folded.close();
            folded = null;
        }
    }

    /** @return the evaluation-mode network with BatchNorm folded into the convolutions, made once per evaluation phase */
    synchronized FoldedResNet folded() {
        if (folded == null) {
            folded = FoldedResNet.fold(backbone, head, manager, BATCH_NORM_EPSILON);
        }
        return folded;
    }

    /** @return the folded network written as a bfloat16 TorchScript module, made once per evaluation phase */
    private synchronized ScriptedResNet scripted() {
        if (scripted == null) {
            scripted = ScriptedResNet.load(folded(), TorchScriptArchive.ElementType.BFLOAT16, manager);
        }
        return scripted;
    }

    /**
     * @return true when this network has a bfloat16 evaluation path: a from-scratch ResNet18,
     *     whose folded convolutions xray can write as a TorchScript module ({@link ScriptedResNet})
     */
    public boolean supportsBfloat16() {
        return architecture.backbone() == BackboneKind.RESNET18_SCRATCH;
    }

    /** @return true in training mode */
    public boolean isTrainingMode() {
        return trainingMode;
    }

    /**
     * Runs the network on a batch in the current mode.
     *
     * @param images {@code (N, 3, H, W)} float32, normalised by the model's preprocessing
     * @return the logits, shape {@code (N)}, attached to the images' manager
     */
    public NDArray logits(NDArray images) {
        return forward(inputLayout(images));
    }

    private NDArray forward(NDArray images) {
        ParameterStore store = new ParameterStore(images.getManager(), false);
        // A frozen backbone, or any backbone in evaluation, runs in evaluation mode. A TorchScript
        // module then gives an inference tensor, which the head cannot keep for a backward pass: a
        // copy of it can. Evaluation needs the copy too, as PyTorch records the head's operations
        // whenever this thread's gradient mode is on (as it is on a thread that has not trained yet).
        boolean backboneTraining = trainingMode && !backboneFrozen;
        NDArray features;
        if (!backboneTraining && !(backbone instanceof PtSymbolBlock) && !requiresGradient(images)
                && (backboneFrozen || !JniUtils.isGradMode())) {
            // No gradient flows through the backbone: its activations are not needed after the
            // layer that reads them, so they are not kept until the batch ends.
            features = releasingForward(images);
        } else {
            features = backbone.forward(store, new NDList(images), backboneTraining).get(0);
        }
        if (!backboneTraining && backbone instanceof PtSymbolBlock) {
            features = features.duplicate();
        }
        long batch = images.getShape().get(0);
        features = features.reshape(batch, -1);
        return head.forward(store, new NDList(features), trainingMode).singletonOrThrow().reshape(batch);
    }

    /**
     * Runs a from-scratch backbone in evaluation mode layer by layer (the stem's convolution,
     * BatchNorm, ReLU and pooling, then each residual block, the global pool and the flatten), each
     * in a manager of its own that is closed once the next layer has its input: the same operations
     * in the same order as the backbone's own forward pass, so the same features, but a batch holds
     * about one residual block's activations at a time instead of every activation of the backbone
     * until the batch's manager closes (at 224 px, 4.2 GB for 128 images through a full-width
     * ResNet18, against about 1 GB). Only when no gradient flows through the backbone: no
     * parameter of it records one, nor does the input.
     *
     * @param images the input, in the manager that receives the features
     * @return the features, {@code (N, featureSize)} before flattening as the backbone gives them,
     *     attached to the images' manager
     */
    private NDArray releasingForward(NDArray images) {
        NDManager owner = images.getManager();
        NDArray x = images;
        for (Block layer : layers(backbone)) {
            try (NDManager step = owner.newSubManager()) {
                if (x == images) {
                    x.tempAttach(step);
                } else {
                    x.attach(step);
                }
                NDArray y = layer.forward(new ParameterStore(step, false), new NDList(x), false).singletonOrThrow();
                y.attach(owner);
                if (reluProbe != null) {
                    reluProbe.keepIn(owner);
                }
                x = y;
            }
        }
        return x;
    }

    private static boolean requiresGradient(NDArray array) {
        return !(array instanceof ai.djl.pytorch.engine.PtNDArray pt) || JniUtils.requiresGrad(pt);
    }

    /** A block's layers in order: the leaves of nested sequential blocks (a residual block is one layer). */
    private static List<Block> layers(Block block) {
        List<Block> layers = new java.util.ArrayList<>();
        if (block instanceof SequentialBlock) {
            for (Pair<String, Block> child : block.getChildren()) {
                layers.addAll(layers(child.getValue()));
            }
        } else {
            layers.add(block);
        }
        return layers;
    }

    /** @return the length of the backbone's feature vector, the head's input */
    public int featureSize() {
        return architecture.featureSize();
    }

    /**
     * Computes the backbone's features of a batch of preprocessed images in evaluation mode
     * (BatchNorm with its running statistics), without gradients: what the head sees for these
     * images whenever the backbone is frozen.
     *
     * @param chw the images, {@code count} consecutive {@code (3, size, size)} blocks
     * @param count how many images
     * @param size their height and width
     * @return {@code count} consecutive feature vectors of {@link #featureSize()} values
     */
    public float[] features(float[] chw, int count, int size) {
        if ((long) count * 3 * size * size != chw.length) {
            throw new IllegalArgumentException(
                    "expected " + count + " x 3 x " + size + " x " + size + " values, got " + chw.length);
        }
        boolean wasTraining = trainingMode;
        if (wasTraining && !backboneFrozen) {
            setTrainingMode(false);
        }
        if (backbone instanceof PtSymbolBlock script) {
            JniUtils.enableInferenceMode(script);
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager batch = manager.newSubManager()) {
            NDArray images = inputLayout(batch.create(FloatBuffer.wrap(chw), new Shape(count, 3, size, size)));
            NDArray features = backbone instanceof PtSymbolBlock
                    ? backbone.forward(new ParameterStore(batch, false), new NDList(images), false).get(0)
                    : releasingForward(images);
            float[] values = features.reshape(count, -1).toFloatArray();
            if (values.length != count * featureSize()) {
                throw new IllegalStateException("the backbone gave " + values.length / count + " features per image, "
                        + "the architecture says " + featureSize());
            }
            return values;
        } finally {
            JniUtils.setGradMode(gradMode);
            if (wasTraining && !backboneFrozen) {
                setTrainingMode(true);
            }
        }
    }

    /**
     * Runs the head alone, in the current mode, on features from {@link #features}.
     *
     * @param features {@code (N, featureSize)} float32
     * @return the logits, shape {@code (N)}, attached to the features' manager
     */
    public NDArray headLogits(NDArray features) {
        long batch = features.getShape().get(0);
        ParameterStore store = new ParameterStore(features.getManager(), false);
        return head.forward(store, new NDList(features), trainingMode).singletonOrThrow().reshape(batch);
    }

    /**
     * Returns the images with the same shape, (N, C, H, W), and values, but laid out in memory
     * channels-last (N, H, W, C): PyTorch's "channels_last" memory format, which DJL has no call
     * for, made as a transposed view of an (N, H, W, C) copy. A convolution given such an input
     * runs oneDNN's channels-last kernels and passes the layout on to the following layers and
     * to the backward pass, which measured 1.2-1.4 times faster than the default layout on CPU
     * for ResNet18 training and inference here. Off when {@value #CHANNELS_LAST_PROPERTY} is
     * {@code false}, and for arrays that are not 4-dimensional; the network does not call it for a
     * TorchScript backbone with narrow 1x1 convolutions while its weights train
     * ({@link #channelsLastInput()}).
     */
    static NDArray channelsLast(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || "false".equals(System.getProperty(CHANNELS_LAST_PROPERTY))) {
            return images;
        }
        return images.transpose(0, 2, 3, 1)
                .reshape(-1) // the copy: a transposed view cannot be flattened without one
                .reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    /**
     * Computes the logits of a batch of preprocessed images in evaluation mode, without gradients.
     * The trainer's validation and {@code Classifier} both call this method, so they agree. A
     * from-scratch ResNet18 runs with its BatchNorm layers folded into the convolutions
     * ({@link FoldedResNet}, same logits up to float rounding, about 1.1 times faster), unless
     * {@value #FOLD_BATCH_NORM_PROPERTY} is {@code false}. Every array of the batch lives in a
     * manager closed before returning.
     *
     * @param chw the images, {@code count} consecutive {@code (3, size, size)} blocks
     * @param count how many images
     * @param size their height and width
     * @return one logit per image
     */
    public float[] inferLogits(float[] chw, int count, int size) {
        return inferLogits(chw, count, size, false);
    }

    /**
     * As {@link #inferLogits(float[], int, int)}, with the convolutions in bfloat16 when asked: a
     * TorchScript module that xray writes from the folded parameters ({@link ScriptedResNet}).
     *
     * @param chw the images, {@code count} consecutive {@code (3, size, size)} blocks
     * @param count how many images
     * @param size their height and width
     * @param bfloat16 true for bfloat16 convolutions ({@link #supportsBfloat16()} must hold)
     * @return one logit per image
     */
    public float[] inferLogits(float[] chw, int count, int size, boolean bfloat16) {
        if ((long) count * 3 * size * size != chw.length) {
            throw new IllegalArgumentException(
                    "expected " + count + " x 3 x " + size + " x " + size + " values, got " + chw.length);
        }
        int plane = 3 * size * size;
        return evaluate(count, size, i -> chw, i -> i * plane, bfloat16);
    }

    /**
     * Evaluates a batch whose image {@code i} is the {@code 3 x size x size} values of
     * {@code arrays.apply(i)} from {@code offsets.applyAsInt(i)}. The values are written once,
     * straight into native memory in the layout the network runs in (channels-last unless
     * disabled), which the engine then uses without a copy; the buffers are pooled.
     */
    private float[] evaluate(int count, int size, IntFunction<float[]> arrays, IntUnaryOperator offsets,
            boolean bfloat16) {
        if (bfloat16 && !supportsBfloat16()) {
            throw new InvalidConfigurationException("precision", "bfloat16 inference is available for the from-scratch "
                    + "ResNet18 backbone only; this model's backbone is " + architecture.backbone());
        }
        if (trainingMode) {
            setTrainingMode(false);
        }
        boolean channelsLast = channelsLastInput();
        int pixels = size * size;
        int plane = 3 * pixels;
        ByteBuffer buffer = inputBuffers.take(count * plane * Float.BYTES);
        try {
            FloatBuffer floats = buffer.asFloatBuffer();
            for (int i = 0; i < count; i++) {
                float[] source = arrays.apply(i);
                int from = offsets.applyAsInt(i);
                if (channelsLast) {
                    int to = i * plane;
                    for (int p = 0; p < pixels; p++, to += 3) {
                        floats.put(to, source[from + p]);
                        floats.put(to + 1, source[from + pixels + p]);
                        floats.put(to + 2, source[from + 2 * pixels + p]);
                    }
                } else {
                    floats.put(i * plane, source, from, plane);
                }
            }
            try (NDManager batch = manager.newSubManager()) {
                NDArray images = channelsLast
                        ? batch.create(buffer, new Shape(count, size, size, 3), DataType.FLOAT32).transpose(0, 3, 1, 2)
                        : batch.create(buffer, new Shape(count, 3, size, size), DataType.FLOAT32);
                if (bfloat16) {
                    return scripted().logits(images).toFloatArray();
                }
                boolean fold = architecture.backbone() == BackboneKind.RESNET18_SCRATCH
                        && !"false".equals(System.getProperty(FOLD_BATCH_NORM_PROPERTY));
                return (fold ? folded().logits(images) : forward(images)).toFloatArray();
            }
        } finally {
            // Every array on the buffer was closed with the batch's manager: it can be reused.
            inputBuffers.give(buffer);
        }
    }

    /**
     * Which pixels or activations pushed one image's pneumonia logit up, computed by autograd
     * through the same forward path as {@link #probabilities}: the logit it returns is the one
     * evaluation computes for the same input.
     *
     * @param method {@link AttributionMethod#GRAD_CAM} on {@code layer4} for a from-scratch
     *     network, whose stages are reachable; {@link AttributionMethod#GRADIENT_X_INPUT} on the
     *     input image for a TorchScript or zoo backbone, which runs as one opaque module
     * @param logit the image's pneumonia logit
     * @param map the attribution, non-negative (a ReLU of the signed one), row-major
     * @param width the map's width: the last stage's width for Grad-CAM, the crop's for gradient x input
     * @param height the map's height
     */
    public record Attribution(AttributionMethod method, float logit, float[] map, int width, int height) {}

    /** The two ways {@link #attribute} explains an image. */
    public enum AttributionMethod {
        /** Grad-CAM on the last convolutional stage ({@code layer4}). */
        GRAD_CAM,
        /** The gradient of the logit with respect to the input image times the image, summed over channels. */
        GRADIENT_X_INPUT
    }

    /**
     * @return the method {@link #attribute} uses for this network's backbone
     */
    public AttributionMethod attributionMethod() {
        return architecture.backbone() == BackboneKind.RESNET18_SCRATCH
                ? AttributionMethod.GRAD_CAM
                : AttributionMethod.GRADIENT_X_INPUT;
    }

    /**
     * Explains one preprocessed image: {@link #attribute(List, int)} of one.
     *
     * @param chw the image, {@code 3 x size x size}, normalised by the model's preprocessing
     * @param size its height and width
     * @return the attribution and the logit
     */
    public Attribution attribute(float[] chw, int size) {
        return attribute(List.of(chw), size).get(0);
    }

    /**
     * Explains preprocessed images, in one batch, in evaluation mode. For a from-scratch ResNet18
     * this is Grad-CAM: the network runs up to {@code layer4} (folded, as evaluation runs it,
     * unless {@value #FOLD_BATCH_NORM_PROPERTY} is {@code false}), that activation {@code A}
     * becomes a leaf that requires a gradient, the forward pass finishes (global average pool,
     * head), and one backward pass from the sum of the logits gives each image's
     * {@code dlogit/dA} (in evaluation mode the images of a batch do not interact); the channel
     * weights are its spatial means and the map is {@code ReLU(sum_k weight_k A_k)}. A TorchScript
     * or zoo backbone is one native module whose stages DJL cannot reach, so there the map is
     * gradient x input on the image instead, named so. The logits are those evaluation computes
     * for the same batch.
     *
     * <p>Gradients are switched on for this thread only (PyTorch's grad mode is thread-local) and
     * the backward pass runs on this batch's own graph, so several threads may explain and predict
     * at once. DJL's {@code GradientCollector} is not used because only one may exist in the whole
     * process at a time. Every array lives in a manager closed before returning.
     *
     * @param chwImages the images, each {@code 3 x size x size}, normalised by the model's preprocessing
     * @param size their height and width
     * @return one attribution per image, in order
     */
    public List<Attribution> attribute(List<float[]> chwImages, int size) {
        int count = chwImages.size();
        int pixels = size * size;
        int plane = 3 * pixels;
        for (int i = 0; i < count; i++) {
            if (chwImages.get(i).length != plane) {
                throw new IllegalArgumentException("image " + i + " has " + chwImages.get(i).length
                        + " values, expected 3 x " + size + " x " + size);
            }
        }
        if (count == 0) {
            return List.of();
        }
        if (trainingMode) {
            setTrainingMode(false);
        }
        boolean channelsLast = channelsLastInput();
        ByteBuffer buffer = inputBuffers.take(count * plane * Float.BYTES);
        boolean gradMode = JniUtils.isGradMode();
        try (NDManager batch = manager.newSubManager()) {
            FloatBuffer floats = buffer.asFloatBuffer();
            for (int i = 0; i < count; i++) {
                float[] chw = chwImages.get(i);
                if (channelsLast) {
                    for (int p = 0, to = i * plane; p < pixels; p++, to += 3) {
                        floats.put(to, chw[p]);
                        floats.put(to + 1, chw[pixels + p]);
                        floats.put(to + 2, chw[2 * pixels + p]);
                    }
                } else {
                    floats.put(i * plane, chw, 0, plane);
                }
            }
            NDArray images = channelsLast
                    ? batch.create(buffer, new Shape(count, size, size, 3), DataType.FLOAT32).transpose(0, 3, 1, 2)
                    : batch.create(buffer, new Shape(count, 3, size, size), DataType.FLOAT32);
            return attributionMethod() == AttributionMethod.GRAD_CAM ? gradCam(images) : gradientTimesInput(images);
        } finally {
            JniUtils.setGradMode(gradMode);
            inputBuffers.give(buffer);
        }
    }

    private List<Attribution> gradCam(NDArray images) {
        long count = images.getShape().get(0);
        boolean fold = !"false".equals(System.getProperty(FOLD_BATCH_NORM_PROPERTY));
        JniUtils.setGradMode(false);
        NDArray activation;
        FoldedResNet foldedNetwork = fold ? folded() : null;
        if (fold) {
            activation = foldedNetwork.features(images);
        } else {
            ParameterStore store = new ParameterStore(images.getManager(), false);
            ai.djl.nn.BlockList stages = backbone.getChildren();
            NDList x = new NDList(images);
            for (int i = 0; i <= 4; i++) {
                x = stages.get(i).getValue().forward(store, x, false);
            }
            activation = x.singletonOrThrow();
        }
        // A leaf of its own: the gradient stops here, and the stages before it build no graph.
        NDArray leaf = activation.stopGradient();
        leaf.setRequiresGradient(true);
        JniUtils.setGradMode(true);
        NDArray logits;
        if (fold) {
            logits = foldedNetwork.head(leaf);
        } else {
            ParameterStore store = new ParameterStore(images.getManager(), false);
            ai.djl.nn.BlockList stages = backbone.getChildren();
            NDList x = new NDList(leaf);
            for (int i = 5; i < stages.size(); i++) {
                x = stages.get(i).getValue().forward(store, x, false);
            }
            NDArray features = x.singletonOrThrow().reshape(count, -1);
            logits = head.forward(store, new NDList(features), false).singletonOrThrow().reshape(count);
        }
        backward(logits);
        JniUtils.setGradMode(false);
        Shape shape = leaf.getShape();
        long channels = shape.get(1);
        NDArray gradient = leaf.getGradient();
        NDArray weights = gradient.reshape(count, channels, -1).mean(new int[] {2}).reshape(count, channels, 1, 1);
        NDArray cams = leaf.mul(weights).sum(new int[] {1}).maximum(0f);
        return split(AttributionMethod.GRAD_CAM, logits.toFloatArray(), cams.toFloatArray(),
                (int) shape.get(3), (int) shape.get(2));
    }

    private List<Attribution> gradientTimesInput(NDArray images) {
        long count = images.getShape().get(0);
        NDArray input = images.stopGradient();
        input.setRequiresGradient(true);
        JniUtils.setGradMode(true);
        NDArray logits;
        if (backbone instanceof PtSymbolBlock script) {
            // The block's own forward runs a module in evaluation mode under a no-grad guard, and
            // asking it for training would switch BatchNorm to batch statistics: call the module
            // in the mode it is in (evaluation), with gradient recording on.
            NDArray features = IValueUtils.forward(script, new NDList(input), true).get(0).reshape(count, -1);
            ParameterStore store = new ParameterStore(input.getManager(), false);
            logits = head.forward(store, new NDList(features), false).singletonOrThrow().reshape(count);
        } else {
            logits = forward(input);
        }
        backward(logits);
        JniUtils.setGradMode(false);
        NDArray maps = input.getGradient().mul(input).sum(new int[] {1}).maximum(0f);
        Shape shape = input.getShape();
        return split(AttributionMethod.GRADIENT_X_INPUT, logits.toFloatArray(), maps.toFloatArray(),
                (int) shape.get(3), (int) shape.get(2));
    }

    private static List<Attribution> split(AttributionMethod method, float[] logits, float[] maps, int width, int height) {
        int cells = width * height;
        List<Attribution> attributions = new java.util.ArrayList<>(logits.length);
        for (int i = 0; i < logits.length; i++) {
            attributions.add(new Attribution(method, logits[i],
                    java.util.Arrays.copyOfRange(maps, i * cells, (i + 1) * cells), width, height));
        }
        return List.copyOf(attributions);
    }

    /** Backward from every logit at once: each image's gradient is its own logit's. */
    private static void backward(NDArray logits) {
        NDArray seed = logits.onesLike();
        JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) logits, (ai.djl.pytorch.engine.PtNDArray) seed, false, false);
    }

    /**
     * @return the first GPU when the engine sees one, the CPU otherwise: {@link Devices#automatic()}
     */
    public static Device defaultDevice() {
        return Devices.automatic();
    }

    /**
     * Computes the probabilities of pneumonia of preprocessed images, in batches, in evaluation
     * mode: {@code sigmoid} of {@link #logits(List, int, int)}, uncalibrated.
     *
     * @param chwImages preprocessed images, each {@code 3 x size x size}
     * @param size their height and width
     * @param batchSize how many go through the network at once
     * @return one probability per image
     */
    public double[] probabilities(List<float[]> chwImages, int size, int batchSize) {
        return probabilities(chwImages, size, batchSize, false);
    }

    /**
     * As {@link #probabilities(List, int, int)}, with the convolutions in bfloat16 when asked.
     *
     * @param chwImages preprocessed images, each {@code 3 x size x size}
     * @param size their height and width
     * @param batchSize how many go through the network at once
     * @param bfloat16 true for bfloat16 convolutions ({@link #supportsBfloat16()} must hold)
     * @return one probability per image
     */
    public double[] probabilities(List<float[]> chwImages, int size, int batchSize, boolean bfloat16) {
        float[] logits = logits(chwImages, size, batchSize, bfloat16);
        double[] probabilities = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = sigmoid(logits[i]);
        }
        return probabilities;
    }

    /**
     * Computes the pneumonia logits of preprocessed images, in batches, in evaluation mode, as
     * {@code Classifier} does (training scores its validation images batch by batch from their
     * 8-bit cache instead, so as not to hold them all as floats).
     *
     * @param chwImages preprocessed images, each {@code 3 x size x size}
     * @param size their height and width
     * @param batchSize how many go through the network at once
     * @return one logit per image
     */
    public float[] logits(List<float[]> chwImages, int size, int batchSize) {
        return logits(chwImages, size, batchSize, false);
    }

    /**
     * As {@link #logits(List, int, int)}, with the convolutions in bfloat16 when asked.
     *
     * @param chwImages preprocessed images, each {@code 3 x size x size}
     * @param size their height and width
     * @param batchSize how many go through the network at once
     * @param bfloat16 true for bfloat16 convolutions ({@link #supportsBfloat16()} must hold)
     * @return one logit per image
     */
    public float[] logits(List<float[]> chwImages, int size, int batchSize, boolean bfloat16) {
        float[] logits = new float[chwImages.size()];
        int plane = 3 * size * size;
        for (int i = 0; i < chwImages.size(); i++) {
            if (chwImages.get(i).length != plane) {
                throw new IllegalArgumentException("image " + i + " has " + chwImages.get(i).length
                        + " values, expected 3 x " + size + " x " + size);
            }
        }
        for (int start = 0; start < chwImages.size(); start += batchSize) {
            int count = Math.min(batchSize, chwImages.size() - start);
            int first = start;
            float[] batch = evaluate(count, size, i -> chwImages.get(first + i), i -> 0, bfloat16);
            System.arraycopy(batch, 0, logits, start, count);
        }
        return logits;
    }

    /**
     * @param logit a logit
     * @return the probability {@code 1 / (1 + exp(-logit))}
     */
    public static double sigmoid(double logit) {
        return 1.0 / (1.0 + Math.exp(-logit));
    }

    /**
     * Saves the weights (a TorchScript backbone with its BatchNorm statistics, and the head) as
     * files in a directory, each written atomically.
     *
     * @param directory where the files go
     * @param prefix prepended to each file name (such as {@code "epoch-0003-"}), may be empty
     * @return the architecture naming the files written
     */
    public Architecture save(Path directory, String prefix) {
        Map<String, String> files = new LinkedHashMap<>();
        if (backbone instanceof PtSymbolBlock script) {
            String backboneName = prefix + "backbone.pt";
            AtomicFiles.write(directory.resolve(backboneName), out -> JniUtils.writeModule(script, out, false));
            String headName = prefix + "head.params";
            AtomicFiles.write(directory.resolve(headName), out -> {
                DataOutputStream data = new DataOutputStream(out);
                head.saveParameters(data);
                data.flush();
            });
            files.put(BACKBONE_WEIGHTS, backboneName);
            files.put(HEAD_WEIGHTS, headName);
        } else {
            String name = prefix + "network.params";
            AtomicFiles.write(directory.resolve(name), out -> {
                DataOutputStream data = new DataOutputStream(out);
                backbone.saveParameters(data);
                head.saveParameters(data);
                data.flush();
            });
            files.put(NETWORK_WEIGHTS, name);
        }
        return architecture.withWeightFiles(files);
    }

    /** Releases the native memory of the parameters and of a TorchScript module. */
    @Override
    public void close() {
        dropFolded();
        manager.close();
        if (scriptModel != null) {
            scriptModel.close();
        }
    }
}
