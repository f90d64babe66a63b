package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.fcn4j.tensor.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Products of gathered runs, both kernel implementations, against a double-precision sum. Cases:
 * sizes on and off the 4 x 3 tile, run lengths below, at and off the vector width, enough runs to
 * span several chunks, overlapping rows, and C with a row stride and offset. The result must not
 * depend on the thread count.
 */
class RunDotTest {

    static Stream<KernelSupport> implementations() {
        return GemmKernelTest.implementations();
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void matchesDoubleSum(KernelSupport ks) {
        Generator rng = new Generator(8);
        int lanes = ks.vectorBitSize() / Float.SIZE;
        int[][] shapes = {{1, 1, 1, 1}, {4, 4, 3, 16}, {5, 9, 7, lanes + 3}, {16, 144, 40, 64}, {3, 27, 130, 32},
                {8, 6, 5, Math.max(1, lanes - 1)}};
        for (int[] shape : shapes) {
            for (boolean parallel : new boolean[] {false, true}) {
                check(ks, rng, shape[0], shape[1], shape[2], shape[3], parallel);
            }
        }
    }

    private static void check(KernelSupport ks, Generator rng, int m, int n, int runs, int len, boolean parallel) {
        String name = ks + ", m=" + m + ", n=" + n + ", " + runs + " runs of " + len + (parallel ? ", parallel" : "");
        int[] aRow = new int[m];
        int[] bRow = new int[n];
        int[] aRun = new int[runs];
        int[] bRun = new int[runs];
        for (int i = 0; i < m; i++) {
            aRow[i] = i * (runs * len + 3);
        }
        for (int j = 0; j < n; j++) {
            bRow[j] = j / 3 * 50 + j % 3; // overlapping rows, as a convolution's taps
        }
        for (int r = 0; r < runs; r++) {
            aRun[r] = r * len;
            bRun[r] = r * (len + 2);
        }

        float[] a = random(rng, aRow[m - 1] + runs * len + 1);
        float[] b = random(rng, bRow[n - 1] + bRun[runs - 1] + len + 1);
        int ldc = n + 3;
        float[] start = random(rng, 2 + m * ldc);
        float[] c = start.clone();
        RunDot.dot(ks, m, n, runs, len, a, 0, aRow, aRun, b, 0, bRow, bRun, c, 2, ldc, parallel);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = start[2 + i * ldc + j];
                double mag = Math.abs(s);
                for (int r = 0; r < runs; r++) {
                    for (int t = 0; t < len; t++) {
                        double v = (double) a[aRow[i] + aRun[r] + t] * b[bRow[j] + bRun[r] + t];
                        s += v;
                        mag += Math.abs(v);
                    }
                }
                float got = c[2 + i * ldc + j];
                assertTrue(Math.abs(got - s) <= 1e-6 * mag + 1e-6,
                        name + ": C[" + i + "][" + j + "] = " + got + ", expected " + s);
            }
        }
        for (int j = n; j < ldc && j + 2 < c.length; j++) {
            assertEquals(start[2 + j], c[2 + j], name + ": padding column " + j + " of row 0 must stay untouched");
        }
    }

    /**
     * A 4 x 6 tile must give every lane the same bits as the two 4 x 3 tiles it replaces, so that
     * the weight gradients do not depend on the tile width a machine's vectors select.
     */
    @ParameterizedTest
    @MethodSource("implementations")
    void sixColumnTileMatchesThreeColumnTiles(KernelSupport ks) {
        Generator rng = new Generator(10);
        int lanes = ks.vectorBitSize() / Float.SIZE;
        int len = 3 * lanes;
        int runs = 5;
        int stride = runs * (len + 1) + 2;
        float[] a = random(rng, 4 * stride);
        float[] b = random(rng, 8 * stride);
        int[] aRow = {0, stride, 2 * stride + 1, 3 * stride};
        int[] bRow = {1, stride, 2 * stride + 2, 3 * stride + 1, 4 * stride, 5 * stride + 3, 6 * stride, 7 * stride};
        int[] aRun = new int[runs];
        int[] bRun = new int[runs];
        for (int r = 0; r < runs; r++) {
            aRun[r] = r * (len + 1);
            bRun[r] = r * len;
        }

        for (int j0 : new int[] {0, 2}) {
            float[] six = new float[24 * lanes];
            ks.dotTile4x6(1, runs, len, a, aRow, 0, aRun, b, bRow, j0, bRun, six);

            float[] left = new float[12 * lanes];
            float[] right = new float[12 * lanes];
            ks.dotTile4x3(1, runs, len, a, aRow, 0, aRun, b, bRow, j0, bRun, left);
            ks.dotTile4x3(1, runs, len, a, aRow, 0, aRun, b, bRow, j0 + 3, bRun, right);

            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 6; j++) {
                    float[] three = j < 3 ? left : right;
                    for (int l = 0; l < lanes; l++) {
                        assertEquals(three[(3 * i + j % 3) * lanes + l], six[(6 * i + j) * lanes + l],
                                ks + ", j0=" + j0 + ": lane " + l + " of product (" + i + ", " + j + ")");
                    }
                }
            }
        }
    }

    @Test
    void sameSumsForAnyThreadCount() {
        Generator rng = new Generator(9);
        int m = 16;
        int n = 144;
        int runs = 200;
        int len = 64;
        int[] aRow = new int[m];
        int[] bRow = new int[n];
        int[] aRun = new int[runs];
        int[] bRun = new int[runs];
        for (int i = 0; i < m; i++) {
            aRow[i] = i * runs * len;
        }
        for (int j = 0; j < n; j++) {
            bRow[j] = j * 7;
        }
        for (int r = 0; r < runs; r++) {
            aRun[r] = r * len;
            bRun[r] = r * len;
        }

        float[] a = random(rng, m * runs * len);
        float[] b = random(rng, bRow[n - 1] + runs * len);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] oneThread = new float[m * n];
            Gemm.dotRuns(m, n, runs, len, a, aRow, aRun, b, bRow, bRun, oneThread, 0, n);

            Parallel.setThreads(3);
            float[] threeThreads = new float[m * n];
            Gemm.dotRuns(m, n, runs, len, a, aRow, aRun, b, bRow, bRun, threeThreads, 0, n);
            assertArrayEquals(oneThread, threeThreads, "1 and 3 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void runsOutsideTheArraysAreRejected() {
        int[] one = {0};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.dotRuns(1, 1, 1, 5, new float[4], one, one, new float[8], one, one, new float[1], 0, 1));
        assertEquals("dotRuns: the runs of A reach indices 0 to 4, outside its array of 4 elements", e.getMessage());
    }

    private static float[] random(Generator rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }
}
