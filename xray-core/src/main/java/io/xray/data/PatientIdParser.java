package io.xray.data;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the patient id out of a file name of the chest X-ray data set.
 *
 * <ul>
 *   <li>{@code person1000_bacteria_2931.jpeg}, {@code person1000_virus_1681.jpeg} (and the odd
 *       {@code person1_virus_9_2.jpeg}) &rarr; {@code person1000};
 *   <li>{@code IM-0115-0001.jpeg} (and {@code IM-0033-0001-0001.jpeg}) &rarr; {@code IM-0115};
 *   <li>{@code NORMAL2-IM-0383-0001.jpeg} &rarr; {@code NORMAL2-IM-0383}.
 * </ul>
 *
 * <p>A name that fits none of these is its own patient: {@link #patientId(String)} returns the
 * file name without its extension. Ids are only meaningful within one split: the official test
 * split numbers its patients on its own, so {@code person100} in {@code train/} and in
 * {@code test/} are different people.
 */
public final class PatientIdParser {
    private static final Pattern PERSON =
            Pattern.compile("(person\\d+)_(?:bacteria|virus)_\\d+(?:_\\d+)*", Pattern.CASE_INSENSITIVE);
    private static final Pattern IM = Pattern.compile("(IM-\\d+)-\\d+(?:-\\d+)*", Pattern.CASE_INSENSITIVE);
    private static final Pattern NORMAL2 =
            Pattern.compile("(NORMAL\\d*-IM-\\d+)-\\d+(?:-\\d+)*", Pattern.CASE_INSENSITIVE);
    private static final Pattern[] PATTERNS = {PERSON, NORMAL2, IM};

    private PatientIdParser() {}

    /**
     * Returns the patient id of a file name that fits one of the known patterns.
     *
     * @param fileName a file name, with or without extension and folders
     * @return the patient id, or empty when the name fits no known pattern
     */
    public static Optional<String> recognise(String fileName) {
        String stem = stem(fileName);
        for (Pattern pattern : PATTERNS) {
            Matcher matcher = pattern.matcher(stem);
            if (matcher.matches()) {
                return Optional.of(matcher.group(1));
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the patient id of a file name: the recognised id, or the name without its extension
     * when it fits no known pattern (such a file is its own patient).
     *
     * @param fileName a file name, with or without extension and folders
     * @return the patient id, never blank
     */
    public static String patientId(String fileName) {
        return recognise(fileName).orElseGet(() -> stem(fileName));
    }

    /** @return the file name without folders and without its last extension */
    static String stem(String fileName) {
        Objects.requireNonNull(fileName, "fileName");
        String name = fileName;
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (slash >= 0) {
            name = name.substring(slash + 1);
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
