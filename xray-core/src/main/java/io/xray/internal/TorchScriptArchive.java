package io.xray.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript module archive, the zip file that {@code torch.jit.save} writes and
 * {@code torch::jit::load} reads, from Java: the module's TorchScript source
 * ({@code code/__torch__.py}), its attributes pickled with protocol 2 ({@code data.pkl}, tensors
 * as {@code torch._utils._rebuild_tensor_v2} with a persistent id per storage), one raw
 * little-endian record per storage ({@code data/N}), an empty {@code constants.pkl}, and the
 * {@code version} and {@code byteorder} records. The layout mirrors what {@code torch.jit.save}
 * of a scripted module with tensor attributes and no parameters writes; the loader compiles the
 * source and binds the attributes by name. Only what xray's own modules need is supported: one
 * class in the {@code __torch__} namespace, tensor attributes of 32-bit float or bfloat16.
 */
final class TorchScriptArchive {

    /** Element types a storage may hold. */
    enum ElementType {
        FLOAT("FloatStorage", 4),
        BFLOAT16("BFloat16Storage", 2);

        final String storageClass;
        final int bytes;

        ElementType(String storageClass, int bytes) {
            this.storageClass = storageClass;
            this.bytes = bytes;
        }
    }

    /**
     * A tensor attribute.
     *
     * @param type the element type
     * @param data the storage's bytes, little-endian, {@code numel * type.bytes} of them
     * @param sizes the tensor's shape
     * @param strides its strides, in elements
     */
    record Tensor(ElementType type, byte[] data, long[] sizes, long[] strides) {
        Tensor {
            Objects.requireNonNull(type, "type");
            if (sizes.length != strides.length) {
                throw new IllegalArgumentException("sizes and strides differ in rank");
            }
            long numel = 1;
            for (long size : sizes) {
                numel *= size;
            }
            if (data.length != numel * type.bytes) {
                throw new IllegalArgumentException("expected " + numel * type.bytes + " bytes, got " + data.length);
            }
        }

        long numel() {
            return data.length / type.bytes;
        }

