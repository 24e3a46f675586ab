package io.xray.serve;

import io.xray.XrayException;
import io.xray.image.Preprocessing;
import io.xray.model.Classifier;
import io.xray.model.ModelArtifact;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A trained {@link Classifier} seen as an {@link InferenceModel}: {@link ModelServer} and the
 * in-process {@code EndpointPredictor} call it with tensors made by the model's own
 * {@link Preprocessing}, read from the artifact, and it runs them through
 * {@link Classifier#probabilities(float[][])}, the same forward path as {@link Classifier#predict}.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder()
 *         .modelLoader(() -> ClassifierModel.load(Path.of("/opt/ml/model")))
 *         .build().start()) {
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * <p>The model id is the model directory's name and the first 12 hex digits of a SHA-256 over
 * {@value ModelArtifact#FILE_NAME} and the weight files, such as {@code model-3f2a9c1d4e5b}: two
 * different models never share it, and the same model copied elsewhere keeps it.
 */
public final class ClassifierModel implements InferenceModel {

    private final Classifier classifier;
    private final boolean owned;
    private final String modelId;
    private final Preprocessing preprocessing;

    private ClassifierModel(Classifier classifier, boolean owned) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.owned = owned;
        this.preprocessing = classifier.artifact().preprocessing();
        this.modelId = modelId(classifier.directory(), classifier.artifact());
    }

    /**
     * Loads a model directory; the returned model owns the classifier and closes it.
     *
     * @param directory a model directory written by training
     * @return the model
     * @throws XrayException naming the file when the directory is not a loadable model
     */
    public static ClassifierModel load(Path directory) {
        Classifier classifier = Classifier.load(directory);
        try {
            return new ClassifierModel(classifier, true);
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
    }

    /**
     * Wraps a classifier the caller keeps owning: {@link #close()} leaves it open.
     *
     * @param classifier a loaded classifier
     * @return the model
     */
    public static ClassifierModel of(Classifier classifier) {
        return new ClassifierModel(classifier, false);
    }

    /** @return the classifier this model calls */
    public Classifier classifier() {
        return classifier;
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    @Override
    public double threshold() {
        return classifier.threshold();
    }

    @Override
    public double[] predictProbabilities(float[][] chwBatch) {
        return classifier.probabilities(chwBatch);
    }

    /** Closes the classifier when this model loaded it. */
    @Override
    public void close() {
        if (owned) {
            classifier.close();
        }
    }

    @Override
    public String toString() {
        return "ClassifierModel[" + modelId + ", " + classifier.directory() + "]";
    }

    /**
     * @param directory a model directory
     * @param artifact its description
     * @return the directory's name and a short hash of its description and weight files
     */
    static String modelId(Path directory, ModelArtifact artifact) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
        Map<String, String> files = new TreeMap<>(artifact.architecture().weightFiles());
        files.put("~" + ModelArtifact.FILE_NAME, ModelArtifact.FILE_NAME);
        byte[] buffer = new byte[1 << 16];
        for (Map.Entry<String, String> file : files.entrySet()) {
            sha.update(file.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Path path = directory.resolve(file.getValue());
            try (InputStream in = Files.newInputStream(path)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new XrayException(path + ": cannot read to identify the model: " + e.getMessage(), e);
            }
        }
        Path name = directory.toAbsolutePath().normalize().getFileName();
        String prefix = name == null ? "model" : name.toString();
        return prefix + "-" + HexFormat.of().formatHex(sha.digest(), 0, 6);
    }
}
