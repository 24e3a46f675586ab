package io.xray.model;

import io.xray.XrayException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Computes the id of a model directory; see {@link Classifier#modelId()} for what it is. */
final class ModelId {

    private ModelId() {}

    /**
     * @param directory a model directory
     * @param artifact its description, naming the weight files
     * @return the directory's name, a dash and the first 12 hex digits of a SHA-256 over the
     *     weight files (by role, in role order) and {@value ModelArtifact#FILE_NAME}
     * @throws XrayException naming the file that cannot be read
     */
    static String of(Path directory, ModelArtifact artifact) {
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
            sha.update(file.getKey().getBytes(StandardCharsets.UTF_8));
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
