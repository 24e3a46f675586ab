package io.xray.backbone;

import io.xray.InvalidConfigurationException;
import java.util.List;
import java.util.Map;

/**
 * How to rebuild a network from its weight files: the backbone kind, its stage widths (for the
 * from-scratch ResNet18), the size of the feature vector that feeds the one-logit head, where the
 * starting weights came from, and which file holds which weights.
 *
 * @param backbone the backbone kind
 * @param stageWidths channels of the stem and of the four stages of a from-scratch ResNet18
 *     (torchvision's are 64, 128, 256, 512); empty for other kinds
 * @param featureSize length of the feature vector the backbone outputs
 * @param backboneSource where the starting weights came from: a file name, a model-zoo URL, or
 *     {@code "random"}
 * @param weightFiles the weight files by role ({@code network}, or {@code backbone} and
 *     {@code head}), relative to the directory that holds them
 */
public record Architecture(
        BackboneKind backbone,
        List<Integer> stageWidths,
        int featureSize,
        String backboneSource,
        Map<String, String> weightFiles) {

    /** Validates the fields and copies the collections. */
    public Architecture {
        if (backbone == null) {
            throw new InvalidConfigurationException("backbone", "must not be null");
        }
        stageWidths = stageWidths == null ? List.of() : List.copyOf(stageWidths);
        if (backbone == BackboneKind.RESNET18_SCRATCH && stageWidths.size() != 4) {
            throw new InvalidConfigurationException(
                    "stageWidths", "a ResNet18 needs 4 stage widths, got " + stageWidths);
        }
        if (featureSize <= 0) {
            throw new InvalidConfigurationException("featureSize", "must be positive, got " + featureSize);
        }
        weightFiles = weightFiles == null ? Map.of() : Map.copyOf(weightFiles);
    }

    /**
     * @param files the weight files by role
     * @return a copy of this architecture naming other weight files
     */
    public Architecture withWeightFiles(Map<String, String> files) {
        return new Architecture(backbone, stageWidths, featureSize, backboneSource, files);
    }
}