        /**
         * @param values row-major values of a tensor of shape {@code sizes}
         * @param type the element type to store them as (bfloat16: rounded to nearest even)
         * @param sizes the shape
         * @param channelsLast for a 4-dimensional tensor, stores it with PyTorch's channels-last
         *     strides (the same shape, its elements laid out as (N, H, W, C))
         * @return the tensor
         */
        static Tensor of(float[] values, ElementType type, long[] sizes, boolean channelsLast) {
            float[] laidOut = values;
            long[] strides = contiguousStrides(sizes);
            if (channelsLast && sizes.length == 4) {
                int n = (int) sizes[0];
                int c = (int) sizes[1];
                int h = (int) sizes[2];
                int w = (int) sizes[3];
                laidOut = new float[values.length];
                for (int a = 0; a < n; a++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int y = 0; y < h; y++) {
                            for (int x = 0; x < w; x++) {
                                laidOut[((a * h + y) * w + x) * c + ch] = values[((a * c + ch) * h + y) * w + x];
                            }
                        }
                    }
                }
                strides = new long[] {(long) h * w * c, 1, (long) w * c, c};
            }
            byte[] bytes = new byte[laidOut.length * type.bytes];
            for (int i = 0; i < laidOut.length; i++) {
                int bits = Float.floatToRawIntBits(laidOut[i]);
                if (type == ElementType.FLOAT) {
                    bytes[4 * i] = (byte) bits;
                    bytes[4 * i + 1] = (byte) (bits >>> 8);
                    bytes[4 * i + 2] = (byte) (bits >>> 16);
                    bytes[4 * i + 3] = (byte) (bits >>> 24);
                } else {
                    short half = toBfloat16(laidOut[i]);
                    bytes[2 * i] = (byte) half;
                    bytes[2 * i + 1] = (byte) (half >>> 8);
                }
            }
            return new Tensor(type, bytes, sizes.clone(), strides);
        }

        private static long[] contiguousStrides(long[] sizes) {
            long[] strides = new long[sizes.length];
            long stride = 1;
            for (int i = sizes.length - 1; i >= 0; i--) {
                strides[i] = stride;
                stride *= sizes[i];
            }
            return strides;
        }
    }

    /**
     * @param value a float
     * @return its bfloat16 bits, rounded to nearest, ties to even (NaN stays NaN)
     */
    static short toBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    private TorchScriptArchive() {}

    /**
     * Writes an archive.
     *
     * @param out where the zip goes; not closed
     * @param archiveName the top folder inside the zip (any name: the loader takes the first one)
     * @param className the module's class, in the {@code __torch__} namespace
     * @param source the TorchScript source of {@code code/__torch__.py}, defining {@code className}
     * @param attributes the module's tensor attributes, in the order the source declares them
     */
    static void write(OutputStream out, String archiveName, String className, String source,
            Map<String, Tensor> attributes) {
        try {
            ZipOutputStream zip = new ZipOutputStream(out);
            List<Tensor> storages = new ArrayList<>(attributes.values());
            byte[] data = pickleModule(className, attributes);
            put(zip, archiveName + "/data.pkl", data);
            put(zip, archiveName + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            // An empty tuple: the module has no tensor constants in its code.
            put(zip, archiveName + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            put(zip, archiveName + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            put(zip, archiveName + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < storages.size(); i++) {
                put(zip, archiveName + "/data/" + i, storages.get(i).data());
            }
            zip.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the archive as bytes; see {@link #write}. */
    static byte[] toBytes(String archiveName, String className, String source, Map<String, Tensor> attributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(bytes, archiveName, className, source, new LinkedHashMap<>(attributes));
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    /** The module object: {@code __torch__.<className>} built from a dict of its attributes. */
    private static byte[] pickleModule(String className, Map<String, Tensor> attributes) {
        Pickler p = new Pickler();
        p.proto();
        p.global("__torch__", className);
        p.op(')'); // EMPTY_TUPLE
        p.op(0x81); // NEWOBJ
        p.op('}'); // EMPTY_DICT
        p.op('('); // MARK
        p.string("training");
        p.op(0x89); // NEWFALSE
        p.string("_is_full_backward_hook");
        p.op('N'); // NONE
        int key = 0;
        for (Map.Entry<String, Tensor> attribute : attributes.entrySet()) {
            p.string(attribute.getKey());
            p.tensor(attribute.getValue(), key++);
        }
        p.op('u'); // SETITEMS
        p.op('b'); // BUILD
        p.op('.'); // STOP
        return p.bytes.toByteArray();
    }

    /** The few pickle protocol 2 opcodes a module's state needs. */
    private static final class Pickler {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void op(int opcode) {
            bytes.write(opcode);
        }

        void proto() {
            op(0x80);
            op(2);
        }

        void global(String module, String name) {
            op('c');
            bytes.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        }

        void string(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            op('X'); // BINUNICODE
            int32(utf8.length);
            bytes.writeBytes(utf8);
        }

        void integer(long value) {
            if (value < 0 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("integer out of range: " + value);
            }
            op('J'); // BININT
            int32((int) value);
        }

        void int32(int value) {
            bytes.write(value);
            bytes.write(value >>> 8);
            bytes.write(value >>> 16);
            bytes.write(value >>> 24);
        }

        void tuple(long[] values) {
            op('(');
            for (long value : values) {
                integer(value);
            }
            op('t');
        }

        /** {@code torch._utils._rebuild_tensor_v2(storage, 0, sizes, strides, False, OrderedDict())}. */
        void tensor(Tensor tensor, int storageKey) {
            global("torch._utils", "_rebuild_tensor_v2");
            op('(');
            op('(');
            string("storage");
            global("torch", tensor.type().storageClass);
            string(Integer.toString(storageKey));
            string("cpu");
            integer(tensor.numel());
            op('t');
            op('Q'); // BINPERSID
            integer(0);
            tuple(tensor.sizes());
            tuple(tensor.strides());
            op(0x89); // requires_grad = False
            global("collections", "OrderedDict");
            op(')');
            op('R'); // REDUCE: OrderedDict()
            op('t');
            op('R'); // REDUCE: _rebuild_tensor_v2(...)
        }
    }
}
