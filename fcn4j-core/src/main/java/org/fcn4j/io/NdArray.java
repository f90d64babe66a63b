package org.fcn4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * An n-dimensional array as files store it: an element type, a shape and C-order (row-major)
 * values, kept as little-endian bytes so that 64-bit integers and doubles survive a round trip
 * unchanged. {@link Npy}, {@link Npz} and {@link Idx} read and write it; {@link #toTensor()}
 * converts it to fcn4j's float32 tensors.
 */
public final class NdArray {
    /** Element types, with their NumPy descriptors (little-endian). */
    public enum DType {
        UINT8("|u1", 1), INT8("|i1", 1), INT16("<i2", 2), INT32("<i4", 4), INT64("<i8", 8), FLOAT32("<f4", 4),
        FLOAT64("<f8", 8);

        private final String descr;
        private final int bytes;

        DType(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        /** Returns the NumPy {@code descr} string, e.g. {@code <f4}. */
        public String descr() {
            return descr;
        }

        /** Bytes per element. */
        public int size() {
            return bytes;
        }
    }

    private final DType dtype;
    private final int[] shape;
    private final byte[] data; // numel * dtype.size() bytes, little-endian, C order

    /** Wraps little-endian, C-order bytes (not copied); their length must match the shape. */
    public NdArray(DType dtype, int[] shape, byte[] data) {
        long expected = (long) Shape.numel(shape) * dtype.size();
        if (data.length != expected) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " of " + dtype + " needs " + expected
                    + " bytes, got " + data.length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
    }

    public static NdArray ofFloats(float[] values, int... shape) {
        ByteBuffer b = buffer(values.length, 4, shape);
        b.asFloatBuffer().put(values);
        return new NdArray(DType.FLOAT32, shape, b.array());
    }

    public static NdArray ofDoubles(double[] values, int... shape) {
        ByteBuffer b = buffer(values.length, 8, shape);
        b.asDoubleBuffer().put(values);
        return new NdArray(DType.FLOAT64, shape, b.array());
    }

    public static NdArray ofInts(int[] values, int... shape) {
        ByteBuffer b = buffer(values.length, 4, shape);
        b.asIntBuffer().put(values);
        return new NdArray(DType.INT32, shape, b.array());
    }

    public static NdArray ofLongs(long[] values, int... shape) {
        ByteBuffer b = buffer(values.length, 8, shape);
        b.asLongBuffer().put(values);
        return new NdArray(DType.INT64, shape, b.array());
    }

    /** Unsigned bytes 0..255 (Java's signed bytes reinterpreted). */
    public static NdArray ofUnsignedBytes(byte[] values, int... shape) {
        if (values.length != Shape.numel(shape)) {
            throw new IllegalArgumentException(values.length + " values for shape " + Shape.str(shape));
        }
        return new NdArray(DType.UINT8, shape, values.clone());
    }

    /** Converts a tensor to a float32 array of the same shape. */
    public static NdArray of(Tensor t) {
        return ofFloats(t.data(), t.shape());
    }

    private static ByteBuffer buffer(int n, int size, int[] shape) {
        if (n != Shape.numel(shape)) {
            throw new IllegalArgumentException(n + " values for shape " + Shape.str(shape));
        }
        return ByteBuffer.allocate(Math.multiplyExact(n, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int numel() {
        return data.length / dtype.size();
    }

    /** Returns the raw little-endian bytes (not copied). */
    byte[] bytes() {
        return data;
    }

    private ByteBuffer view() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Element {@code flat} (C order) as a double; 64-bit integers above 2^53 lose precision. */
    public double getDouble(int flat) {
        int o = flat * dtype.size();
        if (dtype == DType.UINT8) {
            return data[o] & 0xFF;
        }
        if (dtype == DType.INT8) {
            return data[o];
        }
        ByteBuffer b = view();
        return switch (dtype) {
            case UINT8, INT8 -> throw new AssertionError(dtype);
            case INT16 -> b.getShort(o);
            case INT32 -> b.getInt(o);
            case INT64 -> b.getLong(o);
            case FLOAT32 -> b.getFloat(o);
            case FLOAT64 -> b.getDouble(o);
        };
    }

    /** Converts all values to float (integers above 2^24 and doubles are rounded). */
    public float[] toFloats() {
        int n = numel();
        float[] out = new float[n];
        ByteBuffer b = view();
        switch (dtype) {
            case UINT8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data[i] & 0xFF;
                }
            }
            case FLOAT32 -> b.asFloatBuffer().get(out);
            default -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) getDouble(i);
                }
            }
        }
        return out;
    }

    public double[] toDoubles() {
        double[] out = new double[numel()];
        if (dtype == DType.FLOAT64) {
            view().asDoubleBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = getDouble(i);
            }
        }
        return out;
    }

    /** Integer values exactly; rejects floating-point arrays. */
    public long[] toLongs() {
        if (dtype == DType.FLOAT32 || dtype == DType.FLOAT64) {
            throw new IllegalStateException("toLongs() needs an integer array, got " + dtype);
        }
        long[] out = new long[numel()];
        if (dtype == DType.INT64) {
            view().asLongBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (long) getDouble(i);
            }
        }
        return out;
    }

    /** Integer values as int; rejects floating-point arrays and values outside the int range. */
    public int[] toInts() {
        long[] v = toLongs();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != (int) v[i]) {
                throw new IllegalStateException("value " + v[i] + " at index " + i + " does not fit in an int");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Returns a copy of the values of a {@code uint8} array, as Java bytes (read them with {@code b & 0xFF}). */
    public byte[] toUnsignedBytes() {
        if (dtype != DType.UINT8) {
            throw new IllegalStateException("toUnsignedBytes() needs a uint8 array, got " + dtype);
        }
        return data.clone();
    }

    /** Converts the values to a float32 tensor of the same shape. */
    public Tensor toTensor() {
        return Tensor.of(toFloats(), shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NdArray a && a.dtype == dtype && Arrays.equals(a.shape, shape) && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NdArray(" + dtype + ", " + Shape.str(shape) + ")";
    }
}
