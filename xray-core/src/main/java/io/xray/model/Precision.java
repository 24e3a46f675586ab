package io.xray.model;

import io.xray.InvalidConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The arithmetic a {@link Classifier} predicts with. {@link #FP32} is the default and the
 * reference; {@link #BF16} runs the network's convolutions in bfloat16 (8 bits of mantissa instead
 * of 24), which CPUs with AVX-512 BF16 or AMX compute two to three times as fast, at the cost of
 * slightly different probabilities: {@link InferenceOptions} says how a reduced-precision
 * classifier is checked against float32 before it is used.
 */
public enum Precision {
    /** 32-bit floating point everywhere: the reference. */
    FP32("fp32"),
    /**
     * bfloat16 convolutions, ReLUs, pooling and residual additions, with the global average pool
     * and the linear head in float32. Available for the from-scratch ResNet18 backbone.
     */
    BF16("bf16");

    /** System property: a file read instead of {@code /proc/cpuinfo} when detecting the CPU's bfloat16 support. */
    public static final String CPUINFO_PROPERTY = "xray.cpuinfo";

    private static final Pattern BF16_FLAG = Pattern.compile("(?m)^flags\\s*:.*\\b(avx512_bf16|amx_bf16)\\b");

    private final String label;

    Precision(String label) {
        this.label = label;
    }

    /** @return the name on the command line and in JSON: {@code fp32} or {@code bf16} */
    public String label() {
        return label;
    }

    /** @return true for a precision below float32's, which is checked against float32 before use */
    public boolean isReduced() {
        return this != FP32;
    }

    /**
     * @param text {@code fp32}, {@code float32}, {@code bf16} or {@code bfloat16}, any case
     * @return the precision
     * @throws InvalidConfigurationException naming {@code precision} for anything else
     */
    public static Precision parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "fp32", "float32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new InvalidConfigurationException("precision", "expected fp32 or bf16, got '" + text + "'");
        };
    }

    /**
     * Whether this machine's CPU computes bfloat16 natively: the {@code avx512_bf16} or
     * {@code amx_bf16} flag in {@code /proc/cpuinfo} (or in the file that the system property
     * {@value #CPUINFO_PROPERTY} names). Without them PyTorch emulates bfloat16, slower than float32.
     *
     * @return true when the flags are there; false when they are not or the file cannot be read
     */
    public static boolean cpuHasBfloat16() {
        Path file = Path.of(System.getProperty(CPUINFO_PROPERTY, "/proc/cpuinfo"));
        try {
            return cpuHasBfloat16(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * @param cpuinfo the text of {@code /proc/cpuinfo}
     * @return true when a {@code flags} line lists {@code avx512_bf16} or {@code amx_bf16}
     */
    static boolean cpuHasBfloat16(String cpuinfo) {
        return BF16_FLAG.matcher(cpuinfo).find();
    }

    @Override
    public String toString() {
        return label;
    }
}
