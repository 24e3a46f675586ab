package io.xray.report;

import io.xray.XrayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file written by hand: TFRecord framing (little-endian uint64 length, masked
 * CRC-32C of the length, the data, masked CRC-32C of the data) around {@code tensorflow.Event}
 * protocol buffers, the first holding {@code file_version: "brain.Event:2"}, the others a
 * {@code Summary} of {@code simple_value} scalars at a step.
 */
final class EventFile {

    static final String FILE_VERSION = "brain.Event:2";
    private static final int MASK_DELTA = 0xa282ead8;

    private final ByteArrayOutputStream records = new ByteArrayOutputStream();

    /**
     * @param wallTime seconds since the epoch of the first event
     */
    EventFile(double wallTime) {
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        wallTime(event, wallTime);
        bytesField(event, 3, FILE_VERSION.getBytes(StandardCharsets.UTF_8)); // Event.file_version
        record(event.toByteArray());
    }

    /**
     * Adds one event: scalars at a step.
     *
     * @param wallTime seconds since the epoch
     * @param step the step (an epoch, a trial number)
     * @param scalars tag to value; non-finite values are written as they are (TensorBoard shows NaN)
     */
    void scalars(double wallTime, long step, Map<String, Double> scalars) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        for (Map.Entry<String, Double> scalar : scalars.entrySet()) {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            bytesField(value, 1, scalar.getKey().getBytes(StandardCharsets.UTF_8)); // Summary.Value.tag
            value.write((2 << 3) | 5); // Summary.Value.simple_value, fixed32
            writeLittleEndian(value, Float.floatToIntBits(scalar.getValue().floatValue()), 4);
            bytesField(summary, 1, value.toByteArray()); // Summary.value
        }
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        wallTime(event, wallTime);
        event.write(2 << 3); // Event.step, varint
        varint(event, step);
        bytesField(event, 5, summary.toByteArray()); // Event.summary
        record(event.toByteArray());
    }

    /** @return the file's bytes so far */
    byte[] bytes() {
        return records.toByteArray();
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                records.writeTo(out);
            }
        } catch (IOException e) {
            throw new XrayException(file + ": cannot write the TensorBoard event file: " + e.getMessage(), e);
        }
    }

    private void record(byte[] data) {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        records.writeBytes(length);
        writeLittleEndian(records, maskedCrc32c(length, 0, 8), 4);
        records.writeBytes(data);
        writeLittleEndian(records, maskedCrc32c(data, 0, data.length), 4);
    }

    /** @return TFRecord's masked CRC-32C: the checksum rotated right by 15 bits, plus 0xa282ead8 */
    static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + MASK_DELTA;
    }

    private static void wallTime(ByteArrayOutputStream out, double wallTime) {
        out.write((1 << 3) | 1); // Event.wall_time, fixed64
        writeLittleEndian(out, Double.doubleToLongBits(wallTime), 8);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        out.write((field << 3) | 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
    }
}
