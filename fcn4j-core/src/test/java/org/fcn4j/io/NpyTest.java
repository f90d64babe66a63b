package org.fcn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .npy and .npz against files NumPy wrote (tools/npy/npy_roundtrip.py), and malformed files. The
 * arrays written here go to target/npy-from-fcn4j for the script's --check direction.
 */
class NpyTest {
    @TempDir
    Path tmp;

    /** Builds the arrays of npy_roundtrip.py's expected() the same way. */
    static Map<String, NdArray> expected() {
        Map<String, NdArray> m = new LinkedHashMap<>();
        float[] f32 = new float[24];
        for (int i = 0; i < 24; i++) {
            f32[i] = i * 0.25f - 3f;
        }
        f32[0] = -0.0f;
        f32[23] = 3.4028235e38f;
        m.put("f32", NdArray.ofFloats(f32, 2, 3, 4));
        double[] f64 = new double[5];
        for (int i = 0; i < 5; i++) {
            f64[i] = i / 3.0;
        }
        m.put("f64", NdArray.ofDoubles(f64, 5));
        byte[] u8 = new byte[12];
        for (int i = 0; i < 12; i++) {
            u8[i] = (byte) (i * 23 % 256);
        }
        m.put("u8", NdArray.ofUnsignedBytes(u8, 3, 4));
        int[] i32 = {Integer.MIN_VALUE, -2, -1, 0, 1, 2};
        m.put("i32", NdArray.ofInts(i32, 2, 3));
        m.put("i64", NdArray.ofLongs(new long[] {0, -1, (1L << 53) + 1, -(1L << 62), 7, Long.MAX_VALUE}, 3, 2));
        m.put("scalar", NdArray.ofFloats(new float[] {1.5f}));
        m.put("empty", NdArray.ofFloats(new float[0], 0, 3));
        return m;
    }

    static Path reference(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsEveryDtypeWrittenByNumpy() throws IOException {
        for (Map.Entry<String, NdArray> e : expected().entrySet()) {
            NdArray got = Npy.read(reference(e.getKey() + ".npy"));
            assertEquals(e.getValue().dtype(), got.dtype(), e.getKey() + " dtype");
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey() + " shape");
            assertEquals(e.getValue(), got, e.getKey() + " values");
        }
    }

    @Test
    void int64BeyondDoublePrecisionSurvives() throws IOException {
        long[] v = Npy.read(reference("i64.npy")).toLongs();
        assertEquals((1L << 53) + 1, v[2]);
        assertEquals(Long.MAX_VALUE, v[5]);
    }

    @Test
    void readsStoredAndDeflatedNpz() throws IOException {
        for (String archive : List.of("stored.npz", "deflated.npz")) {
            Map<String, NdArray> got = Npz.read(reference(archive));
            assertEquals(new ArrayList<>(expected().keySet()), new ArrayList<>(got.keySet()), archive + " names");
            for (Map.Entry<String, NdArray> e : expected().entrySet()) {
                assertEquals(e.getValue(), got.get(e.getKey()), archive + ":" + e.getKey());
            }
        }
    }

    @Test
    void writeRoundTripForNumpyCheck() throws IOException {
        Path out = Path.of("target", "npy-from-fcn4j");
        Files.createDirectories(out);
        for (Map.Entry<String, NdArray> e : expected().entrySet()) {
            Path f = out.resolve(e.getKey() + ".npy");
            Npy.write(f, e.getValue());
            long dataBytes = (long) e.getValue().numel() * e.getValue().dtype().size();
            assertEquals(0, (Files.size(f) - dataBytes) % 64, e.getKey() + ": data starts at a multiple of 64");
            assertEquals(e.getValue(), Npy.read(f), e.getKey() + " round trip");
        }
        Npz.write(out.resolve("stored.npz"), expected(), false);
        Npz.write(out.resolve("deflated.npz"), expected(), true);
        assertEquals(expected(), Npz.read(out.resolve("stored.npz")));
        assertEquals(expected(), Npz.read(out.resolve("deflated.npz")));
    }

    @Test
    void headerMatchesNumpyLayout() throws IOException {
        byte[] bytes = Npy.toBytes(expected().get("f32"));
        String header = new String(bytes, 10, bytes.length - 10 - 96, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }"), header);
        assertEquals('\n', header.charAt(header.length() - 1));
        byte[] numpy = Files.readAllBytes(reference("f32.npy"));
        byte[] numpyData = java.util.Arrays.copyOfRange(numpy, numpy.length - 96, numpy.length);
        byte[] ours = java.util.Arrays.copyOfRange(bytes, bytes.length - 96, bytes.length);
        assertArrayEquals(numpyData, ours, "data bytes");
    }

    // ------------------------------------------------------------ malformed files

