package org.fcn4j.kernel;

/**
 * Reference product {@code C += op(A) op(B)}: scalar loops in i-p-j order, which walks rows of B
 * and C contiguously. Kept as the reference the blocked kernel is tested against and as the path
 * for products too small to repay packing.
 *
 * <p>Legend: op(A) is M x K, op(B) is K x N, C is M x N; i indexes M, p indexes K, j indexes N.
 */
final class NaiveGemm {
    private NaiveGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (transB) {
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bOff + j * ldb + p];
                    }
                } else {
                    int bRow = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bRow + j];
                    }
                }
            }
        }
    }
}
