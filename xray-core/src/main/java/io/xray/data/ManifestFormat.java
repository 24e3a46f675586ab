package io.xray.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.XrayException;
import io.xray.internal.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes manifests: JSON Lines, one image per line, such as
 * {@code {"path":"train/NORMAL/IM-0115-0001.jpeg","split":"train","label":"NORMAL","patient":"IM-0115","sha256":"…"}}.
 * Paths under the manifest's folder are written relative to it with {@code /} separators, other
 * paths absolute; relative paths are read against the manifest's folder.
 */
final class ManifestFormat {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One line of a manifest. */
    @JsonPropertyOrder({"path", "split", "label", "patient", "sha256"})
    record Line(
            @JsonProperty("path") String path,
            @JsonProperty("split") String split,
            @JsonProperty("label") String label,
            @JsonProperty("patient") String patient,
            @JsonProperty("sha256") String sha256) {}

    private ManifestFormat() {}

    /**
     * @param manifest the manifest file
     * @return one candidate per line, with absolute normalised paths and the recorded hashes
     * @throws XrayException if the manifest is missing, empty, or has a bad line (named by number)
     */
    static List<Candidate> read(Path manifest) {
        Path file = manifest.toAbsolutePath().normalize();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new XrayException("manifest does not exist: " + file, e);
        } catch (IOException e) {
            throw new XrayException("cannot read manifest " + file + ": " + e.getMessage(), e);
        }
        Path folder = file.getParent();
        List<Candidate> candidates = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            String where = "manifest " + file + " line " + (i + 1);
            Line line;
            try {
                line = MAPPER.readValue(text, Line.class);
            } catch (JsonProcessingException e) {
                throw new XrayException(where + ": not a JSON object: " + e.getOriginalMessage(), e);
            }
            require(line.path(), "path", where);
            require(line.split(), "split", where);
            require(line.label(), "label", where);
            require(line.patient(), "patient", where);
            require(line.sha256(), "sha256", where);
            Split split = Split.parse(line.split());
            if (split == null) {
                throw new XrayException(where + ": split '" + line.split() + "' is not train, val, test or calibration");
            }
            Label label = Label.parse(line.label());
            if (label == null) {
                throw new XrayException(where + ": label '" + line.label() + "' is not NORMAL or PNEUMONIA");
            }
            String sha256 = line.sha256().strip().toLowerCase(java.util.Locale.ROOT);
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new XrayException(where + ": sha256 '" + line.sha256() + "' is not 64 hexadecimal digits");
            }
            Path path = folder.resolve(line.path()).normalize();
            if (!seen.add(path)) {
                throw new XrayException(where + ": " + path + " is listed twice");
            }
            candidates.add(new Candidate(path, split, label, line.patient().strip(), sha256));
        }
        if (candidates.isEmpty()) {
            throw new XrayException("manifest " + file + " lists no images");
        }
        return candidates;
    }

    private static void require(String value, String field, String where) {
        if (value == null || value.isBlank()) {
            throw new XrayException(where + ": the field '" + field + "' is missing or empty");
        }
    }

    /**
     * Writes the records, replacing the file atomically where the file system allows.
     *
     * @param manifest the file to write; its folder is created if needed
     * @param records the records, written in this order
     */
    static void write(Path manifest, List<ImageRecord> records) {
        Path file = manifest.toAbsolutePath().normalize();
        Path folder = file.getParent();
        AtomicFiles.write(file, out -> {
            for (ImageRecord record : records) {
                out.write(MAPPER.writeValueAsBytes(toLine(record, folder)));
                out.write('\n');
            }
        });
    }

    static Line toLine(ImageRecord record, Path folder) {
        Path path = record.path().toAbsolutePath().normalize();
        String written = path.startsWith(folder) ? portable(folder.relativize(path)) : path.toString();
        return new Line(written, record.split().directoryName(), record.label().name(), record.patientId(),
                record.sha256());
    }

    private static String portable(Path relative) {
        String separator = FileSystems.getDefault().getSeparator();
        return separator.equals("/") ? relative.toString() : relative.toString().replace(separator, "/");
    }

    /**
     * A hash of what the records hold, independent of where the files are: the SHA-256 of one line
     * {@code split \t label \t patient \t sha256 \t fileName \n} per record, in record order.
     */
    static String contentSha256(List<ImageRecord> records) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        for (ImageRecord record : records) {
            String line = record.split().directoryName() + '\t' + record.label().name() + '\t' + record.patientId()
                    + '\t' + record.sha256() + '\t' + record.path().getFileName() + '\n';
            digest.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
