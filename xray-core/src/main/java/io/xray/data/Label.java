package io.xray.data;

import io.xray.XrayException;
import java.util.Locale;

/**
 * The class of a chest X-ray. {@link #PNEUMONIA} is the positive class: its {@link #index()} is 1,
 * the value every metric and every model output in xray treats as "pneumonia".
 */
public enum Label {
    /** No pneumonia; index 0, the negative class. */
    NORMAL(0),
    /** Bacterial or viral pneumonia; index 1, the positive class. */
    PNEUMONIA(1);

    private final int index;

    Label(int index) {
        this.index = index;
    }

    /**
     * @return the class index used in tensors and metrics: 0 for {@link #NORMAL}, 1 for
     *     {@link #PNEUMONIA}
     */
    public int index() {
        return index;
    }

    /**
     * @return {@code true} for the positive class, {@link #PNEUMONIA}
     */
    public boolean isPositive() {
        return this == PNEUMONIA;
    }

    /**
     * Returns the label of a class index.
     *
     * @param index 0 or 1
     * @return {@link #NORMAL} for 0, {@link #PNEUMONIA} for 1
     * @throws XrayException for any other index
     */
    public static Label fromIndex(int index) {
        for (Label label : values()) {
            if (label.index == index) {
                return label;
            }
        }
        throw new XrayException("no label has index " + index + "; expected 0 (NORMAL) or 1 (PNEUMONIA)");
    }

    /**
     * Returns the label that a folder of the Kaggle layout stands for, ignoring case.
     *
     * @param name a folder name such as {@code "NORMAL"} or {@code "PNEUMONIA"}
     * @return the label
     * @throws XrayException if the name is no label's
     */
    public static Label fromDirectoryName(String name) {
        Label label = parse(name);
        if (label == null) {
            throw new XrayException("'" + name + "' is not a label folder; expected NORMAL or PNEUMONIA");
        }
        return label;
    }

    /** @return the label spelled {@code name} in any case, or {@code null} */
    static Label parse(String name) {
        if (name == null) {
            return null;
        }
        String upper = name.trim().toUpperCase(Locale.ROOT);
        for (Label label : values()) {
            if (label.name().equals(upper)) {
                return label;
            }
        }
        return null;
    }
}
