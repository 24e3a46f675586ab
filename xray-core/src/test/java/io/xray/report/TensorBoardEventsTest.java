package io.xray.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.XrayException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event files decoded back in this test with a reader written from the formats' specifications
 * (TFRecord framing with masked CRC-32C, the {@code Event} and {@code Summary} protocol buffers),
 * independent of the writer; {@code tools/tensorboard-check} reads them with TensorBoard itself.
 */
class TensorBoardEventsTest {

    @TempDir
    Path temp;

    /** One decoded {@code Event}. */
    record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {}

    /** Reads a TFRecord file, checking both CRCs of every record, and decodes each Event. */
    static List<Event> read(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] header = new byte[8];
            in.get(header);
            int headerCrc = in.getInt();
            assertThat(headerCrc).as("length CRC").isEqualTo(masked(header));
            long length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] data = new byte[(int) length];
            in.get(data);
            int dataCrc = in.getInt();
            assertThat(dataCrc).as("data CRC").isEqualTo(masked(data));
            events.add(event(data));
        }
        return events;
    }

    static int masked(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        long c = crc.getValue();
        return (int) ((((c >>> 15) | (c << 17)) + 0xa282ead8L) & 0xFFFFFFFFL);
    }

    static Event event(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double wallTime = Double.NaN;
        long step = 0;
        String fileVersion = null;
        Map<String, Float> scalars = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            long key = varint(in);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (field) {
                case 1 -> {
                    assertThat(wire).isEqualTo(1);
                    wallTime = in.getDouble();
                }
                case 2 -> {
                    assertThat(wire).isZero();
                    step = varint(in);
                }
                case 3 -> fileVersion = new String(bytes(in), StandardCharsets.UTF_8);
                case 5 -> {
                    ByteBuffer summary = ByteBuffer.wrap(bytes(in)).order(ByteOrder.LITTLE_ENDIAN);
                    while (summary.hasRemaining()) {
                        assertThat(varint(summary)).as("Summary.value").isEqualTo((1 << 3) | 2);
                        ByteBuffer value = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
                        String tag = null;
                        Float simple = null;
                        while (value.hasRemaining()) {
                            long k = varint(value);
                            if (k == ((1 << 3) | 2)) {
                                tag = new String(bytes(value), StandardCharsets.UTF_8);
                            } else if (k == ((2 << 3) | 5)) {
                                simple = value.getFloat();
                            } else {
                                throw new AssertionError("unexpected Summary.Value field key " + k);
                            }
                        }
                        scalars.put(tag, simple);
                    }
                }
                default -> throw new AssertionError("unexpected Event field " + field);
            }
        }
        return new Event(wallTime, step, fileVersion, scalars);
    }

    static long varint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    static byte[] bytes(ByteBuffer in) {
        byte[] bytes = new byte[(int) varint(in)];
        in.get(bytes);
        return bytes;
    }

    static List<Path> eventFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
        }
    }

    @Test
    void eventFile_shouldDecodeToTheFileVersionThenTheScalars() {
        EventFile file = new EventFile(1.5e9);
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("loss/train", 0.25);
        scalars.put("validation/auc", 0.875);
        file.scalars(1.5e9 + 12.5, 300, scalars);

        List<Event> events = read(file.bytes());

        assertThat(events).hasSize(2);
        assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");
        assertThat(events.get(0).wallTime()).isEqualTo(1.5e9);
        assertThat(events.get(1).step()).isEqualTo(300);
        assertThat(events.get(1).wallTime()).isEqualTo(1.5e9 + 12.5);
        assertThat(events.get(1).scalars()).containsExactly(Map.entry("loss/train", 0.25f), Map.entry("validation/auc", 0.875f));
    }

    @Test
    void corruptedByte_shouldFailTheDataCrc() {
        EventFile file = new EventFile(1.5e9);
        file.scalars(1.5e9, 1, Map.of("loss/train", 0.5));
        byte[] bytes = file.bytes();
        bytes[bytes.length - 6] ^= 1; // inside the last event's data

        assertThatThrownBy(() -> read(bytes)).isInstanceOf(AssertionError.class).hasMessageContaining("data CRC");
    }

    @Test
    void trainingRun_shouldWriteEveryEpochsScalars_andReplaceThemWhenWrittenAgain() throws IOException {
        Path run = Files.createDirectories(temp.resolve("run"));
        Files.writeString(run.resolve("run.json"), "{\"format\":1,\"name\":\"run\",\"status\":\"COMPLETED\","
                + "\"started\":\"2026-11-29T10:00:00Z\",\"seconds\":30.0,\"model\":\"model\"}");
        Files.writeString(run.resolve("hyperparameters.json"), "{\"epochs\":\"2\"}");
        Files.writeString(run.resolve("metrics.jsonl"),
                "{\"epoch\":1,\"Train_loss\":0.7,\"Val_loss\":0.6,\"Val_f1\":0.8,\"Val_auc\":0.9,\"Learning_rate\":0.001,"
                        + "\"Seconds\":10.0,\"Images_per_second\":120.0}\n"
                        + "{\"epoch\":2,\"Train_loss\":0.5,\"Val_loss\":null,\"Val_f1\":0.85,\"Val_auc\":0.93,"
                        + "\"Learning_rate\":0.0005,\"Seconds\":12.0,\"Images_per_second\":130.0}\n");

        Path directory = TensorBoardEvents.write(run);
        TensorBoardEvents.write(run);

        assertThat(directory).isEqualTo(run.resolve("tensorboard"));
        List<Path> files = eventFiles(directory);
        assertThat(files).hasSize(1);
        List<Event> events = read(Files.readAllBytes(files.get(0)));
        assertThat(events).hasSize(3);
        double start = java.time.Instant.parse("2026-11-29T10:00:00Z").getEpochSecond();
        assertThat(events.get(1).step()).isEqualTo(1);
        assertThat(events.get(1).wallTime()).isEqualTo(start + 10);
        assertThat(events.get(1).scalars()).containsEntry("loss/train", 0.7f).containsEntry("loss/validation", 0.6f)
                .containsEntry("validation/f1", 0.8f).containsEntry("validation/auc", 0.9f)
                .containsEntry("train/learning_rate", 0.001f).containsEntry("train/images_per_second", 120f);
        assertThat(events.get(2).step()).isEqualTo(2);
        assertThat(events.get(2).wallTime()).isEqualTo(start + 22);
        assertThat(events.get(2).scalars()).doesNotContainKey("loss/validation").containsEntry("validation/f1", 0.85f);
    }

    @Test
    void tuningRun_shouldWriteObjectivesByTrial_andEachTrialsEpochs() throws IOException {
        Path folder = temp.resolve("tuning");
        io.xray.tune.TuningResult result = TuningReportTest.tune(folder);
        Path directory = TensorBoardEvents.write(folder);

        List<Event> events = read(Files.readAllBytes(eventFiles(directory).get(0)));
        assertThat(events).hasSize(21);
        for (int i = 1; i <= 20; i++) {
            assertThat(events.get(i).step()).isEqualTo(i);
            assertThat(events.get(i).scalars().get("tuning/objective"))
                    .isEqualTo((float) result.trials().get(i - 1).objective());
        }
        float best = events.get(20).scalars().get("tuning/best_so_far");
        assertThat(best).isEqualTo((float) result.best().orElseThrow().objective());
        List<Event> trial3 = read(Files.readAllBytes(eventFiles(directory.resolve("trial-0003")).get(0)));
        assertThat(trial3).hasSize(9);
        assertThat(trial3.get(8).step()).isEqualTo(8);
        assertThat(trial3.get(8).scalars()).containsKeys("validation/f1", "loss/validation", "validation/auc");
    }

    @Test
    void folderWithoutARun_shouldBeRefusedNamingIt() {
        assertThatThrownBy(() -> TensorBoardEvents.write(temp)).isInstanceOf(XrayException.class)
                .hasMessageContaining(temp.toString());
    }
}
