package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.fcn4j.tensor.Generator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The blocked matrix product of both kernel implementations (Vector API and scalar twin) against
 * a double-precision naive product, element-wise within {@code 1e-4 * (1 + |expected|)}.
 *
 * <p>Sizes cover 1, primes, the vector lane count L plus and minus one, the register tile MR x NR
 * plus and minus one, and products that cross the KC, NC and MC cache-block edges, with all four
 * transpose combinations, offsets and leading dimensions larger than the rows.
 */
class GemmKernelTest {
    static final double TOLERANCE = 1e-4;

    static Stream<KernelSupport> implementations() {
        return Stream.of(KernelProvider.loadVector(), new ScalarKernelSupport());
    }

    /** Sizes around the tile and lane edges of one implementation, plus 1 and some primes. */
    static int[] edgeSizes(KernelSupport ks) {
        int lanes = ks.vectorBitSize() / Float.SIZE;
        int mr = ks.tileRows();
        int nr = ks.tileCols();
        return java.util.stream.IntStream.of(1, 2, 7, 13, 31, 97, lanes - 1, lanes + 1, mr - 1, mr + 1,
                nr - 1, nr, nr + 1, 2 * nr + 1).filter(s -> s >= 1).distinct().sorted().toArray();
    }

    static Stream<Arguments> implementationsAndTransposes() {
        List<Arguments> list = new ArrayList<>();
        implementations().forEach(ks -> {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    list.add(Arguments.of(ks, ta, tb));
                }
            }
        });
        return list.stream();
    }

    @Test
    void vectorModuleLoadedInTests() {
        // Surefire passes --add-modules jdk.incubator.vector; without it the vector half of these tests
        // would not run at all.
        assertNull(KernelProvider.scalarReason(), "tests must run with the Vector API available");
        assertTrue(KernelProvider.loadVector().vectorBitSize() >= 128);
    }

    @ParameterizedTest(name = "{0}, transA={1}, transB={2}")
    @MethodSource("implementationsAndTransposes")
    void edgeSizesMatchDoubleProduct(KernelSupport ks, boolean transA, boolean transB) {
        int[] sizes = edgeSizes(ks);
        Generator rng = new Generator(11);
        for (int m : sizes) {
            for (int n : sizes) {
                // Every K for square-ish shapes would be slow; a rotating K still covers each size.
                int k = sizes[(m * 31 + n) % sizes.length];
                checkProduct(ks, rng, transA, transB, m, n, k, 0, 0, 0, false);
            }
        }
        for (int k : sizes) {
            checkProduct(ks, rng, transA, transB, 13, 33, k, 0, 0, 0, false);
        }
    }

    @ParameterizedTest(name = "{0}, transA={1}, transB={2}")
    @MethodSource("implementationsAndTransposes")
    void offsetsAndLeadingDimensions(KernelSupport ks, boolean transA, boolean transB) {
        Generator rng = new Generator(12);
        checkProduct(ks, rng, transA, transB, 17, 31, 15, 5, 3, 7, false);
        checkProduct(ks, rng, transA, transB, 1, 97, 33, 1, 0, 2, false);
        checkProduct(ks, rng, transA, transB, 97, 1, 7, 0, 9, 1, false);
    }

    @ParameterizedTest(name = "{0}, transA={1}, transB={2}")
    @MethodSource("implementationsAndTransposes")
    void cacheBlockEdges(KernelSupport ks, boolean transA, boolean transB) {
        Generator rng = new Generator(13);
        // K crosses KC once, N crosses the NC block once, with tails on all three.
        checkProduct(ks, rng, transA, transB, 7, BlockedGemm.NC_TARGET + 35, BlockedGemm.KC + 5, 0, 0, 0, false);
        // M crosses the MC block.
        checkProduct(ks, rng, transA, transB, BlockedGemm.MC_TARGET + 13, 19, 9, 0, 0, 0, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void multiBlockProductInParallel(KernelSupport ks) {
        Generator rng = new Generator(14);
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(2);
            checkProduct(ks, rng, false, false, 211, 523, 401, 0, 0, 0, true);
            checkProduct(ks, rng, true, true, 97, 131, 389, 2, 1, 4, true);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * Runs C0 + op(A) op(B) with random C0 through the blocked kernel and compares with a double
     * product. Extra stride pads A, B and C rows; the padding of C must stay untouched.
     */
    static void checkProduct(KernelSupport ks, Generator rng, boolean transA, boolean transB, int m, int n, int k,
            int pad, int offAB, int offC, boolean parallel) {
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = aCols + pad;
        int ldb = bCols + pad;
        int ldc = n + pad;
        float[] a = random(rng, offAB + aRows * lda);
        float[] b = random(rng, offAB + bRows * ldb);
        float[] c = random(rng, offC + m * ldc + pad);
        float[] c0 = c.clone();

        BlockedGemm.gemm(ks, transA, transB, m, n, k, a, offAB, lda, b, offAB, ldb, c, offC, ldc, parallel);

        String context = ks.description() + ", transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n
                + ", k=" + k + ", pad=" + pad;
        double[] expected = reference(transA, transB, m, n, k, a, offAB, lda, b, offAB, ldb);
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - offC;
            int i = rel >= 0 ? rel / ldc : -1;
            int j = rel >= 0 ? rel % ldc : -1;
            if (i < 0 || i >= m || j >= n) {
                assertEquals(c0[idx], c[idx], 0f, context + ": element " + idx + " outside C was written");
                continue;
            }
            double want = c0[idx] + expected[i * n + j];
            double diff = Math.abs(c[idx] - want);
            if (!(diff <= TOLERANCE * (1 + Math.abs(want)))) {
                throw new AssertionError(String.format("%s: C[%d][%d] = %.8g, expected %.8g (|difference| %.3g)",
                        context, i, j, c[idx], want, diff));
            }
        }
    }

    /** op(A) op(B) in double precision, (M, N) row-major. */
    static double[] reference(boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                for (int j = 0; j < n; j++) {
                    double bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    out[i * n + j] += aip * bpj;
                }
            }
        }
        return out;
    }

    static float[] random(Generator rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rng.nextFloat() * 2f - 1f;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void sameResultAnyThreadCount(KernelSupport ks) {
        Generator rng = new Generator(15);
        int saved = Parallel.threads();
        // Two shapes, so that both the split over N (wide C) and over M (tall C) run.
        int[][] shapes = {{67, 1031, 129}, {1031, 37, 131}};
        try {
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                float[] a = random(rng, m * k);
                float[] b = random(rng, k * n);
                float[][] results = new float[4][];
                int[] threadCounts = {1, 1, 2, 2};
                for (int r = 0; r < results.length; r++) {
                    Parallel.setThreads(threadCounts[r]);
                    results[r] = new float[m * n];
                    BlockedGemm.gemm(ks, false, false, m, n, k, a, 0, k, b, 0, n, results[r], 0, n, true);
                }
                String shape = ks.description() + ", " + m + " x " + n + " x " + k;
                assertArrayEquals(results[0], results[1], shape + ": two runs on 1 thread differ");
                assertArrayEquals(results[2], results[3], shape + ": two runs on 2 threads differ");
                assertArrayEquals(results[0], results[2], shape + ": 1 and 2 threads differ");
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
