package io.xray.sagemaker;

import io.xray.InvalidConfigurationException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * SageMaker's job and resource names: letters, digits and hyphens, starting and ending with a
 * letter or digit ({@code [a-zA-Z0-9](-*[a-zA-Z0-9])*}), at most {@value #TRAINING_JOB_MAX}
 * characters for training jobs (and models, endpoints, transform jobs) and {@value #TUNING_JOB_MAX}
 * for tuning jobs. Unique names are a base name and a UTC time stamp to the millisecond, as the
 * SageMaker Python SDK makes them ({@code xray-2026-11-29-11-52-10-123}), the base cut so the
 * whole fits.
 */
public final class JobNames {

    /** The longest training job name. */
    public static final int TRAINING_JOB_MAX = 63;
    /** The longest tuning job name. */
    public static final int TUNING_JOB_MAX = 32;

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9])*");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss-SSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SHORT_STAMP = DateTimeFormatter.ofPattern("yyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private JobNames() {
    }

    /**
     * @param field the builder field, for the error
     * @param name a name
     * @param max the longest allowed
     * @return the name
     * @throws InvalidConfigurationException naming the field when the name breaks the pattern or length
     */
    public static String require(String field, String name, int max) {
        if (name == null || name.isEmpty()) {
            throw new InvalidConfigurationException(field, "must be set");
        }
        if (name.length() > max) {
            throw new InvalidConfigurationException(field, "'" + name + "' has " + name.length()
                    + " characters; SageMaker allows at most " + max);
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidConfigurationException(field, "'" + name + "' breaks SageMaker's name pattern: letters,"
                    + " digits and hyphens, starting and ending with a letter or digit");
        }
        return name;
    }

    /**
     * @param base the base name, e.g. {@code xray}; cut to fit
     * @param now the time stamp
     * @return {@code base-yyyy-MM-dd-HH-mm-ss-SSS}, at most {@value #TRAINING_JOB_MAX} characters
     */
    public static String trainingJob(String base, Instant now) {
        return unique(base, STAMP.format(now), TRAINING_JOB_MAX);
    }

    /**
     * @param base the base name; cut to fit
     * @param now the time stamp
     * @return {@code base-yyMMdd-HHmmss}, at most {@value #TUNING_JOB_MAX} characters
     */
    public static String tuningJob(String base, Instant now) {
        return unique(base, SHORT_STAMP.format(now), TUNING_JOB_MAX);
    }

    private static String unique(String base, String stamp, int max) {
        String cleaned = base == null ? "" : base.replaceAll("[^a-zA-Z0-9-]", "-").replaceAll("^-+|-+$", "");
        int room = max - stamp.length() - 1;
        if (cleaned.length() > room) {
            cleaned = cleaned.substring(0, room).replaceAll("-+$", "");
        }
        String name = cleaned.isEmpty() ? "xray-" + stamp : cleaned + "-" + stamp;
        if (name.length() > max) {
            name = name.substring(name.length() - max);
        }
        return require("baseJobName", name, max);
    }
}
