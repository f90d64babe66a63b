package org.fcn4j.kernel;

import java.util.Arrays;

/**
 * Single-precision matrix product on row-major storage:
 * {@code C = op(A) op(B)} or, with accumulate, {@code C += op(A) op(B)}, where op(X) is X or its
 * transpose.
 *
 * <p>Legend: op(A) is M x K, op(B) is K x N, C is M x N. {@code lda}, {@code ldb} and {@code ldc}
 * are the row strides of the stored matrices: A is stored M x K (K x M when transposed), B is
 * stored K x N (N x K when transposed).
 *
 * <p>Products of at least {@value #NAIVE_MAX_MACS} multiply-adds run the packed, cache-blocked
 * kernel on the Vector API (or its scalar twin, see {@link #implementation()}), split over the
 * compute pool of {@link Parallel}; smaller ones run simple loops on the calling thread. For a
 * given shape the result is the same from run to run and for any thread count.
 */
public final class Gemm {
    /** Products with fewer multiply-adds than this skip packing, which would cost more than it saves. */
    static final long NAIVE_MAX_MACS = 4096;

    private Gemm() {
    }

    /**
     * Computes {@code C = op(A) op(B)}, or {@code C += op(A) op(B)} when {@code accumulate} is true.
     * Only the M x N elements of C addressed through {@code cOff} and {@code ldc} are written.
     * C must not overlap A or B: the blocked kernel reads them after it has begun writing C.
     *
     * @throws IllegalArgumentException for a negative size, a leading dimension smaller than the
     *     row it strides over, or an array too short for the shape, offset and stride
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
        }
        if (k == 0) {
            return;
        }
        if ((long) m * n * k < NAIVE_MAX_MACS) {
            NaiveGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else {
            BlockedGemm.gemm(KernelProvider.get(), transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff,
                    ldc);
        }
    }

    /** Describes the kernels in use, e.g. "Vector API, 512-bit vectors (16 floats), sgemm tile 6 x 32". */
    public static String implementation() {
        return KernelProvider.get().description();
    }

    /** Width in bits of the vectors the kernels use; 32 (one float) on the scalar path. */
    public static int vectorBitSize() {
        return KernelProvider.get().vectorBitSize();
    }

    private static void checkArguments(boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: sizes must be non-negative, got m=" + m + ", n=" + n
                    + ", k=" + k);
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    /** Checks that a stored rows x cols matrix with row stride ld fits in x from off. */
    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld
                    + ", expected at least " + Math.max(1, cols) + " (its stored row length)");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long last = (long) off + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || last >= x.length) {
            throw new IllegalArgumentException("sgemm: " + name + " stored as " + rows + " x " + cols
                    + " with offset " + off + " and leading dimension " + ld + " needs " + (last + 1)
                    + " elements, the array has " + x.length);
        }
    }
}
