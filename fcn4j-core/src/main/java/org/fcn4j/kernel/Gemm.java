package org.fcn4j.kernel;

/**
 * Single-precision matrix product on row-major storage:
 * {@code C = op(A) op(B)} or, with accumulate, {@code C += op(A) op(B)}, where op(X) is X or its
 * transpose.
 *
 * <p>Dimension letters: op(A) is M x K, op(B) is K x N, C is M x N. {@code lda}, {@code ldb} and
 * {@code ldc} are the row strides of the stored matrices (for a transposed A, A is stored K x M).
 */
public final class Gemm {
    private Gemm() {
    }

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
        }
        if (k <= 0) {
            return;
        }
        ScalarGemm.INSTANCE.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
}
