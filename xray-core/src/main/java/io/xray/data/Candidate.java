package io.xray.data;

import java.nio.file.Path;

/**
 * A file that should become an {@link ImageRecord} once read: found in a folder (no hash yet) or
 * listed in a manifest (with the hash the manifest recorded).
 *
 * @param path absolute, normalised path
 * @param split its split
 * @param label its class
 * @param patientId its patient
 * @param expectedSha256 the manifest's hash, or {@code null} for a file found in a folder
 */
record Candidate(Path path, Split split, Label label, String patientId, String expectedSha256) {}