    private Path withHeader(String name, String dict, int dataBytes) throws IOException {
        String padded = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        byte[] h = padded.getBytes(StandardCharsets.ISO_8859_1);
        byte[] file = new byte[10 + h.length + dataBytes];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) (h.length & 0xFF), (byte) (h.length >> 8)};
        System.arraycopy(magic, 0, file, 0, 10);
        System.arraycopy(h, 0, file, 10, h.length);
        Path f = tmp.resolve(name);
        Files.write(f, file);
        return f;
    }

    private static void assertFails(Path f, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
        for (String frag : fragments) {
            assertTrue(e.getMessage().contains(frag), "message mentions '" + frag + "': " + e.getMessage());
        }
    }

    @Test
    void truncatedDataIsRejected() throws IOException {
        Path f = withHeader("trunc.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20);
        assertFails(f, "truncated", "24 bytes", "20");
    }

    @Test
    void hugeDeclaredSizeFailsBeforeAllocating() throws IOException {
        Path f = withHeader("huge.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (50000, 40000), }", 8);
        assertFails(f, "truncated", "16000000000");
    }

    @Test
    void extraDataIsRejected() throws IOException {
        Path f = withHeader("extra.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 12);
        assertFails(f, "declares 8 bytes", "holds 12");
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        Path f = tmp.resolve("magic.npy");
        Files.write(f, "PK\3\4 not numpy at all".getBytes(StandardCharsets.ISO_8859_1));
        assertFails(f, "not a .npy file");
    }

    @Test
    void headerErrorsNameTheField() throws IOException {
        assertFails(withHeader("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16),
                "Fortran order");
        assertFails(withHeader("big.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8),
                "big-endian");
        assertFails(withHeader("complex.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8),
                "unsupported data type '<c8'");
        assertFails(withHeader("nokey.npy", "{'descr': '<f4', 'shape': (1,), }", 4), "'fortran_order'");
        assertFails(withHeader("badkey.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4),
                "unexpected key 'x'");
        assertFails(withHeader("badshape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", 4),
                "non-negative integer");
        assertFails(withHeader("one.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", 8),
                "trailing comma");
    }

    @Test
    void truncatedHeaderIsRejected() throws IOException {
        Path f = tmp.resolve("short.npy");
        byte[] full = Files.readAllBytes(reference("f32.npy"));
        Files.write(f, java.util.Arrays.copyOf(full, 40));
        assertFails(f, "header length");
    }

    @Test
    void truncatedDeflatedMemberFailsInBoundedChunks() throws IOException {
        // A deflated member whose .npy header declares 10^8 float64 values but contains 16 bytes.
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }";
        Path npy = withHeader("member.npy", dict, 16);
        Path zip = tmp.resolve("lying.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("x.npy"));
            z.write(Files.readAllBytes(npy));
            z.closeEntry();
        }
        IOException e = assertThrows(IOException.class, () -> Npz.read(zip));
        assertTrue(e.getMessage().contains(zip + " (member x.npy)"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("800000000"), e.getMessage());
    }

    @Test
    void storedMemberWithWrongSizeIsRejected() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }";
        byte[] bytes = Files.readAllBytes(withHeader("m.npy", dict, 8));
        Path zip = tmp.resolve("stored-lying.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            ZipEntry e = new ZipEntry("y.npy");
            CRC32 crc = new CRC32();
            crc.update(bytes);
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            e.setCompressedSize(bytes.length);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(bytes);
            z.closeEntry();
        }
        IOException e = assertThrows(IOException.class, () -> Npz.read(zip));
        assertTrue(e.getMessage().contains("member y.npy"), e.getMessage());
        assertTrue(e.getMessage().contains("4000 bytes"), e.getMessage());
    }

    @Test
    void notAZipIsRejected() throws IOException {
        Path f = tmp.resolve("plain.npz");
        Files.write(f, new byte[] {1, 2, 3, 4, 5});
        IOException e = assertThrows(IOException.class, () -> Npz.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("zip"), e.getMessage());
    }

    @Test
    void readsVersion2Header() throws IOException {
        String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
        String padded = dict + " ".repeat((64 - (12 + dict.length() + 1) % 64) % 64) + "\n";
        byte[] h = padded.getBytes(StandardCharsets.ISO_8859_1);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(h.length).put(h).putInt(7).putInt(-9);
        Path f = tmp.resolve("v2.npy");
        Files.write(f, b.array());
        assertArrayEquals(new int[] {7, -9}, Npy.read(f).toInts());
    }

    @Test
    void oversizedHeaderLengthIsRejected() throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE);
        Path f = tmp.resolve("hdr.npy");
        Files.write(f, b.array());
        assertFails(f, "header length 2147483647");
    }

    @Test
    void unsupportedVersionIsRejected() throws IOException {
        Path f = tmp.resolve("v9.npy");
        Files.write(f, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0, 0, 0});
        assertFails(f, "version 9.0");
    }

    @Test
    void readsFromStreamWithoutKnownLength() throws IOException {
        try (InputStream in = Files.newInputStream(reference("i32.npy"))) {
            assertEquals(expected().get("i32"), Npy.read(in, -1, "stream"));
        }
    }
}
