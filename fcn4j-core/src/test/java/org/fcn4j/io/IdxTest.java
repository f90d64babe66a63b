package org.fcn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files, plain and gzipped, well-formed and malformed. */
class IdxTest {
    @TempDir
    Path tmp;

    private static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    private Path write(String name, byte[] bytes, boolean gzip) throws IOException {
        Path f = tmp.resolve(name);
        if (gzip) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (OutputStream o = new GZIPOutputStream(bo)) {
                o.write(bytes);
            }
            bytes = bo.toByteArray();
        }
        Files.write(f, bytes);
        return f;
    }

    private static void assertFails(Path f, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
        for (String frag : fragments) {
            assertTrue(e.getMessage().contains(frag), "message mentions '" + frag + "': " + e.getMessage());
        }
    }

    @Test
    void readsUnsignedBytesPlainAndGzipped() throws IOException {
        byte[] data = {0, 1, (byte) 200, (byte) 255, 7, 9};
        for (boolean gz : new boolean[] {false, true}) {
            NdArray a = Idx.read(write("u8" + gz, idx(0x08, new int[] {2, 3}, data), gz));
            assertArrayEquals(new int[] {2, 3}, a.shape());
            assertArrayEquals(new float[] {0, 1, 200, 255, 7, 9}, a.toFloats());
        }
    }

    @Test
    void readsBigEndianIntsAndFloats() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.putInt(-5).putInt(70000).putFloat(2.5f);
        NdArray ints = Idx.read(write("i32", idx(0x0C, new int[] {3}, b.array()), false));
        assertEquals(-5, ints.toInts()[0]);
        assertEquals(70000, ints.toInts()[1]);
        NdArray floats = Idx.read(write("f32", idx(0x0D, new int[] {3}, b.array()), true));
        assertEquals(2.5f, floats.toFloats()[2]);
        ByteBuffer s = ByteBuffer.allocate(4).putShort((short) -300).putShort((short) 12);
        assertArrayEquals(new float[] {-300, 12}, Idx.read(write("i16", idx(0x0B, new int[] {2}, s.array()), false))
                .toFloats());
    }

    @Test
    void readsShippedFashionMnistLabels() throws IOException {
        Path labels = Path.of("..", "data", "fashion-mnist", "t10k-labels-idx1-ubyte.gz");
        NdArray a = Idx.read(labels);
        assertArrayEquals(new int[] {10000}, a.shape());
        int[] counts = new int[10];
        for (float v : a.toFloats()) {
            counts[(int) v]++;
        }
        int[] thousand = new int[10];
        Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, counts, "the test set has 1,000 photos per class");
    }

    @Test
    void truncatedPlainFileIsRejected() throws IOException {
        byte[] full = idx(0x08, new int[] {4, 4}, new byte[16]);
        assertFails(write("t.idx", Arrays.copyOf(full, full.length - 3), false), "truncated", "16 bytes", "13");
    }

    @Test
    void truncatedGzipFileIsRejected() throws IOException {
        assertFails(write("t.gz", idx(0x08, new int[] {4, 4}, new byte[10]), true), "truncated", "16 bytes");
    }

    @Test
    void hugeDeclaredGzipSizeFailsWithoutAllocating() throws IOException {
        // 2,000,000,000 declared bytes, 100 present: must fail at the end of the stream.
        assertFails(write("huge.gz", idx(0x08, new int[] {20000, 100000}, new byte[100]), true), "truncated",
                "2000000000");
    }

    @Test
    void declaredSizeLargerThanFileIsRejected() throws IOException {
        assertFails(write("huge.idx", idx(0x08, new int[] {60000, 28, 28}, new byte[50]), false), "47040000", "50");
    }

    @Test
    void extraBytesAreRejected() throws IOException {
        assertFails(write("extra.gz", idx(0x08, new int[] {2}, new byte[5]), true), "unexpected bytes");
        assertFails(write("extra.idx", idx(0x08, new int[] {2}, new byte[5]), false), "declares 2 bytes");
    }

    @Test
    void wrongHeaderIsRejected() throws IOException {
        assertFails(write("magic.idx", new byte[] {1, 0, 8, 1, 0, 0, 0, 0}, false), "two zero bytes");
        assertFails(write("type.idx", idx(0x07, new int[] {1}, new byte[1]), false), "type code 0x07");
        assertFails(write("dims.idx", new byte[] {0, 0, 8, 3, 0, 0, 0, 1}, false), "dimension sizes");
        assertFails(write("neg.idx", idx(0x08, new int[] {-1}, new byte[0]), false), "negative");
        assertFails(write("overflow.idx", idx(0x08, new int[] {70000, 70000}, new byte[0]), false), "2^31 - 1");
    }

    @Test
    void corruptGzipIsRejected() throws IOException {
        byte[] gz = Files.readAllBytes(write("ok.gz", idx(0x08, new int[] {64}, new byte[64]), true));
        gz[12] ^= 0x55;
        gz[13] ^= 0x55;
        Path f = tmp.resolve("corrupt.gz");
        Files.write(f, gz);
        IOException e = assertThrows(IOException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
