package io.xray.image;

import io.xray.InvalidConfigurationException;
import io.xray.InvalidImageException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes images safely: ImageIO with the TwelveMonkeys JPEG plug-in (which handles CMYK, YCCK and
 * many malformed-but-recoverable JPEGs that the JDK reader rejects), with limits checked before any
 * pixel is decoded.
 *
 * <p>Every refusal is an {@link InvalidImageException} whose {@link InvalidImageException#source()}
 * names the file or source and whose message says why:
 *
 * <ul>
 *   <li>empty input, or more bytes than {@link #maxBytes()};
 *   <li>a format that no installed ImageIO reader recognises (random bytes, text, ...);
 *   <li>a declared width × height above {@link #maxPixels()} — read from the header through the
 *       {@link ImageReader} <em>before</em> pixels are decoded, so a small file declaring
 *       100000×100000 pixels costs nothing;
 *   <li>a JPEG that decodes only partly: the JDK's native decoder (which TwelveMonkeys delegates
 *       to) merely <em>warns</em> "Premature end of JPEG file" and returns grey pixels for the
 *       missing part. This class listens for such warnings and turns truncation and corruption
 *       warnings into errors, and also requires an end-of-image marker (EOI, {@code FF D9}) after
 *       the last start-of-scan marker, which tolerates padding or trailing data after the EOI;
 *   <li>any other decoder failure (I/O error, truncated PNG, decoder runtime exception).
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; each call creates its own reader.
 */
public final class ImageDecoder {

    /** Default limit on the declared pixel count: 50 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /** Default limit on the encoded size: 256 MiB. */
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);

    private static final String TWELVEMONKEYS_PACKAGE = "com.twelvemonkeys.";

    /** Lower-case fragments of reader warnings that mean the pixels are incomplete or wrong. */
    private static final String[] FATAL_WARNINGS = {
        "premature end", "corrupt", "truncat", "bogus", "unexpected end", "extraneous bytes",
        "end of file", "invalid sos", "inconsistent progression", "bad huffman"
    };

    private static final ImageDecoder DEFAULTS = new Builder().build();

    static {
        // Make sure the service loader has seen the TwelveMonkeys plug-in even when ImageIO was first
        // initialised by another class loader (application servers, plug-in hosts).
        ImageIO.scanForPlugins();
    }

    private final long maxPixels;
    private final long maxBytes;

    private ImageDecoder(Builder builder) {
        this.maxPixels = builder.maxPixels;
        this.maxBytes = builder.maxBytes;
    }

    /** @return a decoder with the default limits ({@value #DEFAULT_MAX_PIXELS} pixels, 256 MiB) */
    public static ImageDecoder defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the default limits */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this decoder's limits */
    public Builder toBuilder() {
        return new Builder().maxPixels(maxPixels).maxBytes(maxBytes);
    }

    /** @return the largest declared width × height this decoder accepts */
    public long maxPixels() {
        return maxPixels;
    }

    /** @return the largest encoded size in bytes this decoder accepts */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Decodes the first image of a file.
     *
     * @param file a JPEG, PNG or other ImageIO-readable file
     * @return the decoded image, as the reader delivers it (use {@link Grayscale#of} for luminance)
     * @throws InvalidImageException naming the file when it is missing, unreadable, too large,
     *     truncated, corrupt or of an unknown format
     */
    public BufferedImage decode(Path file) {
        String source = file.toString();
        byte[] bytes;
        try {
            long size = Files.size(file);
            checkSize(size, source);
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidImageException(source, "file does not exist", e);
        } catch (IOException e) {
            throw new InvalidImageException(source, "cannot read file: " + e.getMessage(), e);
        }
        return decode(bytes, source);
    }

    /**
     * Decodes the first image of an encoded byte array.
     *
     * @param bytes the encoded image (not modified)
     * @param source a name for error messages, such as a file path or {@code "request body"}
     * @return the decoded image, as the reader delivers it (use {@link Grayscale#of} for luminance)
     * @throws InvalidImageException naming {@code source} when the bytes are empty, too large,
     *     truncated, corrupt or of an unknown format
     */
    public BufferedImage decode(byte[] bytes, String source) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidImageException(source, "empty input (0 bytes)");
        }
        checkSize(bytes.length, source);
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = chooseReader(input, source);
            try {
                return read(reader, input, bytes, source);
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidImageException(source, "cannot decode image: " + describe(e), e);
        } catch (RuntimeException e) {
            // Decoders throw IllegalArgumentException, IndexOutOfBounds, ... on hostile input.
            throw new InvalidImageException(source, "decoder failed: " + describe(e), e);
        }
    }

    private void checkSize(long size, String source) {
        if (size == 0) {
            throw new InvalidImageException(source, "empty input (0 bytes)");
        }
        if (size > maxBytes) {
            throw new InvalidImageException(
                    source, "encoded size " + size + " bytes exceeds the limit of " + maxBytes + " bytes");
        }
    }

    private static ImageReader chooseReader(ImageInputStream input, String source) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
        ImageReader chosen = null;
        List<ImageReader> others = new ArrayList<>();
        while (readers.hasNext()) {
            ImageReader candidate = readers.next();
            if (chosen == null) {
                chosen = candidate;
            } else if (isTwelveMonkeys(candidate) && !isTwelveMonkeys(chosen)) {
                others.add(chosen);
                chosen = candidate;
            } else {
                others.add(candidate);
            }
        }
        others.forEach(ImageReader::dispose);
        if (chosen == null) {
            throw new InvalidImageException(
                    source, "unrecognised image format (not a JPEG, PNG or other format ImageIO can read)");
        }
        return chosen;
    }

    /** The class name of the reader {@link #decode} would use for these bytes (for tests). */
    static String readerClassFor(byte[] bytes) {
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = chooseReader(input, "bytes");
            reader.dispose();
            return reader.getClass().getName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isTwelveMonkeys(ImageReader reader) {
        return reader.getClass().getName().startsWith(TWELVEMONKEYS_PACKAGE);
    }

    private BufferedImage read(ImageReader reader, ImageInputStream input, byte[] bytes, String source)
            throws IOException {
        String format = formatName(reader);
        reader.setInput(input, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
            throw new InvalidImageException(source, "declares an empty size " + width + "x" + height);
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new InvalidImageException(source, String.format(Locale.ROOT,
                    "declares %dx%d = %d pixels, more than the limit of %d", width, height, pixels, maxPixels));
        }
        boolean jpeg = "jpeg".equals(format);
        if (jpeg && !hasEndOfImageAfterLastScan(bytes)) {
            throw new InvalidImageException(source, "truncated JPEG: no end-of-image marker after the last scan");
        }
        WarningCollector warnings = new WarningCollector();
        reader.addIIOReadWarningListener(warnings);
        ImageReadParam param = reader.getDefaultReadParam();
        BufferedImage image = reader.read(0, param);
        if (!warnings.fatal.isEmpty()) {
            throw new InvalidImageException(source, "corrupt or truncated " + format + " image: "
                    + String.join("; ", warnings.fatal));
        }
        for (String warning : warnings.benign) {
            LOG.debug("{}: decoder warning ignored: {}", source, warning);
        }
        return image;
    }

    private static String formatName(ImageReader reader) {
        try {
            String name = reader.getFormatName();
            return name == null ? "image" : name.toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    /**
     * True when an EOI marker ({@code FF D9}) follows the last SOS marker ({@code FF DA}). Inside
     * entropy-coded data every {@code FF} byte is followed by {@code 00} or a restart marker, so
     * neither marker can occur there by accident; a file cut anywhere in its last scan has no EOI
     * after that scan, while padding or trailing metadata after the EOI is tolerated.
     */
    static boolean hasEndOfImageAfterLastScan(byte[] bytes) {
        int lastScan = -1;
        for (int i = bytes.length - 2; i >= 0; i--) {
            if (bytes[i] == (byte) 0xFF && bytes[i + 1] == (byte) 0xDA) {
                lastScan = i;
                break;
            }
        }
        if (lastScan < 0) {
            return false;
        }
        for (int i = lastScan + 2; i < bytes.length - 1; i++) {
            if (bytes[i] == (byte) 0xFF && bytes[i + 1] == (byte) 0xD9) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Collects reader warnings; truncation and corruption warnings are fatal. */
    private static final class WarningCollector implements IIOReadWarningListener {
        private final List<String> fatal = new ArrayList<>();
        private final List<String> benign = new ArrayList<>();

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            String text = warning == null ? "" : warning;
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.contains("icc")) {
                // A bad colour profile is ignored by the readers; the pixels are still complete.
                benign.add(text);
                return;
            }
            for (String marker : FATAL_WARNINGS) {
                if (lower.contains(marker)) {
                    fatal.add(text);
                    return;
                }
            }
            benign.add(text);
        }
    }

    /** Builds an {@link ImageDecoder}; validated in {@link #build()}. */
    public static final class Builder {
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private long maxBytes = DEFAULT_MAX_BYTES;

        private Builder() {
        }

        /**
         * @param maxPixels the largest declared width × height to accept; at least 1
         * @return this builder
         */
        public Builder maxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * @param maxBytes the largest encoded size in bytes to accept; at least 1
         * @return this builder
         */
        public Builder maxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * @return the decoder
         * @throws InvalidConfigurationException naming {@code maxPixels} or {@code maxBytes} when not positive
         */
        public ImageDecoder build() {
            if (maxPixels < 1) {
                throw new InvalidConfigurationException("maxPixels", "must be at least 1, was " + maxPixels);
            }
            if (maxBytes < 1) {
                throw new InvalidConfigurationException("maxBytes", "must be at least 1, was " + maxBytes);
            }
            return new ImageDecoder(this);
        }
    }
}
