package io.xray.data;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file that looked like an image of the data set but could not be used: unreadable, corrupt,
 * truncated, too large, or (for a manifest) missing or changed since the manifest was written.
 * Rejected files are left out of every split.
 *
 * @param path the file
 * @param reason why it was rejected, in words
 */
public record RejectedFile(@JsonSerialize(using = ToStringSerializer.class) Path path, String reason) {
    /** Validates both components. */
    public RejectedFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
    }
}
