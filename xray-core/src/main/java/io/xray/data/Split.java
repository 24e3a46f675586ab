package io.xray.data;

import io.xray.XrayException;
import java.util.Locale;

/** The part of a data set an image belongs to, in the order records are sorted. */
public enum Split {
    /** Images a model learns from. */
    TRAIN("train"),
    /** Images used to choose epochs, thresholds and hyperparameters. */
    VAL("val"),
    /** Images used once, to measure how well the chosen model generalises. */
    TEST("test"),
    /**
     * Images used only to choose the decision threshold, usually set aside from the test split
     * ({@link Dataset#withTestMovedToCalibration}) because a validation split carved from the
     * training images does not show how scores shift on images taken elsewhere. They are never
     * trained on, and a model records them so that they are left out of its test figures.
     */
    CALIBRATION("calibration");

    private final String directoryName;

    Split(String directoryName) {
        this.directoryName = directoryName;
    }

    /**
     * @return the folder name of this split in the Kaggle layout: {@code "train"}, {@code "val"},
     *     {@code "test"} (or {@code "calibration"}); also the spelling used in manifests
     */
    public String directoryName() {
        return directoryName;
    }

    /**
     * Returns the split a folder (or a manifest entry) names, ignoring case. Both the folder name
     * ({@code "val"}) and the constant's name ({@code "VAL"}) are accepted, as is
     * {@code "validation"}.
     *
     * @param name the name to read
     * @return the split
     * @throws XrayException if the name is no split's
     */
    public static Split fromDirectoryName(String name) {
        Split split = parse(name);
        if (split == null) {
            throw new XrayException("'" + name + "' is not a split; expected train, val, test or calibration");
        }
        return split;
    }

    /** @return the split spelled {@code name} in any case, or {@code null} */
    static Split parse(String name) {
        if (name == null) {
            return null;
        }
        String lower = name.trim().toLowerCase(Locale.ROOT);
        if (lower.equals("validation")) {
            return VAL;
        }
        for (Split split : values()) {
            if (split.directoryName.equals(lower)) {
                return split;
            }
        }
        return null;
    }
}
