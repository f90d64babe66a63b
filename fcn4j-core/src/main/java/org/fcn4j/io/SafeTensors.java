package org.fcn4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Reader and writer of the safetensors format (the format of Hugging Face's {@code safetensors}
 * library), used for model files and checkpoints.
 *
 * <p>Layout: an unsigned 64-bit little-endian header length N; N bytes of a UTF-8 JSON object
 * mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets in
 * bytes from the start of the data section) plus an optional {@code "__metadata__"} map of
 * strings to strings; then the data section, row-major little-endian values.
 *
 * <p>fcn4j tensors are float32: they are written as F32, except names chosen by the caller (by
 * default those ending in {@code num_batches_tracked}, which PyTorch stores as int64) that are
 * written as I64 after a check that their values are integers. Reading accepts F32, F64, F16,
 * BF16, I64, I32, I16, I8, U8 and BOOL and converts to float32; integers above 2^24 in magnitude
 * are rejected since float32 cannot hold them exactly.
 *
 * <p>Every malformed file fails with an {@link IOException} naming the file and the field or
 * byte that is wrong; sizes are checked against the file length before anything is allocated.
 */
public final class SafeTensors {
    /** Metadata key reserved by the format. */
    public static final String METADATA_KEY = "__metadata__";
    /** Largest header accepted, as the reference implementation (100 MB). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Names stored as I64 by default: BatchNorm's batch counter, int64 in PyTorch's state_dict. */
    public static final Predicate<String> PYTORCH_INT64 = name -> name.endsWith("num_batches_tracked");

    private SafeTensors() {
    }

