package org.fcn4j.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.fcn4j.tensor.Shape;

/**
 * NumPy's {@code .npy} format, versions 1.0 to 3.0: a magic string, a Python-dict header giving
 * {@code descr}, {@code fortran_order} and {@code shape}, then the raw values.
 *
 * <p>Supported: {@code uint8}, {@code int8}, {@code int16}, {@code int32}, {@code int64},
 * {@code float32} and {@code float64}, little-endian, C order, written by {@code np.save} as
 * {@code '|u1'}, {@code '<f4'} and so on. Anything else (big-endian, Fortran order, object or
 * structured arrays) fails with a message naming the file and the field.
 *
 * <p>The declared data size is checked against the file length (or, inside a compressed
 * {@code .npz}, read in bounded chunks) before the array is allocated; a file with less or more
 * data than its header declares is rejected.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 16;

    private Npy() {
    }

    /** Reads a {@code .npy} file. */
    public static NdArray read(Path file) throws IOException {
        long length = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in, length, file.toString());
        }
    }

    /**
     * Reads one array from a stream; {@code length} is the number of bytes the stream holds, or -1
     * when unknown (the data is then read in bounded chunks). {@code source} names the data in errors.
     */
    static NdArray read(InputStream in, long length, String source) throws IOException {
        // Steps: magic and version, header length, header dict, then the data.
        byte[] pre = readHeaderBytes(in, 8, source, "the magic string and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre[i] != MAGIC[i]) {
                throw new IOException(source + ": not a .npy file: it does not start with the magic string "
                        + "\\x93NUMPY");
            }
        }
        int major = pre[6] & 0xFF;
        int minor = pre[7] & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw new IOException(source + ": unsupported .npy format version " + major + "." + minor
                    + "; fcn4j reads versions 1.0, 2.0 and 3.0");
        }
        int lenBytes = major == 1 ? 2 : 4;
        byte[] lb = readHeaderBytes(in, lenBytes, source, "the header length");
        long headerLen = 0;
        for (int i = lenBytes - 1; i >= 0; i--) {
            headerLen = headerLen << 8 | (lb[i] & 0xFF);
        }
        long dataStart = 8 + lenBytes + headerLen;
        if (headerLen > MAX_HEADER || length >= 0 && dataStart > length) {
            throw new IOException(source + ": header length " + headerLen + " is "
                    + (headerLen > MAX_HEADER ? "larger than " + MAX_HEADER + " bytes" : "beyond the end of the file ("
                    + length + " bytes)"));
        }
        byte[] hb = readHeaderBytes(in, (int) headerLen, source, "the header");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = HeaderParser.parse(header, source);

        long nbytes = (long) h.numel * h.dtype.size();
        if (length >= 0) {
            long available = length - dataStart;
            if (nbytes > available) {
                throw new IOException(source + ": truncated or wrong header: shape " + Shape.str(h.shape) + " of "
                        + h.dtype.descr() + " declares " + nbytes + " bytes of data, but the file holds only "
                        + available + " after the header");
            }
            if (nbytes < available) {
                throw new IOException(source + ": shape " + Shape.str(h.shape) + " of " + h.dtype.descr()
                        + " declares " + nbytes + " bytes of data, but the file holds " + available
                        + " after the header");
            }
        }
        byte[] data = BoundedInput.readExactly(in, nbytes, source, "the header (shape " + Shape.str(h.shape) + " of "
                + h.dtype.descr() + ")");
        BoundedInput.expectEnd(in, source, "array data");
        return new NdArray(h.dtype, h.shape, data);
    }

    private static byte[] readHeaderBytes(InputStream in, int n, String source, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException(source + ": truncated: the file ends inside " + what);
        }
        return b;
    }

    /** Writes {@code array} as a version 1.0 {@code .npy} file, the format {@code np.save} writes. */
    public static void write(Path file, NdArray array) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(toBytes(array));
        }
    }

    /**
     * Writes only the header of a version 1.0 {@code .npy} file, for writers that stream the values
     * afterwards: exactly {@code numel(shape)} values of {@code dtype}, little-endian, C order, must
     * follow.
     */
    public static void writeHeader(OutputStream out, NdArray.DType dtype, int... shape) throws IOException {
        out.write(header(dtype, shape));
    }

    /** Encodes {@code array} as a complete {@code .npy} file. */
    static byte[] toBytes(NdArray array) {
        byte[] header = header(array.dtype(), array.shape());
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + array.bytes().length);
        out.writeBytes(header);
        out.writeBytes(array.bytes());
        return out.toByteArray();
    }

    private static byte[] header(NdArray.DType dtype, int[] shape) {
        Shape.numel(shape);
        StringBuilder sb = new StringBuilder("{'descr': '").append(dtype.descr())
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        sb.append(shape.length == 1 ? ",), }" : "), }");
        // Pad with spaces so the data starts at a multiple of 64 bytes, then end with a newline, as NumPy does.
        int total = 10 + sb.length() + 1;
        sb.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        byte[] dict = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(10 + dict.length);
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(dict.length & 0xFF);
        out.write(dict.length >>> 8);
        out.writeBytes(dict);
        return out.toByteArray();
    }

    private record Header(NdArray.DType dtype, int[] shape, int numel) {
    }

    /** A strict parser of the header dict: exactly the three keys, Python literals, nothing else. */
    private static final class HeaderParser {
        private final String text;
        private final String source;
        private int pos;

        private HeaderParser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        static Header parse(String text, String source) throws IOException {
            return new HeaderParser(text, source).header();
        }

        private Header header() throws IOException {
            String descr = null;
            Boolean fortran = null;
            int[] shape = null;
            skipSpace();
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                switch (key) {
                    case "descr" -> descr = string();
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw error("unexpected key '" + key + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected text after the header dict");
            }
            if (descr == null || fortran == null || shape == null) {
                throw new IOException(source + ": wrong header: it must give 'descr', 'fortran_order' and 'shape', "
                        + "got " + text.strip());
            }
            if (fortran) {
                throw new IOException(source + ": the array is stored in Fortran order, which fcn4j does not read; "
                        + "save np.ascontiguousarray(a) instead");
            }
            NdArray.DType dtype = dtype(descr);
            int numel;
            try {
                numel = Shape.numel(shape);
            } catch (IllegalArgumentException e) {
                throw new IOException(source + ": wrong header: shape " + Shape.str(shape) + " is too large", e);
            }
            return new Header(dtype, shape, numel);
        }

        private NdArray.DType dtype(String descr) throws IOException {
            String d = descr;
            if (d.length() == 3 && d.charAt(0) == '|' && d.charAt(2) == '1') {
                d = "<" + d.substring(1);
            }
            for (NdArray.DType t : NdArray.DType.values()) {
                String want = t.descr().charAt(0) == '|' ? "<" + t.descr().substring(1) : t.descr();
                if (want.equals(d)) {
                    return t;
                }
            }
            if (descr.startsWith(">") && !descr.endsWith("1")) {
                throw new IOException(source + ": data type '" + descr + "' is big-endian; fcn4j reads little-endian "
                        + "only; save a.astype(a.dtype.newbyteorder('<')) instead");
            }
            throw new IOException(source + ": unsupported data type '" + descr + "'; fcn4j reads uint8, int8, int16, "
                    + "int32, int64, float32 and float64");
        }

        private int[] tuple() throws IOException {
            expect('(');
            List<Integer> dims = new ArrayList<>();
            boolean trailingComma = false;
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                int start = pos;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
                if (start == pos) {
                    throw error("expected a non-negative integer in the shape");
                }
                try {
                    dims.add(Integer.parseInt(text.substring(start, pos)));
                } catch (NumberFormatException e) {
                    throw error("dimension " + text.substring(start, pos) + " is larger than 2^31 - 1");
                }
                skipSpace();
                trailingComma = false;
                if (peek() == ',') {
                    pos++;
                    trailingComma = true;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in the shape");
                }
            }
            if (dims.size() == 1 && !trailingComma) {
                throw error("a one-dimensional shape needs a trailing comma, e.g. (5,)");
            }
            int[] out = new int[dims.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = dims.get(i);
            }
            return out;
        }

        private boolean bool() throws IOException {
            if (text.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw error("expected True or False");
        }

        private String string() throws IOException {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw error("expected a quoted string");
            }
            int end = text.indexOf(q, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String s = text.substring(pos + 1, end);
            pos = end + 1;
            return s;
        }

        private void expect(char c) throws IOException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IOException error(String what) {
            return new IOException(source + ": wrong header: " + what + " at character " + pos + " of "
                    + text.strip());
        }
    }
}
