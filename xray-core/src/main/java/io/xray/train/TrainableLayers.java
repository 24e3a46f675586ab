package io.xray.train;

import io.xray.InvalidConfigurationException;
import io.xray.internal.Network;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which part of the network training updates: the head only (the seed notebook's frozen
 * backbone), everything, or the head and the last N of the backbone's four stages. Frozen
 * parameters keep their values; BatchNorm layers still update their running statistics in
 * training mode, as in PyTorch.
 */
public final class TrainableLayers {

    private final int lastStages;

    private TrainableLayers(int lastStages) {
        this.lastStages = lastStages;
    }

    /** @return every parameter is trained */
    public static TrainableLayers all() {
        return new TrainableLayers(5);
    }

    /** @return only the fresh head is trained */
    public static TrainableLayers headOnly() {
        return new TrainableLayers(0);
    }

    /**
     * @param stages how many of the backbone's last stages to train with the head, 1 to 4
     *     ({@code layer4} alone, ..., {@code layer1} to {@code layer4}; the stem stays frozen)
     * @return the choice
     */
    public static TrainableLayers lastStages(int stages) {
        if (stages < 1 || stages > 4) {
            throw new InvalidConfigurationException("trainableLayers", "last stages must be 1 to 4, got " + stages);
        }
        return new TrainableLayers(stages);
    }

    /**
     * Parses {@code all}, {@code head} or {@code last-N} (N from 1 to 4).
     *
     * @param text the spelling
     * @return the choice
     */
    public static TrainableLayers parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.equals("all")) {
            return all();
        }
        if (value.equals("head")) {
            return headOnly();
        }
        if (value.startsWith("last-")) {
            try {
                return lastStages(Integer.parseInt(value.substring(5)));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new InvalidConfigurationException("trainableLayers", "expected all, head or last-N, got '" + text + "'");
    }

    /** @return the stages whose parameters are trained, names from {@link Network#STAGES} */
    public Set<String> stages() {
        List<String> stages = Network.STAGES;
        Set<String> trained = new LinkedHashSet<>();
        int first = lastStages >= 5 ? 0 : stages.size() - 1 - lastStages;
        for (int i = first; i < stages.size(); i++) {
            trained.add(stages.get(i));
        }
        return trained;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrainableLayers that && lastStages == that.lastStages;
    }

    @Override
    public int hashCode() {
        return lastStages;
    }

    /** @return {@code all}, {@code head} or {@code last-N} */
    @Override
    public String toString() {
        return lastStages >= 5 ? "all" : lastStages == 0 ? "head" : "last-" + lastStages;
    }
}