    /** Tensors (by name, in file order of their data) and the metadata of one file. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** The tensor named {@code name}, or an error naming the file's tensors. */
        public Tensor tensor(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor '" + name + "' in the file; it has " + tensors.keySet());
            }
            return t;
        }
    }

    /** Writes tensors and metadata to {@code path} atomically, with {@link #PYTORCH_INT64} names as I64. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(path, tensors, metadata, PYTORCH_INT64);
    }

    /** Writes tensors and metadata to {@code path} atomically; names matching {@code int64} are stored as I64. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata,
            Predicate<String> int64) throws IOException {
        byte[] header = header(tensors, metadata, int64);
        AtomicFiles.write(path, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                float[] v = e.getValue().data();
                boolean asLong = int64.test(e.getKey());
                ByteBuffer buf = ByteBuffer.allocate(v.length * (asLong ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    if (asLong) {
                        buf.putLong((long) f);
                    } else {
                        buf.putFloat(f);
                    }
                }
                out.write(buf.array());
            }
        });
    }

    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata, Predicate<String> int64) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            json.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be named " + METADATA_KEY);
            }
            Tensor t = e.getValue();
            boolean asLong = int64.test(name);
            if (asLong) {
                for (float f : t.data()) {
                    if (f != Math.rint(f)) {
                        throw new IllegalArgumentException("tensor '" + name + "' is stored as I64 but contains the non-integer " + f);
                    }
                }
            }
            long bytes = (long) t.numel() * (asLong ? 8 : 4);
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) {
                shape.add((long) d);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", asLong ? "I64" : "F32");
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, offset + bytes));
            json.put(name, entry);
            offset += bytes;
        }
        byte[] text = Json.write(json).getBytes(StandardCharsets.UTF_8);
        // Pad with spaces to a multiple of 8 bytes so the data section is aligned, as the reference writer does.
        int padded = (text.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(text, 0, out, 0, text.length);
        for (int i = text.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    /** Reads every tensor and the metadata of {@code path}. */
    public static Contents read(Path path) throws IOException {
        long fileSize;
        try {
            fileSize = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "file not found");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (fileSize < 8) {
                throw bad(path, "the file has " + fileSize + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lenBuf = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw bad(path, "not a safetensors file: its header length (bytes 0-7) reads "
                        + Long.toUnsignedString(headerLen) + ", outside [2, " + MAX_HEADER_BYTES + "]");
            }
            if (8 + headerLen > fileSize) {
                throw bad(path, "header length (bytes 0-7) is " + headerLen + " but the file has only "
                        + (fileSize - 8) + " bytes after it; the file is truncated");
            }
            String text = StandardCharsets.UTF_8.decode(readFully(ch, 8, (int) headerLen)).toString();
            Map<String, Object> header;
            try {
                header = Json.parseObject(text);
            } catch (IllegalArgumentException e) {
                throw bad(path, "the JSON header (bytes 8-" + (8 + headerLen - 1) + ") is not valid: " + e.getMessage());
            }
            long dataStart = 8 + headerLen;
            long dataLen = fileSize - dataStart;

            Map<String, String> metadata = metadata(path, header.get(METADATA_KEY));
            List<Map.Entry<String, long[]>> order = new ArrayList<>();
            Map<String, Object[]> specs = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : header.entrySet()) {
                if (e.getKey().equals(METADATA_KEY)) {
                    continue;
                }
                specs.put(e.getKey(), spec(path, e.getKey(), e.getValue(), dataLen));
                order.add(Map.entry(e.getKey(), (long[]) specs.get(e.getKey())[2]));
            }
            order.sort((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]));

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : order) {
                Object[] spec = specs.get(e.getKey());
                String dtype = (String) spec[0];
                int[] shape = (int[]) spec[1];
                long[] off = (long[]) spec[2];
                ByteBuffer bytes = readFully(ch, dataStart + off[0], (int) (off[1] - off[0])).order(ByteOrder.LITTLE_ENDIAN);
                tensors.put(e.getKey(), Tensor.of(decode(path, e.getKey(), dtype, bytes, Shape.numel(shape)), shape));
            }
            return new Contents(Collections.unmodifiableMap(tensors), metadata);
        }
    }

    private static Map<String, String> metadata(Path path, Object raw) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw bad(path, METADATA_KEY + " must be an object of strings, got " + Json.typeName(raw));
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw bad(path, METADATA_KEY + "." + e.getKey() + " must be a string, got " + Json.typeName(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Validates one header entry: returns {dtype, shape, offsets}. */
    private static Object[] spec(Path path, String name, Object raw, long dataLen) throws IOException {
        if (!(raw instanceof Map<?, ?> entry)) {
            throw bad(path, "tensor '" + name + "': expected an object, got " + Json.typeName(raw));
        }
        if (!(entry.get("dtype") instanceof String dtype)) {
            throw bad(path, "tensor '" + name + "': field dtype is missing or not a string");
        }
        int size = dtypeSize(dtype);
        if (size == 0) {
            throw bad(path, "tensor '" + name + "': unsupported dtype " + dtype
                    + " (supported: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        }
        if (!(entry.get("shape") instanceof List<?> dims)) {
            throw bad(path, "tensor '" + name + "': field shape is missing or not an array");
        }
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw bad(path, "tensor '" + name + "': shape[" + i + "] is " + dims.get(i)
                        + ", expected an integer in [0, 2^31)");
            }
            shape[i] = (int) (long) d;
            numel *= d;
            if (numel > Integer.MAX_VALUE) {
                throw bad(path, "tensor '" + name + "': shape " + dims + " has more than 2^31 - 1 elements");
            }
        }
        if (!(entry.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)) {
            throw bad(path, "tensor '" + name + "': field data_offsets must be an array of two integers, got "
                    + entry.get("data_offsets"));
        }
        if (begin < 0 || end < begin || end > dataLen) {
            throw bad(path, "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] lie outside the "
                    + dataLen + "-byte data section; the file is truncated or corrupted");
        }
        if (end - begin != numel * size) {
            throw bad(path, "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                    + " bytes, but shape " + dims + " of " + dtype + " needs " + numel * size);
        }
        if (end - begin > Integer.MAX_VALUE) {
            throw bad(path, "tensor '" + name + "' has " + (end - begin) + " bytes; fcn4j reads at most 2^31 - 1 per tensor");
        }
        return new Object[] {dtype, shape, new long[] {begin, end}};
    }

    private static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> 0;
        };
    }

    private static float[] decode(Path path, String name, String dtype, ByteBuffer b, int n) throws IOException {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case "F32" -> b.getFloat(4 * i);
                case "F64" -> (float) b.getDouble(8 * i);
                case "F16" -> Float.float16ToFloat(b.getShort(2 * i));
                case "BF16" -> Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                case "I64" -> exactInt(path, name, b.getLong(8 * i));
                case "I32" -> exactInt(path, name, b.getInt(4 * i));
                case "I16" -> b.getShort(2 * i);
                case "I8" -> b.get(i);
                case "U8" -> b.get(i) & 0xff;
                case "BOOL" -> b.get(i) != 0 ? 1f : 0f;
                default -> throw new IllegalStateException(dtype);
            };
        }
        return out;
    }

    private static float exactInt(Path path, String name, long v) throws IOException {
        if (Math.abs(v) > (1L << 24)) {
            throw bad(path, "tensor '" + name + "' contains the integer " + v + ", which float32 cannot represent exactly");
        }
        return v;
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position + buf.position());
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buf.position()));
            }
        }
        return buf.flip();
    }

    private static IOException bad(Path path, String what) {
        return new IOException(path + ": " + what);
    }
}
