package io.xray;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a network runs: the spellings a user types for a device, and the device xray picks when
 * none is given.
 *
 * <pre>{@code
 * Device device = Devices.parse(option).orElseGet(Devices::automatic);
 * }</pre>
 */
public final class Devices {

    private Devices() {}

    /**
     * Reads a device as a user spells it, ignoring case and surrounding blanks: {@code auto} (no
     * particular device: {@link #automatic()} decides), {@code cpu}, {@code gpu} (the first GPU) or
     * {@code gpu:N} (the GPU numbered N, from 0). It does not check that the GPU exists; the engine
     * does when the network is placed there.
     *
     * @param spelling the device as typed
     * @return the device, or empty for {@code auto}
     * @throws InvalidConfigurationException with the field {@code device} for any other spelling
     */
    public static Optional<Device> parse(String spelling) {
        String text = spelling == null ? "" : spelling.trim().toLowerCase(Locale.ROOT);
        switch (text) {
            case "auto":
                return Optional.empty();
            case "cpu":
                return Optional.of(Device.cpu());
            case "gpu":
                return Optional.of(Device.gpu());
            default:
                break;
        }
        if (text.startsWith("gpu:")) {
            String number = text.substring("gpu:".length());
            if (!number.isEmpty() && number.chars().allMatch(c -> c >= '0' && c <= '9') && number.length() <= 4) {
                return Optional.of(Device.gpu(Integer.parseInt(number)));
            }
        }
        throw new InvalidConfigurationException("device", "expected auto, cpu, gpu or gpu:N (N = 0, 1, ...), got '"
                + spelling + "'");
    }

    /**
     * The device used when none is given: the first GPU when the engine sees one, the CPU
     * otherwise. Starts the engine if it has not started.
     *
     * @return the device
     */
    public static Device automatic() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
