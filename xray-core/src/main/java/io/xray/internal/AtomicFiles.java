package io.xray.internal;

import io.xray.XrayException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a reader never sees a torn one: the content goes to a temporary file
 * beside the target ({@code NAME.tmp}), is forced to disk, and is then renamed over the target
 * with {@link StandardCopyOption#ATOMIC_MOVE}. A process killed at any instant leaves either the
 * old file, the new file, or a stray {@code .tmp} file that {@link #deleteTemporaryFiles(Path)}
 * removes.
 */
public final class AtomicFiles {

    /** Suffix of files that are still being written. */
    public static final String TEMPORARY_SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** Writes content to a stream; may throw {@link IOException}. */
    @FunctionalInterface
    public interface StreamWriter {
        /**
         * @param out the stream to write to; do not close it
         * @throws IOException when writing fails
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes a file atomically.
     *
     * @param target the file to create or replace
     * @param writer writes the content
     * @throws XrayException naming the file when it cannot be written
     */
    public static void write(Path target, StreamWriter writer) {
        Path temporary = target.resolveSibling(target.getFileName() + TEMPORARY_SUFFIX);
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream file = Files.newOutputStream(temporary);
                    BufferedOutputStream out = new BufferedOutputStream(file, 1 << 16)) {
                writer.write(out);
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the next deleteTemporaryFiles removes it
            }
            throw new XrayException(target + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a small file atomically.
     *
     * @param target the file to create or replace
     * @param bytes its content
     */
    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /**
     * Copies a file atomically: a reader of {@code target} sees the old file or the whole copy.
     *
     * @param source the file to copy
     * @param target the file to create or replace
     * @throws XrayException naming the file when it cannot be written
     */
    public static void copy(Path source, Path target) {
        write(target, out -> Files.copy(source, out));
    }

    /**
     * Deletes the {@code .tmp} files that a killed writer left in a directory.
     *
     * @param directory the directory to clean; nothing happens when it does not exist
     * @return how many files were deleted
     */
    public static int deleteTemporaryFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int deleted = 0;
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().endsWith(TEMPORARY_SUFFIX) && Files.deleteIfExists(file)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new XrayException(directory + ": cannot list: " + e.getMessage(), e);
        }
        return deleted;
    }
}
