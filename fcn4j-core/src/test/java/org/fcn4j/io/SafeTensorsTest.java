package org.fcn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv.weight", Tensor.randn(new Generator(1), 4, 3, 3, 3));
        m.put("bn.running_mean", Tensor.vector(0.5f, -1f, 2f, 0f));
        m.put("bn.num_batches_tracked", Tensor.scalar(17f));
        m.put("empty", Tensor.zeros(0, 3));
        return m;
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> in = sample();
        SafeTensors.write(f, in, Map.of("note", "héllo \"x\""));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(in.keySet(), c.tensors().keySet());
        for (String k : in.keySet()) {
            assertArrayEquals(in.get(k).shape(), c.tensor(k).shape(), k + " shape");
            assertArrayEquals(in.get(k).data(), c.tensor(k).data(), k + " values");
        }
        assertEquals("héllo \"x\"", c.metadata().get("note"));
    }

    @Test
    void headerFollowsTheFormat() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        Map<String, Object> header = Json.parseObject(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, Object> counter = (Map<String, Object>) header.get("bn.num_batches_tracked");
        assertEquals("I64", counter.get("dtype"));
        assertEquals(List.of(), counter.get("shape"));
        @SuppressWarnings("unchecked")
        Map<String, Object> weight = (Map<String, Object>) header.get("conv.weight");
        assertEquals("F32", weight.get("dtype"));
        assertEquals(List.of(0L, 4L * 3 * 3 * 3 * 4), weight.get("data_offsets"));
        long total = 8 + n + 108 * 4 + 4 * 4 + 8;
        assertEquals(total, bytes.length, "file size: header plus data, no gaps");
        // The counter's 8 bytes are the little-endian int64 17.
        long counterValue = ByteBuffer.wrap(bytes, (int) (total - 8), 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(17L, counterValue);
    }

    private IOException readFails(byte[] content) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, content);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "message names the file: " + e.getMessage());
        return e;
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        byte[] full = Files.readAllBytes(f);
        assertTrue(readFails(Arrays.copyOf(full, 5)).getMessage().contains("fewer than the 8-byte"));
        assertTrue(readFails(Arrays.copyOf(full, 40)).getMessage().contains("truncated"));
        IOException e = readFails(Arrays.copyOf(full, full.length - 3));
        assertTrue(e.getMessage().contains("data_offsets"), e.getMessage());
    }

    @Test
    void malformedHeadersNameTheField() throws IOException {
        String m;
        m = readFails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]", 8)).getMessage();
        assertTrue(m.contains("JSON header"), m);
        m = readFails(file("{\"a\": {\"dtype\": \"Q8\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8)).getMessage();
        assertTrue(m.contains("unsupported dtype Q8"), m);
        m = readFails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8)).getMessage();
        assertTrue(m.contains("needs 12"), m);
        m = readFails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}}", 8)).getMessage();
        assertTrue(m.contains("outside"), m);
        m = readFails(file("{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 8]}}", 8)).getMessage();
        assertTrue(m.contains("field shape"), m);
        m = readFails(file("{\"__metadata__\": {\"k\": 3}}", 0)).getMessage();
        assertTrue(m.contains("__metadata__.k"), m);
        byte[] huge = file("{}", 0);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        m = readFails(huge).getMessage();
        assertTrue(m.contains("header length"), m);
    }

    @Test
    void readsOtherDtypes() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(0.25).put((byte) 200).put((byte) 1).putLong(-5);
        String h = "{\"d\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]},"
                + "\"u\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [8, 10]},"
                + "\"l\": {\"dtype\": \"I64\", \"shape\": [1, 1], \"data_offsets\": [10, 18]}}";
        byte[] f = file(h, 18);
        System.arraycopy(data.array(), 0, f, f.length - 18, 18);
        Path p = dir.resolve("types.safetensors");
        Files.write(p, f);
        SafeTensors.Contents c = SafeTensors.read(p);
        assertArrayEquals(new float[] {0.25f}, c.tensor("d").data());
        assertArrayEquals(new float[] {200f, 1f}, c.tensor("u").data());
        assertArrayEquals(new float[] {-5f}, c.tensor("l").data());
        assertArrayEquals(new int[] {1, 1}, c.tensor("l").shape());
    }

    @Test
    void modelFileRejectsOtherFiles() throws IOException {
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, sample(), Map.of());
        IOException e = assertThrows(IOException.class, () -> ModelFile.read(plain));
        assertTrue(e.getMessage().contains("not an fcn4j model file"), e.getMessage());

        Path model = dir.resolve("model.safetensors");
        ModelFile.write(model, sample(), Map.of(ModelFile.MODEL_KEY, "{\"type\":\"unet\"}"));
        ModelFile.Contents c = ModelFile.read(model);
        assertEquals("unet", c.json(ModelFile.MODEL_KEY).get("type"));
        assertEquals(org.fcn4j.Fcn4j.version(), c.require(ModelFile.VERSION_KEY));
        IOException missing = assertThrows(IOException.class, () -> c.require(ModelFile.CLASSES_KEY));
        assertTrue(missing.getMessage().contains("'classes'"), missing.getMessage());
    }

    @Test
    void atomicWriteLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("sub").resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of());
        SafeTensors.write(f, sample(), Map.of("second", "yes"));
        try (var files = Files.list(f.getParent())) {
            assertEquals(List.of("m.safetensors"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("yes", SafeTensors.read(f).metadata().get("second"));
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(f, Map.of("n.num_batches_tracked", Tensor.scalar(0.5f)), Map.of()));
        assertEquals("yes", SafeTensors.read(f).metadata().get("second"), "failed write kept the old file");
    }
}
