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
        if (!accumulate && ldc == n) {
            Parallel.fill(c, cOff, cOff + m * n, 0f);
        } else if (!accumulate) {
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

    /**
     * Computes {@code C = A B̂}, or {@code C += A B̂} with accumulate, where B̂ is gathered and C
     * scattered through offset tables:
     * <pre>
     * B̂[p][j] = b[bOff + rowOff[p] + colOff[j]]        (K x N)
     * C[i][j] is c[cOff + i * ldc + cCol[j]]             (M x N)
     * </pre>
     * A is M x K row-major from {@code aOff} with row stride {@code lda}. This is a convolution
     * without im2col (implicit GEMM): for a zero-padded input, rowOff has one offset per input
     * channel and kernel tap, and colOff one per output pixel. The products are blocked, split
     * and summed as in {@link #sgemm}, so both give the same bits for the same explicit matrices.
     * The columns of C must be distinct, and C must not overlap A or b.
     *
     * @throws IllegalArgumentException for a negative size, offset tables shorter than K or N, or
     *     offsets that reach outside a, b or c
     */
    public static void sgemmGather(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
            int[] rowOff, int[] colOff, float[] c, int cOff, int ldc, int[] cCol, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemmGather: sizes must be non-negative, got m=" + m + ", n=" + n
                    + ", k=" + k);
        }
        if (rowOff.length < k || colOff.length < n || cCol.length < n) {
            throw new IllegalArgumentException("sgemmGather: offset tables of lengths " + rowOff.length + " (rows of B), "
                    + colOff.length + " (columns of B) and " + cCol.length + " (columns of C) are too short for k="
                    + k + ", n=" + n);
        }
        checkMatrix("A", a, aOff, lda, m, k);
        if (m == 0 || n == 0) {
            return;
        }
        checkGathered("B", b, bOff, rowOff, k, colOff, n);
        checkGathered("C", c, cOff, null, 0, cCol, n);
        long lastRow = cOff + (long) (m - 1) * ldc;
        if (ldc < 1 || lastRow + max(cCol, n) >= c.length) {
            throw new IllegalArgumentException("sgemmGather: C of " + m + " rows with leading dimension " + ldc
                    + " from offset " + cOff + " reaches past the end of its array of " + c.length + " elements");
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[row + cCol[j]] = 0f;
                }
            }
        }
        if (k == 0) {
            return;
        }
        if ((long) m * n * k < NAIVE_MAX_MACS) {
            // The loops of NaiveGemm, in its order, so that small products round as sgemm's do.
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    float aip = a[aOff + i * lda + p];
                    int bRow = bOff + rowOff[p];
                    for (int j = 0; j < n; j++) {
                        c[cRow + cCol[j]] += aip * b[bRow + colOff[j]];
                    }
                }
            }
        } else {
            GatherGemm.gemm(KernelProvider.get(), m, n, k, a, aOff, lda, b, bOff, rowOff, colOff, c, cOff, ldc, cCol,
                    Parallel.threads() > 1);
        }
    }

    /**
     * Adds to every element of C the dot product of a row of A and a row of B, both gathered from
     * runs of len consecutive values:
     * <pre>
     * C[i][j] += sum over r &lt; runs, t &lt; len of a[aRow[i] + aRun[r] + t] * b[bRow[j] + bRun[r] + t]
     * </pre>
     * for i &lt; M, j &lt; N, C row-major from {@code cOff} with row stride {@code ldc}. This is the
     * weight gradient of a convolution without im2col: rows of dy against the rows of the padded
     * input that each kernel tap reads, one run per output row. The sums of one call are the same
     * for any thread count.
     *
     * @throws IllegalArgumentException for a negative size, tables shorter than M, N or runs, or
     *     offsets that reach outside a, b or c
     */
    public static void dotRuns(int m, int n, int runs, int len, float[] a, int[] aRow, int[] aRun, float[] b,
            int[] bRow, int[] bRun, float[] c, int cOff, int ldc) {
        dotRuns(m, n, runs, len, a, 0, aRow, aRun, b, 0, bRow, bRun, c, cOff, ldc);
    }

    /** As above, with aOff added to every index into a and bOff to every index into b. */
    public static void dotRuns(int m, int n, int runs, int len, float[] a, int aOff, int[] aRow, int[] aRun,
            float[] b, int bOff, int[] bRow, int[] bRun, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || runs < 0 || len < 0) {
            throw new IllegalArgumentException("dotRuns: sizes must be non-negative, got m=" + m + ", n=" + n
                    + ", runs=" + runs + ", len=" + len);
        }
        if (aRow.length < m || bRow.length < n || aRun.length < runs || bRun.length < runs) {
            throw new IllegalArgumentException("dotRuns: offset tables of lengths " + aRow.length + " (rows of A), "
                    + bRow.length + " (rows of B), " + aRun.length + " and " + bRun.length + " (runs) are too short "
                    + "for m=" + m + ", n=" + n + ", runs=" + runs);
        }
        if (m == 0 || n == 0) {
            return;
        }
        checkMatrix("C", c, cOff, ldc, m, n);
        if (runs == 0 || len == 0) {
            return;
        }
        checkRuns("A", a, aOff, aRow, m, aRun, runs, len);
        checkRuns("B", b, bOff, bRow, n, bRun, runs, len);
        RunDot.dot(KernelProvider.get(), m, n, runs, len, a, aOff, aRow, aRun, b, bOff, bRow, bRun, c, cOff, ldc,
                Parallel.threads() > 1);
    }

    /**
     * Returns how many runs of len values {@link #dotRuns} sums per chunk before adding into C.
     * Two calls over consecutive parts of a run list sum exactly as one call over the whole list
     * when the split falls at a multiple of this count.
     */
    public static int dotRunsPerChunk(int len) {
        return RunDot.runsPerChunk(len);
    }

    private static void checkRuns(String name, float[] x, int off, int[] rows, int count, int[] runs, int runCount,
            int len) {
        long lo = (long) off + min(rows, count) + min(runs, runCount);
        long hi = (long) off + max(rows, count) + max(runs, runCount) + len - 1;
        if (lo < 0 || hi >= x.length) {
            throw new IllegalArgumentException("dotRuns: the runs of " + name + " reach indices " + lo + " to " + hi
                    + ", outside its array of " + x.length + " elements");
        }
    }

    // Checks that base + rows[p] + cols[j] stays inside x for every p < k (or base alone without
    // rows) and j < n.
    private static void checkGathered(String name, float[] x, int base, int[] rows, int k, int[] cols, int n) {
        long lo = base + (long) min(cols, n);
        long hi = base + (long) max(cols, n);
        if (rows != null && k > 0) {
            lo += min(rows, k);
            hi += max(rows, k);
        }
        if (lo < 0 || hi >= x.length) {
            throw new IllegalArgumentException("sgemmGather: the offsets of " + name + " reach indices " + lo + " to "
                    + hi + ", outside its array of " + x.length + " elements");
        }
    }

    private static int min(int[] x, int n) {
        int m = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            m = Math.min(m, x[i]);
        }
        return m;
    }

    private static int max(int[] x, int n) {
        int m = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }

    /**
     * Chooses the kernels now rather than at the first product, and with the Vector API starts a
     * background thread that calls them until the JIT has compiled them (the system property
     * {@code fcn4j.warmup=false} turns it off). A program that calls this first, before it parses
     * its arguments and builds its model, finishes its first training step sooner: on the small
     * unet-bench, about 1.0 s after the JVM started instead of about 1.3 s (with the launcher's
     * lower compile thresholds for the kernels).
     */
    public static void prepare() {
        KernelProvider.get();
    }

    /** Describes the kernels in use, e.g. "Vector API, 512-bit vectors (16 floats), sgemm tile 6 x 32". */
    public static String implementation() {
        return KernelProvider.get().description();
    }

    /** Width in bits of the vectors the kernels use; 32 (one float) on the scalar path. */
    public static int vectorBitSize() {
        return KernelProvider.get().vectorBitSize();
    }

    /**
     * Returns the floats {@link #pack} writes for an M x K left operand: the blocked kernel's
     * panels, M rounded up to whole register tiles, times K.
     */
    public static int packedSize(int m, int k) {
        if (m < 0 || k < 0) {
            throw new IllegalArgumentException("packedSize: sizes must be non-negative, got m=" + m + ", k=" + k);
        }
        return BlockedGemm.packedSize(KernelProvider.get().tileRows(), m, k);
    }

    /**
     * Packs A (M x K, row-major from aOff, rows lda apart) into {@code packedSize(m, k)} floats of
     * dst from dstOff, for {@link #sgemmPacked}. A matrix used against many right operands, such
     * as a layer's weights against blocks of its input, is then packed once instead of per product.
     */
    public static void pack(int m, int k, float[] a, int aOff, int lda, float[] dst, int dstOff) {
        if (m < 0 || k < 0) {
            throw new IllegalArgumentException("pack: sizes must be non-negative, got m=" + m + ", k=" + k);
        }
        checkMatrix("A", a, aOff, lda, m, k);
        checkPacked(dst, dstOff, m, k);
        BlockedGemm.packAll(KernelProvider.get().tileRows(), m, k, a, aOff, lda, dst, dstOff);
    }

    /**
     * Computes {@code C = A B}, or {@code C += A B} with accumulate, for A packed by {@link #pack}
     * at packedOff in packed; B is K x N and C is M x N, row-major. Runs on the calling thread, for
     * callers that already split their work over the compute pool. Every element of C gets the
     * same bits as from {@link #sgemm} with the unpacked A, whenever sgemm takes its blocked path
     * (at least {@value #NAIVE_MAX_MACS} multiply-adds).
     */
    public static void sgemmPacked(int m, int n, int k, float[] packed, int packedOff, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemmPacked: sizes must be non-negative, got m=" + m + ", n=" + n
                    + ", k=" + k);
        }
        checkPacked(packed, packedOff, m, k);
        checkMatrix("B", b, bOff, ldb, k, n);
        checkMatrix("C", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
        }
        if (k > 0) {
            BlockedGemm.gemmPacked(KernelProvider.get(), m, n, k, packed, packedOff, b, bOff, ldb, c, cOff, ldc);
        }
    }

    private static void checkPacked(float[] packed, int off, int m, int k) {
        long size = BlockedGemm.packedSize(KernelProvider.get().tileRows(), m, k);
        if (off < 0 || off + size > packed.length) {
            throw new IllegalArgumentException("packed " + m + " x " + k + " matrix needs " + size
                    + " floats from offset " + off + ", the array has " + packed.length);
        }
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
