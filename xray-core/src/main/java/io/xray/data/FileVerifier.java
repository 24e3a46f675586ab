package io.xray.data;

import io.xray.InvalidImageException;
import io.xray.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Reads a candidate file once: hashes its bytes and, if asked, checks that it decodes. */
final class FileVerifier {
    private final ImageDecoder decoder;
    private final boolean decode;

    /**
     * The outcome for one file: exactly one of the two is set.
     *
     * @param record the accepted image
     * @param rejected the rejected file
     */
    record Outcome(ImageRecord record, RejectedFile rejected) {}

    FileVerifier(ImageDecoder decoder, boolean decode) {
        this.decoder = decoder;
        this.decode = decode;
    }

    Outcome verify(Candidate candidate) {
        byte[] bytes;
        try {
            long size = Files.size(candidate.path());
            if (size > decoder.maxBytes()) {
                return reject(candidate, "file of " + size + " bytes exceeds the limit of " + decoder.maxBytes() + " bytes");
            }
            bytes = Files.readAllBytes(candidate.path());
        } catch (NoSuchFileException e) {
            return reject(candidate, "file does not exist");
        } catch (IOException e) {
            return reject(candidate, "cannot read file: " + e);
        }
        String sha256 = sha256(bytes);
        if (candidate.expectedSha256() != null && !candidate.expectedSha256().equals(sha256)) {
            return reject(candidate, "content changed since the manifest was written: sha256 is " + sha256
                    + ", the manifest says " + candidate.expectedSha256());
        }
        if (decode) {
            try {
                decoder.decode(bytes, candidate.path().toString());
            } catch (InvalidImageException e) {
                return reject(candidate, reasonOf(e));
            } catch (RuntimeException e) {
                return reject(candidate, "decoder failed: " + e);
            }
        }
        return new Outcome(new ImageRecord(candidate.path(), candidate.split(), candidate.label(),
                candidate.patientId(), sha256), null);
    }

    /** @return the exception's message without the leading "source: " that names the file */
    static String reasonOf(InvalidImageException e) {
        String message = String.valueOf(e.getMessage());
        String prefix = e.source() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Outcome reject(Candidate candidate, String reason) {
        return new Outcome(null, new RejectedFile(candidate.path(), reason));
    }
}
