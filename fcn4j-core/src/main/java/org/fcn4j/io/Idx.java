package org.fcn4j.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.fcn4j.tensor.Shape;

/**
 * The IDX format of the MNIST family (MNIST, Fashion-MNIST, EMNIST), plain or gzipped. Gzip is
 * detected from the content, not the name. A file holds two zero bytes, a type code (0x08 unsigned byte, 0x09 signed
 * byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, each
 * dimension as a big-endian int32, then the big-endian values in C order.
 *
 * <p>The declared size is checked against the file length for plain files, and the data of
 * gzipped files is read in bounded chunks, so a wrong header fails before a large allocation.
 */
public final class Idx {
    private Idx() {
    }

    /** Reads an IDX file, gzipped or not. */
    public static NdArray read(Path file) throws IOException {
        String source = file.toString();
        long length = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1F && b1 == 0x8B) {
                try (InputStream in = new BufferedInputStream(new GZIPInputStream(raw))) {
                    return read(in, -1, source);
                } catch (java.util.zip.ZipException e) {
                    throw new IOException(source + ": corrupt gzip data: " + e.getMessage(), e);
                }
            }
            return read(raw, length, source);
        } catch (java.io.EOFException e) {
            throw new IOException(source + ": truncated: the gzip stream ends early", e);
        }
    }

    private static NdArray read(InputStream in, long length, String source) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new IOException(source + ": truncated: the file ends inside the 4-byte magic number");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IOException(source + ": not an IDX file: the magic number must start with two zero bytes, got "
                    + String.format("0x%02X 0x%02X", magic[0] & 0xFF, magic[1] & 0xFF));
        }
        NdArray.DType dtype = switch (magic[2] & 0xFF) {
            case 0x08 -> NdArray.DType.UINT8;
            case 0x09 -> NdArray.DType.INT8;
            case 0x0B -> NdArray.DType.INT16;
            case 0x0C -> NdArray.DType.INT32;
            case 0x0D -> NdArray.DType.FLOAT32;
            case 0x0E -> NdArray.DType.FLOAT64;
            default -> throw new IOException(source + ": wrong header: unknown IDX type code "
                    + String.format("0x%02X", magic[2] & 0xFF) + "; expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E");
        };

        int rank = magic[3] & 0xFF;
        if (rank == 0) {
            throw new IOException(source + ": wrong header: zero dimensions");
        }
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new IOException(source + ": truncated: the file ends inside the " + rank + " dimension sizes");
        }
        ByteBuffer dims = ByteBuffer.wrap(dimBytes).order(ByteOrder.BIG_ENDIAN);
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = dims.getInt();
            if (shape[i] < 0) {
                throw new IOException(source + ": wrong header: dimension " + i + " is negative ("
                        + Integer.toUnsignedString(shape[i]) + " read as unsigned)");
            }
        }
        long numel = 1;
        for (int d : shape) {
            numel *= d;
            if (numel > Integer.MAX_VALUE) {
                throw new IOException(source + ": wrong header: shape " + Shape.str(shape) + " has more than 2^31 - 1 "
                        + "elements");
            }
        }

        long nbytes = numel * dtype.size();
        if (length >= 0) {
            long available = length - 4 - 4L * rank;
            if (nbytes != available) {
                throw new IOException(source + ": " + (nbytes > available ? "truncated or wrong header" : "wrong header")
                        + ": shape " + Shape.str(shape) + " of " + dtype + " declares " + nbytes
                        + " bytes of data, but the file holds " + available + " after the header");
            }
        }

        byte[] data = BoundedInput.readExactly(in, nbytes, source, "the header (shape " + Shape.str(shape) + " of "
                + dtype + ")");
        BoundedInput.expectEnd(in, source, "IDX data");
        if (dtype.size() > 1) {
            swapToLittleEndian(data, dtype.size());
        }
        return new NdArray(dtype, shape, data);
    }

    private static void swapToLittleEndian(byte[] data, int size) {
        for (int o = 0; o < data.length; o += size) {
            for (int i = 0, j = size - 1; i < j; i++, j--) {
                byte t = data[o + i];
                data[o + i] = data[o + j];
                data[o + j] = t;
            }
        }
    }
}
