package io.xray.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a model was made, so that any model can say so later (learned from Tribuo's
 * {@code ModelProvenance}).
 *
 * @param manifestSha256 SHA-256 of the dataset manifest it was trained on
 * @param hyperparameters every training option, as the command line spells it
 * @param seed the random seed
 * @param xrayVersion this library's version ({@code development} when run from classes)
 * @param djlVersion DJL's version
 * @param pytorchVersion the PyTorch engine's native version
 * @param startTime ISO-8601 instant training started (the first start of a resumed run)
 * @param endTime ISO-8601 instant the artifact was written
 * @param machine where it was trained
 * @param bestEpoch the epoch whose weights the model holds
 * @param epochsRun how many epochs ran in all
 * @param trainImages training images (before oversampling)
 * @param validationImages validation images
 * @param positiveClassWeight the weight of pneumonia examples in the loss
 */
public record Provenance(
        String manifestSha256,
        Map<String, String> hyperparameters,
        long seed,
        String xrayVersion,
        String djlVersion,
        String pytorchVersion,
        String startTime,
        String endTime,
        Machine machine,
        int bestEpoch,
        int epochsRun,
        int trainImages,
        int validationImages,
        double positiveClassWeight) {

    /** Copies the map. */
    public Provenance {
        hyperparameters = hyperparameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
    }

    /**
     * The machine a model was trained on.
     *
     * @param os operating system name
     * @param osVersion its version
     * @param arch CPU architecture
     * @param cores available processors
     * @param javaVersion the Java runtime's version
     * @param device the DJL device trained on, such as {@code cpu()} or {@code gpu(0)}
     */
    public record Machine(String os, String osVersion, String arch, int cores, String javaVersion, String device) {

        /**
         * @param device the device trained on
         * @return this machine
         */
        public static Machine current(String device) {
            return new Machine(
                    System.getProperty("os.name"),
                    System.getProperty("os.version"),
                    System.getProperty("os.arch"),
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"),
                    device);
        }
    }
}
