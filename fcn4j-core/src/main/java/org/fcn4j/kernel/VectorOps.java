package org.fcn4j.kernel;

/**
 * Element-wise loops over ranges of float arrays for other kernels, on the Vector API when it is
 * available and in scalar code otherwise (the same implementation {@link Gemm} uses).
 *
 * <p>NOTE: the vector and scalar paths sum in different orders and the vector path uses fused
 * multiply-adds, so {@link #dot} and {@link #sum} can differ between them in the last bits.
 */
public final class VectorOps {
    private VectorOps() {
    }

    /** Returns {@code sum_i x[xOff + i] * y[yOff + i]} for i in [0, n). */
    public static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        checkRange("x", x, xOff, n);
        checkRange("y", y, yOff, n);
        return KernelProvider.get().dot(n, x, xOff, y, yOff);
    }

    /** Computes {@code y[yOff + i] += alpha * x[xOff + i]} for i in [0, n). */
    public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        checkRange("x", x, xOff, n);
        checkRange("y", y, yOff, n);
        KernelProvider.get().axpy(n, alpha, x, xOff, y, yOff);
    }

    /** Computes {@code y[yOff + i] = scale * x[xOff + i] + shift} for i in [0, n); x and y may be the same range. */
    public static void scaleShift(int n, float scale, float shift, float[] x, int xOff, float[] y, int yOff) {
        checkRange("x", x, xOff, n);
        checkRange("y", y, yOff, n);
        KernelProvider.get().scaleShift(n, scale, shift, x, xOff, y, yOff);
    }

    /** Returns {@code sum_i x[xOff + i]} for i in [0, n). */
    public static float sum(int n, float[] x, int xOff) {
        checkRange("x", x, xOff, n);
        return KernelProvider.get().sum(n, x, xOff);
    }

    private static void checkRange(String name, float[] x, int off, int n) {
        if (n < 0 || off < 0 || (long) off + n > x.length) {
            throw new IllegalArgumentException("range [" + off + ", " + ((long) off + n) + ") of " + name
                    + " is outside its " + x.length + " elements");
        }
    }
}
