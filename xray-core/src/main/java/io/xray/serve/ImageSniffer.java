package io.xray.serve;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Names an encoded image's format from its first bytes (its "magic number"), so that the server
 * decodes a body only as the format its Content-Type declares: without the check, any ImageIO
 * reader on the classpath would parse a GIF, BMP or TIFF sent as {@code image/jpeg}.
 */
final class ImageSniffer {

    private ImageSniffer() {}

    /**
     * @param bytes the body
     * @return the media type its first bytes say, such as {@code image/png}, or null when they
     *     match no image format known here
     */
    static String detect(byte[] bytes) {
        if (startsWith(bytes, 0xFF, 0xD8, 0xFF)) {
            return MediaTypes.JPEG;
        }
        if (startsWith(bytes, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return MediaTypes.PNG;
        }
        if (startsWith(bytes, 'G', 'I', 'F', '8')) {
            return "image/gif";
        }
        if (startsWith(bytes, 'B', 'M')) {
            return "image/bmp";
        }
        if (startsWith(bytes, 'I', 'I', 0x2A, 0x00) || startsWith(bytes, 'M', 'M', 0x00, 0x2A)) {
            return "image/tiff";
        }
        if (startsWith(bytes, 'R', 'I', 'F', 'F') && bytes.length >= 12
                && new String(bytes, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP")) {
            return "image/webp";
        }
        if (bytes.length >= 6 && new String(bytes, 0, 5, StandardCharsets.ISO_8859_1).equals("<?xml")
                || bytes.length >= 4 && new String(bytes, 0, 4, StandardCharsets.ISO_8859_1).equals("<svg")) {
            return "image/svg+xml";
        }
        return null;
    }

    /**
     * @param bytes the body
     * @return its first (up to) 8 bytes in hex, such as {@code 47 49 46 38 39 61}
     */
    static String head(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            if (i > 0) {
                hex.append(' ');
            }
            hex.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
        }
        return hex.toString();
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
