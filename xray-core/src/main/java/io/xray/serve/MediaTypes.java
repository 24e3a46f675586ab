package io.xray.serve;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Content-Type and Accept handling: parameters and case are ignored, q-values honoured. */
final class MediaTypes {

    static final String JPEG = "image/jpeg";
    static final String PNG = "image/png";
    static final String NPY = "application/x-npy";
    static final String JSON = "application/json";
    static final String CSV = "text/csv";

    /** The request body types the server reads. */
    static final List<String> REQUEST_TYPES = List.of(JPEG, PNG, NPY, JSON, CSV);
    /**
     * The response types the server writes, the first being the default; {@code image/png} is the
     * explanation overlay of an image body.
     */
    static final List<String> RESPONSE_TYPES = List.of(JSON, NPY, PNG);
    /** The SageMaker runtime's header for request attributes passed through to the model. */
    static final String CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes";

    private MediaTypes() {
    }

    /**
     * @param header a Content-Type header value, possibly null
     * @return the bare lower-case type ({@code "image/jpeg"}), or null when absent or blank
     */
    static String essence(String header) {
        if (header == null) {
            return null;
        }
        int semicolon = header.indexOf(';');
        String type = (semicolon >= 0 ? header.substring(0, semicolon) : header).trim().toLowerCase(Locale.ROOT);
        if (type.equals("image/jpg") || type.equals("image/pjpeg")) {
            return JPEG;
        }
        return type.isEmpty() ? null : type;
    }

    /**
     * Chooses the response type for an Accept header.
     *
     * @param accept the Accept header value, possibly null
     * @return one of {@link #RESPONSE_TYPES}, or null when none is acceptable
     */
    static String negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return JSON;
        }
        record Range(String type, double q, int order) {
        }
        List<Range> ranges = new ArrayList<>();
        String[] parts = accept.split(",");
        for (int i = 0; i < parts.length; i++) {
            String[] pieces = parts[i].split(";");
            String type = pieces[0].trim().toLowerCase(Locale.ROOT);
            double q = 1.0;
            for (int p = 1; p < pieces.length; p++) {
                String param = pieces[p].trim().toLowerCase(Locale.ROOT);
                if (param.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2).trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (!type.isEmpty() && q > 0) {
                ranges.add(new Range(type, q, i));
            }
        }
        ranges.sort(Comparator.comparingDouble(Range::q).reversed().thenComparingInt(Range::order));
        for (Range range : ranges) {
            for (String candidate : RESPONSE_TYPES) {
                if (matches(range.type(), candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * Whether a request asks for an explanation: {@code explain=true} in the query string
     * ({@code ?explain=true}) or among the SageMaker custom attributes ({@code explain=true}, with
     * other attributes separated by {@code ;} or {@code ,}).
     *
     * @param query the query string without {@code ?}, possibly null
     * @param customAttributes the {@value #CUSTOM_ATTRIBUTES} header, possibly null
     * @return true when either says {@code explain=true} (case ignored)
     */
    static boolean explainRequested(String query, String customAttributes) {
        return hasExplainTrue(query, "&") || hasExplainTrue(customAttributes, "[;,]");
    }

    private static boolean hasExplainTrue(String text, String separators) {
        if (text == null || text.isBlank()) {
            return false;
        }
        for (String part : text.split(separators)) {
            String[] pair = part.split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("explain") && pair[1].trim().equalsIgnoreCase("true")) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String range, String type) {
        if (range.equals("*/*") || range.equals(type)) {
            return true;
        }
        return range.endsWith("/*") && type.startsWith(range.substring(0, range.length() - 1));
    }
}
