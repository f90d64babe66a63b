package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.tensor.Generator;
import org.junit.jupiter.api.Test;

/** The public entry point: the accumulate flag, the small-product path, edge cases and argument checks. */
class GemmTest {
    private final Generator rng = new Generator(21);

    /**
     * A packed once, then multiplied: the same bits as sgemm's blocked path, on shapes with rows
     * cut by the register tile, K across the KC block edge, offsets and row strides of B and C
     * larger than their rows.
     */
    @Test
    void packedProductsMatchSgemmBitForBit() {
        int[][] shapes = {{64, 96, 64}, {13, 37, 401}, {7, 33, 800}, {100, 5, 20}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            int lda = k + 3;
            int ldb = n + 2;
            int ldc = n + 5;
            float[] a = GemmKernelTest.random(rng, 4 + m * lda);
            float[] b = GemmKernelTest.random(rng, 1 + k * ldb);
            float[] c0 = GemmKernelTest.random(rng, 2 + m * ldc);
            float[] packed = new float[3 + Gemm.packedSize(m, k)];
            Gemm.pack(m, k, a, 4, lda, packed, 3);
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] want = c0.clone();
                Gemm.sgemm(false, false, m, n, k, a, 4, lda, b, 1, ldb, want, 2, ldc, accumulate);
                float[] got = c0.clone();
                Gemm.sgemmPacked(m, n, k, packed, 3, b, 1, ldb, got, 2, ldc, accumulate);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                            m + " x " + n + " x " + k + ", accumulate=" + accumulate + ", element " + i);
                }
            }
        }
    }

    @Test
    void packedProductsCheckTheirArguments() {
        float[] a = new float[6 * 4];
        float[] small = new float[Gemm.packedSize(6, 4) - 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.pack(6, 4, a, 0, 4, small, 0));
        assertEquals("packed 6 x 4 matrix needs " + Gemm.packedSize(6, 4) + " floats from offset 0, the array has "
                + small.length, e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gemm.pack(6, 5, a, 0, 5, new float[1000], 0));
        float[] packed = new float[Gemm.packedSize(6, 4)];
        Gemm.pack(6, 4, a, 0, 4, packed, 0);
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemmPacked(6, 3, 4, packed, 0, new float[11], 0, 3, new float[18], 0, 3, false));
        assertThrows(IllegalArgumentException.class, () -> Gemm.packedSize(-1, 4));
    }

    @Test
    void accumulateAddsAndOverwriteReplaces() {
        // 9 x 40 x 30 = 10800 multiply-adds takes the blocked path, 3 x 4 x 5 the naive one.
        int[][] shapes = {{9, 40, 30}, {3, 4, 5}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] a = GemmKernelTest.random(rng, m * k);
            float[] b = GemmKernelTest.random(rng, k * n);
            double[] product = GemmKernelTest.reference(false, false, m, n, k, a, 0, k, b, 0, n);
            float[] c0 = GemmKernelTest.random(rng, m * n);

            float[] over = c0.clone();
            Gemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, over, 0, n, false);
            float[] acc = c0.clone();
            Gemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, acc, 0, n, true);

            for (int i = 0; i < m * n; i++) {
                String where = m + " x " + n + " x " + k + ", element " + i;
                assertEquals(product[i], over[i], 1e-4 * (1 + Math.abs(product[i])), where + ", accumulate=false");
                double want = c0[i] + product[i];
                assertEquals(want, acc[i], 1e-4 * (1 + Math.abs(want)), where + ", accumulate=true");
            }
        }
    }

    @Test
    void emptyInnerDimensionZeroesOrKeepsC() {
        float[] c = {1f, 2f, 3f, 4f};
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 2, true);
        assertEquals(4f, c[3], "k = 0 with accumulate must leave C unchanged");
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, c, 0, 2, false);
        for (float v : c) {
            assertEquals(0f, v, "k = 0 without accumulate must zero C");
        }
    }

    @Test
    void zeroTimesInfinityGivesNaN() {
        // IEEE semantics: a zero in A must not hide an infinity or NaN in B, on either path.
        for (int n : new int[] {2, 64}) {
            int m = 8;
            int k = 16;
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            b[3 * n + 1] = Float.POSITIVE_INFINITY;
            float[] c = new float[m * n];
            Gemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
            assertTrue(Float.isNaN(c[1]), "n=" + n + ": 0 * inf must give NaN, got " + c[1]);
            assertEquals(0f, c[0], "n=" + n);
        }
    }

    @Test
    void invalidArgumentsAreRejected() {
        float[] x = new float[16];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 3, 4, -1, x, 0, 4, x, 0, 4, x, 0, 4, false));
        assertTrue(e.getMessage().contains("k=-1"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 3, 4, 4, x, 0, 3, x, 0, 4, new float[12], 0, 4, false));
        assertTrue(e.getMessage().contains("leading dimension of A is 3, expected at least 4"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 3, 4, 4, x, 0, 4, x, 0, 4, new float[12], 1, 4, false));
        assertEquals("sgemm: C stored as 3 x 4 with offset 1 and leading dimension 4 needs 13 elements, the array "
                + "has 12", e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(true, false, 3, 4, 5, new float[10], 0, 3, x, 0, 4, new float[12], 0, 4, false));
        assertEquals("sgemm: A stored as 5 x 3 with offset 0 and leading dimension 3 needs 15 elements, the array "
                + "has 10", e.getMessage());
    }

    @Test
    void implementationNamesVectorWidth() {
        String name = Gemm.implementation();
        assertTrue(name.contains(Gemm.vectorBitSize() + "-bit"), name);
    }
}
