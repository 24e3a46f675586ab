package io.xray.backbone;

import io.xray.InvalidConfigurationException;
import io.xray.backbone.BackboneKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which feature extractor {@link io.xray.train.ResNetFineTuner} puts in front of its fresh one-logit head. An
 * immutable value; the network itself is built when training starts.
 *
 * <ul>
 *   <li>{@link #imagenetResNet18()}: ImageNet ResNet18 from DJL's PyTorch model zoo, as the seed
 *       notebook used; downloaded on first use, so it needs network access.
 *   <li>{@link #torchScript(Path)}: a local TorchScript feature extractor, for example a
 *       torchvision ResNet18 exported with {@code fc = Identity} (see
 *       {@code make_torchscript_resnet18_fixture.py} for the two lines that do it).
 *   <li>{@link #resNet18FromScratch()}: torchvision's ResNet18 layout built from DJL blocks and
 *       initialised at random; needs nothing but this library.
 * </ul>
 */
public final class Backbone {

    /** torchvision's ResNet18 stage widths. */
    public static final List<Integer> RESNET18_WIDTHS = List.of(64, 128, 256, 512);

    private final BackboneKind kind;
    private final List<Integer> stageWidths;
    private final Path file;

    private Backbone(BackboneKind kind, List<Integer> stageWidths, Path file) {
        this.kind = kind;
        this.stageWidths = stageWidths;
        this.file = file;
    }

    /** @return torchvision's ResNet18 (64/128/256/512 channels) at random initialisation */
    public static Backbone resNet18FromScratch() {
        return new Backbone(BackboneKind.RESNET18_SCRATCH, RESNET18_WIDTHS, null);
    }

    /**
     * A narrower ResNet18, for small images, small data or quick tests.
     *
     * <p>Any positive widths train. A downsampling shortcut whose input stage is narrower than 16
     * channels (the first three widths) runs its stride-2 1x1 convolution as "every second pixel,
     * then a stride-1 1x1 convolution": the same function and the same weights, but not the oneDNN
     * kernel (in libtorch 2.7.1's oneDNN 3.7.1, and still in 3.12) whose weight gradient writes past
     * its buffer for fewer than 16 input channels on channels-last images. That kernel killed the JVM
     * ({@code double free or corruption}, {@code SIGSEGV}, exit 134, no Java exception) at batch
     * sizes that depend on the image size and thread count, for example {@code scratch:8,16,32,64}
     * with 27 images at 128 px on 2 threads, and at nearly every batch size at 224 px. Widths of 16
     * and more, the default among them, keep the strided convolution.
     *
     * @param widths the channels of the four stages, each positive
     * @return the backbone
     * @throws InvalidConfigurationException naming {@code backbone} for a wrong number of widths
     */
    public static Backbone resNet18FromScratch(int... widths) {
        if (widths == null || widths.length != 4) {
            throw new InvalidConfigurationException("backbone", "a ResNet18 has 4 stage widths");
        }
        for (int width : widths) {
            if (width <= 0) {
                throw new InvalidConfigurationException("backbone", "stage widths must be positive");
            }
        }
        return new Backbone(
                BackboneKind.RESNET18_SCRATCH, List.of(widths[0], widths[1], widths[2], widths[3]), null);
    }

    /**
     * A TorchScript feature extractor. When any of its 1x1 convolution weights has fewer than 16
     * input channels, the network feeds it contiguous images instead of channels-last while its
     * weights train, as oneDNN's weight gradient of such a convolution with a stride kills the JVM on
     * channels-last images (see {@link #resNet18FromScratch(int...)}); it logs so once.
     *
     * @param file a TorchScript module mapping {@code (N, 3, H, W)} images to features
     * @return the backbone; the file is read when training starts
     */
    public static Backbone torchScript(Path file) {
        if (file == null) {
            throw new InvalidConfigurationException("backbone", "TorchScript file must not be null");
        }
        return new Backbone(BackboneKind.TORCHSCRIPT, List.of(), file);
    }

    /**
     * The backbone of an earlier xray model, to fine-tune from: its trained weights (from-scratch,
     * TorchScript or ImageNet, whichever it was) with a fresh head. It keeps the model's layers, not
     * its preprocessing: give the recipe the model's (image size, resize, equalisation, mean and
     * deviation). When they differ, training logs one warning at the start naming each differing
     * value with both sides, and goes on.
     *
     * @param modelDirectory a model directory written by {@code xray train} ({@code model.json} and
     *     weights); read when training starts
     * @return the backbone
     */
    public static Backbone fromModel(Path modelDirectory) {
        if (modelDirectory == null) {
            throw new InvalidConfigurationException("backbone", "the model directory must not be null");
        }
        return new Backbone(BackboneKind.XRAY_MODEL, List.of(), modelDirectory);
    }

    /** @return DJL model zoo's ImageNet ResNet18 feature extractor ({@code djl://ai.djl.pytorch/resnet18_embedding}) */
    public static Backbone imagenetResNet18() {
        return new Backbone(BackboneKind.RESNET18_IMAGENET_ZOO, List.of(), null);
    }

    /**
     * Parses the command line's spelling: {@code scratch}, {@code scratch:16,32,64,128} (any
     * positive stage widths, see {@link #resNet18FromScratch(int...)} for those below 16),
     * {@code imagenet}, {@code torchscript:PATH}, or {@code model:DIR} (an earlier xray model's
     * backbone, {@link #fromModel(Path)}).
     *
     * @param text the spelling
     * @return the backbone
     */
    public static Backbone parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.equals("scratch")) {
            return resNet18FromScratch();
        }
        if (value.startsWith("scratch:")) {
            String[] parts = value.substring("scratch:".length()).split(",");
            int[] widths = new int[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    widths[i] = Integer.parseInt(parts[i].trim());
                }
            } catch (NumberFormatException e) {
                throw new InvalidConfigurationException("backbone", "widths must be integers: " + value);
            }
            return resNet18FromScratch(widths);
        }
        if (value.equals("imagenet")) {
            return imagenetResNet18();
        }
        if (value.startsWith("torchscript:")) {
            return torchScript(Path.of(value.substring("torchscript:".length())));
        }
        if (value.startsWith("model:") && value.length() > "model:".length()) {
            return fromModel(Path.of(value.substring("model:".length())));
        }
        throw new InvalidConfigurationException("backbone", "expected scratch, scratch:W1,W2,W3,W4, imagenet,"
                + " torchscript:PATH or model:DIR, got '" + text + "'");
    }

    /** @return the kind */
    public BackboneKind kind() {
        return kind;
    }

    /** @return the stage widths of a from-scratch ResNet18, empty otherwise */
    public List<Integer> stageWidths() {
        return stageWidths;
    }

    /**
     * @return the TorchScript file for {@link BackboneKind#TORCHSCRIPT}, the model directory for
     *     {@link BackboneKind#XRAY_MODEL}
     */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Backbone that
                && kind == that.kind
                && stageWidths.equals(that.stageWidths)
                && Objects.equals(file, that.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, stageWidths, file);
    }

    /** @return the command line's spelling of this backbone */
    @Override
    public String toString() {
        return switch (kind) {
            case RESNET18_SCRATCH -> stageWidths.equals(RESNET18_WIDTHS)
                    ? "scratch"
                    : "scratch:" + stageWidths.toString().replaceAll("[\\[\\] ]", "");
            case TORCHSCRIPT -> "torchscript:" + file;
            case RESNET18_IMAGENET_ZOO -> "imagenet";
            case XRAY_MODEL -> "model:" + file;
        };
    }
}
