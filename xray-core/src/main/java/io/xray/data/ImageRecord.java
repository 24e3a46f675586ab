package io.xray.data;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One image of a {@link Dataset}: where it is, which split and class it belongs to, whose it is and
 * what its bytes hash to.
 *
 * @param path the image file; {@link Dataset} always stores absolute, normalised paths
 * @param split the split the image belongs to
 * @param label its class
 * @param patientId the patient, as {@link PatientIdParser} reads it from the file name; meaningful
 *     within one split only
 * @param sha256 the SHA-256 of the file's bytes, 64 lower-case hexadecimal digits
 */
public record ImageRecord(
        @JsonSerialize(using = ToStringSerializer.class) Path path,
        Split split,
        Label label,
        String patientId,
        String sha256) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** Validates every component. */
    public ImageRecord {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(patientId, "patientId");
        Objects.requireNonNull(sha256, "sha256");
        if (patientId.isBlank()) {
            throw new IllegalArgumentException("patientId is blank for " + path);
        }
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException(
                    "sha256 must be 64 lower-case hex digits, got '" + sha256 + "' for " + path);
        }
    }

    /**
     * @param newSplit the split to put the image in
     * @return this record in another split
     */
    public ImageRecord withSplit(Split newSplit) {
        return newSplit == split ? this : new ImageRecord(path, newSplit, label, patientId, sha256);
    }
}
