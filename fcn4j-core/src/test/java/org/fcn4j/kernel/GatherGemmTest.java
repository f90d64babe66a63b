package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;

import org.fcn4j.tensor.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gathered product against the blocked product on the explicit matrices it stands for: B̂
 * copied out of b through the offset tables, and C scattered through its column table, for both
 * kernel implementations. The results must agree bit for bit, because the blocking and summation
 * order are the same. The entries of c outside the scattered columns must stay untouched.
 *
 * <p>Column tables are made of runs of consecutive offsets (run length 1, 3, one strip NR, longer
 * than a strip) separated by gaps, so that strips are read in place, copied as one run, or packed
 * from several runs, with few rows of C (in place) and many (packed panels).
 */
class GatherGemmTest {

    static Stream<KernelSupport> implementations() {
        return GemmKernelTest.implementations();
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void equalsBlockedProductOnExplicitMatrices(KernelSupport ks) {
        Generator rng = new Generator(5);
        int nr = ks.tileCols();
        int[] runs = {1, 3, nr, 2 * nr + 5};
        int[][] shapes = {{1, 1, 1}, {5, 31, 9}, {6, nr, 144}, {16, 2 * nr + 1, 400}, {33, 100, 27}, {70, 520, 64},
                {7, 3 * nr, 800}};
        for (int[] shape : shapes) {
            for (int run : runs) {
                for (boolean parallel : new boolean[] {false, true}) {
                    check(ks, rng, shape[0], shape[1], shape[2], run, parallel);
                }
            }
        }
    }

    private static void check(KernelSupport ks, Generator rng, int m, int n, int k, int run, boolean parallel) {
        String name = ks + ", m=" + m + ", n=" + n + ", k=" + k + ", runs of " + run + (parallel ? ", parallel" : "");
        int[] colOff = runs(n, run, 2);
        int[] cCol = runs(n, Math.max(1, run - 1), 3);
        int colSpan = colOff[n - 1] + 1;
        int[] rowOff = new int[k];
        for (int p = 0; p < k; p++) {
            // Rows overlap in b, as the taps of a convolution do.
            rowOff[p] = p * Math.max(1, colSpan / 2) + rng.nextInt(3);
        }
        float[] b = random(rng, rowOff[k - 1] + colSpan + 4);
        int lda = k + 2;
        float[] a = random(rng, 1 + m * lda);
        int ldc = cCol[n - 1] + 2;
        float[] c = new float[3 + m * ldc];
        java.util.Arrays.fill(c, Float.NaN);

        float[] bExplicit = new float[k * n]; // (K, N)
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                bExplicit[p * n + j] = b[1 + rowOff[p] + colOff[j]];
            }
        }
        float[] expected = new float[m * n];
        BlockedGemm.gemm(ks, false, false, m, n, k, a, 1, lda, bExplicit, 0, n, expected, 0, n, parallel);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[3 + i * ldc + cCol[j]] = 0f;
            }
        }
        GatherGemm.gemm(ks, m, n, k, a, 1, lda, b, 1, rowOff, colOff, c, 3, ldc, cCol, parallel);

        boolean[] written = new boolean[c.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int at = 3 + i * ldc + cCol[j];
                written[at] = true;
                assertEquals(Float.floatToIntBits(expected[i * n + j]), Float.floatToIntBits(c[at]),
                        name + ": C[" + i + "][" + j + "] = " + c[at] + ", expected " + expected[i * n + j]);
            }
        }
        for (int at = 0; at < c.length; at++) {
            if (!written[at]) {
                assertEquals(Float.NaN, c[at], name + ": c[" + at + "] is outside C and must stay untouched");
            }
        }
    }

    @Test
    void publicEntryZeroesOrAccumulates() {
        Generator rng = new Generator(6);
        int m = 9;
        int n = 70;
        int k = 20;
        int[] colOff = runs(n, 8, 1);
        int[] rowOff = new int[k];
        for (int p = 0; p < k; p++) {
            rowOff[p] = p * 40;
        }
        int[] cCol = runs(n, n, 0);
        float[] a = random(rng, m * k);
        float[] b = random(rng, rowOff[k - 1] + colOff[n - 1] + 1);
        float[] bExplicit = new float[k * n];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                bExplicit[p * n + j] = b[rowOff[p] + colOff[j]];
            }
        }
        float[] start = random(rng, m * n);
        float[] expected = start.clone();
        Gemm.sgemm(false, false, m, n, k, a, 0, k, bExplicit, 0, n, expected, 0, n, true);
        float[] c = start.clone();
        Gemm.sgemmGather(m, n, k, a, 0, k, b, 0, rowOff, colOff, c, 0, n, cCol, true);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, c, "accumulating");

        Gemm.sgemm(false, false, m, n, k, a, 0, k, bExplicit, 0, n, expected, 0, n, false);
        Gemm.sgemmGather(m, n, k, a, 0, k, b, 0, rowOff, colOff, c, 0, n, cCol, false);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, c, "overwriting");
    }

    @Test
    void offsetsOutsideTheArraysAreRejected() {
        float[] a = new float[4];
        float[] b = new float[10];
        float[] c = new float[4];
        int[] two = {0, 1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemmGather(2, 2, 2, a, 0, 2, b, 0, new int[] {0, 9}, two, c, 0, 2, two, false));
        assertEquals("sgemmGather: the offsets of B reach indices 0 to 10, outside its array of 10 elements",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemmGather(2, 2, 2, a, 0, 2, b, 0, two, two, c, 0, 3, two, false));
        assertEquals("sgemmGather: C of 2 rows with leading dimension 3 from offset 0 reaches past the end of its "
                + "array of 4 elements", e.getMessage());
    }

    /** n increasing offsets in runs of the given length, with gap skipped entries between runs. */
    private static int[] runs(int n, int run, int gap) {
        int[] off = new int[n];
        int next = 0;
        for (int j = 0; j < n; j++) {
            if (j > 0 && j % run == 0) {
                next += gap;
            }
            off[j] = next++;
        }
        return off;
    }

    private static float[] random(Generator rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }
}
