package io.xray.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.testing.TestResources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NpyTest {

    /** Fixtures written by NumPy 2.4 ({@code np.save} / {@code numpy.lib.format.write_array}). */
    static byte[] fixture(String name) {
        return TestResources.bytes("/io/xray/serve/" + name);
    }

    /** An NPY payload with the given header dictionary and data bytes, version 1.0. */
    static byte[] npy(String dict, byte[] data) {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buffer = ByteBuffer.allocate(10 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buffer.putShort((short) header.length).put(header).put(data);
        return buffer.array();
    }

    @Test
    void numpyFloat32LittleEndian_shouldReadShapeAndValues() {
        NpyArray array = Npy.read(fixture("f4_le_2x3.npy"));

        assertThat(array.dtype()).isEqualTo(NpyArray.DType.FLOAT32);
        assertThat(array.shape()).containsExactly(2, 3);
        assertThat(array.toFloatArray()).containsExactly(0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f);
    }

    @Test
    void numpyFloat64BigEndian_shouldReadShapeAndValues() {
        NpyArray array = Npy.read(fixture("f8_be_2x3.npy"));

        assertThat(array.dtype()).isEqualTo(NpyArray.DType.FLOAT64);
        assertThat(array.shape()).containsExactly(2, 3);
        assertThat(array.toDoubleArray()).containsExactly(0, 0.125, 0.25, 0.375, 0.5, 0.625);
    }

    @Test
    void numpyVersion2Header_shouldRead() {
        NpyArray array = Npy.read(fixture("f4_le_v2_3.npy"));

        assertThat(array.shape()).containsExactly(3);
        assertThat(array.toFloatArray()).containsExactly(1.5f, -2.25f, 3.0f);
    }

    @Test
    void numpyScalar_shouldHaveEmptyShapeAndOneValue() {
        NpyArray array = Npy.read(fixture("scalar_f8.npy"));

        assertThat(array.rank()).isZero();
        assertThat(array.size()).isEqualTo(1);
        assertThat(array.getDouble(0)).isEqualTo(2.5);
    }

    @Test
    void fortranOrder_shouldBeRefusedNamingIt() {
        assertThatThrownBy(() -> Npy.read(fixture("fortran_2x3.npy")))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("fortran_order True is not supported");
    }

    @Test
    void pickledObjectArray_shouldBeRefusedWithoutUnpickling() {
        assertThatThrownBy(() -> Npy.read(fixture("object_pickle.npy")))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("object arrays ('|O') are refused");
    }

    @Test
    void integerDtype_shouldBeRefusedListingTheSupportedOnes() {
        assertThatThrownBy(() -> Npy.read(fixture("int32.npy")))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("unsupported dtype '<i4'")
                .hasMessageContaining("'<f4', '>f4', '<f8', '>f8'");
    }

    @Test
    void structuredDtype_shouldBeRefused() {
        byte[] bytes = npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]);

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("structured dtypes are not supported");
    }

    @Test
    void badMagic_shouldBeRefused() {
        byte[] bytes = fixture("f4_le_2x3.npy");
        bytes[1] = 'X';

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("bad magic");
        assertThatThrownBy(() -> Npy.read(new byte[0])).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("too short");
    }

    @Test
    void unsupportedVersion_shouldBeRefused() {
        byte[] bytes = fixture("f4_le_2x3.npy");
        bytes[6] = 3;

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("unsupported version 3.0");
    }

    @Test
    void hugeDeclaredShape_shouldBeRefusedBeforeAllocating() {
        // 100000^3 float64 would be 8 PB; the check must come from the header alone.
        byte[] bytes = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", new byte[8]);

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("declares more than");
    }

    @Test
    void shapeNotMatchingBodyLength_shouldBeRefusedWithBothLengths() {
        byte[] bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new byte[20]);

        assertThatThrownBy(() -> Npy.read(bytes)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("needs 24 data bytes but the payload has 20");
    }

    @Test
    void headerLengthPastTheEnd_shouldBeRefused() {
        byte[] good = fixture("f4_le_2x3.npy");
        byte[] cut = Arrays.copyOf(good, 40);

        assertThatThrownBy(() -> Npy.read(cut)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("header declares");
    }

    @Test
    void malformedHeaders_shouldBeRefusedAsMalformedNeverEvaluated() {
        String[] headers = {
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ",           // unterminated
            "{'descr': '<f4', 'fortran_order': False, 'shape': __import__('os')}",  // code
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} extra",      // trailing text
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'shape': (6,)}", // duplicate
            "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (6,)}",          // escapes
            "['descr', '<f4']",                                                     // not a dict
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}",                  // bool required
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}",             // negative
            "{'descr': '<f4', 'fortran_order': False}",                             // missing key
            "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}",       // unknown key
            "{'descr': '=f4', 'fortran_order': False, 'shape': (6,)}",              // native order
            "{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((6,),),),),),),),),),)}", // deep
        };
        for (String header : headers) {
            assertThatThrownBy(() -> Npy.read(npy(header, new byte[24])))
                    .as(header).isInstanceOf(NpyFormatException.class).hasMessageStartingWith("invalid NPY: ");
        }
    }

    @Test
    void writeThenRead_shouldRoundTripBothDtypesAndByteOrders() {
        NpyArray floats = NpyArray.ofFloats(new float[] {1.5f, -0f, Float.NaN, 7e-8f, 3f, 4f}, 1, 2, 3);
        NpyArray doubles = NpyArray.ofDoubles(new double[] {Math.PI, -1e300, 0.1}, 3);

        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            assertThat(Npy.read(Npy.write(floats, order))).isEqualTo(floats);
            assertThat(Npy.read(Npy.write(doubles, order))).isEqualTo(doubles);
        }
    }

    @Test
    void written_shouldMatchNumpysOwnBytes() {
        // np.save of the same array produces the same bytes: header padded to 64, '\n' terminated.
        NpyArray array = NpyArray.ofFloats(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, 2, 3);

        assertThat(Npy.write(array)).isEqualTo(fixture("f4_le_2x3.npy"));
        assertThat(Npy.write(NpyArray.ofDoubles(new double[] {2.5}))).isEqualTo(fixture("scalar_f8.npy"));
    }

    @Test
    void ofFloatsWithWrongShape_shouldThrow() {
        assertThatThrownBy(() -> NpyArray.ofFloats(new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 6 values but the data has 5");
    }
}
