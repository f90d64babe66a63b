package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;

import org.fcn4j.tensor.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The element-wise loops of both implementations over sizes 1, primes and the lane count L (and
 * 4 L, the unrolled step) plus and minus one, at an offset, against double-precision sums with a
 * tolerance that grows with the length.
 */
class VectorOpsTest {
    static java.util.stream.Stream<KernelSupport> implementations() {
        return GemmKernelTest.implementations();
    }

    static int[] sizes(KernelSupport ks) {
        int lanes = ks.vectorBitSize() / Float.SIZE;
        return IntStream.of(0, 1, 2, 3, 7, 13, 31, 97, 1021, lanes - 1, lanes + 1, 4 * lanes - 1, 4 * lanes + 1,
                8 * lanes + 3).filter(s -> s >= 0).distinct().sorted().toArray();
    }

    private static double tolerance(int n, double scale) {
        return 1e-6 * (n + 1) * (1 + scale);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void dotAndSum(KernelSupport ks) {
        Generator rng = new Generator(31);
        for (int n : sizes(ks)) {
            float[] x = GemmKernelTest.random(rng, n + 3);
            float[] y = GemmKernelTest.random(rng, n + 5);
            double dot = 0;
            double sum = 0;
            double absSum = 0;
            for (int i = 0; i < n; i++) {
                dot += (double) x[3 + i] * y[5 + i];
                sum += x[3 + i];
                absSum += Math.abs(x[3 + i]);
            }
            assertEquals(dot, ks.dot(n, x, 3, y, 5), tolerance(n, absSum), ks + ": dot, n=" + n);
            assertEquals(sum, ks.sum(n, x, 3), tolerance(n, absSum), ks + ": sum, n=" + n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void axpyAndScaleShift(KernelSupport ks) {
        Generator rng = new Generator(32);
        for (int n : sizes(ks)) {
            float[] x = GemmKernelTest.random(rng, n + 2);
            float[] y = GemmKernelTest.random(rng, n + 4);
            float[] y0 = y.clone();
            ks.axpy(n, 0.75f, x, 2, y, 1);
            for (int i = 0; i < y.length; i++) {
                boolean inside = i >= 1 && i < 1 + n;
                double want = inside ? y0[i] + 0.75 * x[i + 1] : y0[i];
                assertEquals(want, y[i], 1e-6, ks + ": axpy, n=" + n + ", element " + i);
            }

            float[] z = new float[n + 1];
            z[n] = 42f;
            ks.scaleShift(n, -1.5f, 0.25f, x, 2, z, 0);
            for (int i = 0; i < n; i++) {
                assertEquals(-1.5 * x[i + 2] + 0.25, z[i], 1e-6, ks + ": scaleShift, n=" + n + ", element " + i);
            }
            assertEquals(42f, z[n], ks + ": scaleShift wrote past n=" + n);

            // In place, as batch normalisation uses it.
            float[] w = x.clone();
            ks.scaleShift(n, 2f, -1f, w, 2, w, 2);
            for (int i = 0; i < n; i++) {
                assertEquals(2.0 * x[i + 2] - 1, w[i + 2], 1e-6, ks + ": in-place scaleShift, n=" + n);
            }
        }
    }

    /**
     * Both kernels against a direct reading of the rule on planes with ties, signed zeros, NaNs
     * and infinities, widths around the lane count and an odd row length (the last column unread).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void maxPool2x2FollowsTheRule(KernelSupport ks) {
        Generator rng = new Generator(33);
        float[] specials = {0f, -0f, 1f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (int ow : sizes(ks)) {
            for (int extra : new int[] {0, 1}) {
                int oh = 3;
                int w = 2 * ow + extra;
                int in = 5;
                float[] x = new float[in + 2 * oh * w];
                for (int i = 0; i < x.length; i++) {
                    int pick = rng.nextInt(10);
                    x[i] = pick < specials.length ? specials[pick] : rng.nextInt(3) - 1f;
                }
                float[] y = new float[3 + oh * ow];
                ks.maxPool2x2(x, in, w, oh, ow, y, 2);
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int best = 2 * i * w + 2 * j;
                        int[] taps = {best, best + 1, best + w, best + w + 1};
                        for (int t : taps) {
                            float v = x[in + t];
                            if (v > x[in + best] || Float.isNaN(v)) {
                                best = t;
                            }
                        }
                        int o = 2 + i * ow + j;
                        String where = ks + ": ow=" + ow + ", w=" + w + ", output (" + i + ", " + j + ")";
                        assertEquals(Float.floatToRawIntBits(x[in + best]), Float.floatToRawIntBits(y[o]), where);
                    }
                }
                assertEquals(0f, y[1], ks + ": wrote before the output");
                assertEquals(0f, y[y.length - 1], ks + ": wrote after the output");
            }
        }
    }

    /**
     * Checks each output and winning tap against a direct reading of the rule, on the specials of
     * {@link #maxPool2x2FollowsTheRule}. Rows of a multiple of 16 outputs fill ints of taps (the vector
     * path), other rows share them (the scalar path), and the taps start after other ints.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void maxPool2x2TapsFollowsTheRule(KernelSupport ks) {
        Generator rng = new Generator(34);
        float[] specials = {0f, -0f, 1f, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY};
        for (int ow : new int[] {1, 5, 8, 16, 20, 32, 48, 64}) {
            for (int extra : new int[] {0, 3}) {
                int oh = 3;
                int w = 2 * ow + extra;
                int in = 7;
                float[] x = new float[in + 2 * oh * w];
                for (int i = 0; i < x.length; i++) {
                    int pick = rng.nextInt(12);
                    x[i] = pick < specials.length ? specials[pick] : rng.nextInt(3) - 1f;
                }
                float[] y = new float[3 + oh * ow];
                int word = 2;
                int words = Math.ceilDiv(oh * ow, VectorOps.TAPS_PER_INT);
                int[] taps = new int[word + words + 1];
                java.util.Arrays.fill(taps, -1);
                ks.maxPool2x2Taps(x, in, w, oh, ow, y, 2, taps, word);
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int first = 2 * i * w + 2 * j;
                        int[] window = {first, first + 1, first + w, first + w + 1};
                        int best = 0;
                        for (int t = 1; t < 4; t++) {
                            float v = x[in + window[t]];
                            if (v > x[in + window[best]] || Float.isNaN(v)) {
                                best = t;
                            }
                        }
                        int k = i * ow + j;
                        String where = ks + ": ow=" + ow + ", w=" + w + ", output (" + i + ", " + j + ")";
                        assertEquals(Float.floatToRawIntBits(x[in + window[best]]),
                                Float.floatToRawIntBits(y[2 + k]), where);
                        int tap = taps[word + k / VectorOps.TAPS_PER_INT] >>> 2 * (k % VectorOps.TAPS_PER_INT) & 3;
                        assertEquals(best, tap, where + ": winning tap");
                    }
                }
                int unused = words * VectorOps.TAPS_PER_INT - oh * ow;
                int last = taps[word + words - 1];
                assertEquals(0, unused == 0 ? 0 : last >>> 2 * (VectorOps.TAPS_PER_INT - unused),
                        ks + ": ow=" + ow + ": bits past the last output");
                assertEquals(-1, taps[word - 1], ks + ": wrote before the taps");
                assertEquals(-1, taps[word + words], ks + ": wrote after the taps");
                assertEquals(0f, y[1], ks + ": wrote before the output");
            }
        }
    }

    /** The vector path against the scalar one, bit for bit, on tile counts around the lane count. */
    @Test
    void winogradInputTilesMatchTheScalarPath() {
        KernelSupport vector = KernelProvider.loadVector();
        KernelSupport scalar = new ScalarKernelSupport();
        Generator rng = new Generator(34);
        for (int tiles : sizes(vector)) {
            int w = 2 * tiles + 5;
            float[] x = GemmKernelTest.random(rng, 3 + 4 * w);
            int stride = tiles + 2;
            float[] want = new float[1 + 16 * stride];
            float[] got = new float[want.length];
            scalar.winogradInputTiles(x, 3, w, tiles, want, 1, stride);
            vector.winogradInputTiles(x, 3, w, tiles, got, 1, stride);
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                        tiles + " tiles, element " + i);
            }
            if (tiles == 0) {
                continue;
            }
            // Position xi = 5 of tile 0 is (B^T d B)[1][1] = d11 + d12 + d21 + d22 (rows 1, 2, columns 1, 2).
            float d = x[3 + w + 1] + x[3 + 2 * w + 1];
            float e = x[3 + w + 2] + x[3 + 2 * w + 2];
            assertEquals(d + e, want[1 + 5 * stride], 1e-6, tiles + " tiles, position 5 of tile 0");
        }
    }

    /** The vector path against the scalar one, bit for bit, with one or two output rows. */
    @Test
    void winogradOutputTilesMatchTheScalarPath() {
        KernelSupport vector = KernelProvider.loadVector();
        KernelSupport scalar = new ScalarKernelSupport();
        Generator rng = new Generator(35);
        for (int tiles : sizes(vector)) {
            for (boolean bothRows : new boolean[] {false, true}) {
                int stride = tiles + 3;
                int q = 2 * tiles + 1;
                float[] m = GemmKernelTest.random(rng, 2 + 16 * stride);
                float[] want = new float[4 + 2 * q];
                float[] got = new float[want.length];
                scalar.winogradOutputTiles(m, 2, stride, tiles, want, 4, q, bothRows);
                vector.winogradOutputTiles(m, 2, stride, tiles, got, 4, q, bothRows);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                            tiles + " tiles, bothRows=" + bothRows + ", element " + i);
                }
                if (tiles > 0) {
                    // Output (0, 0) of tile 0 sums rows 0 to 2 and columns 0 to 2 of its 4 x 4 values.
                    double sum = 0;
                    for (int r = 0; r < 3; r++) {
                        for (int c = 0; c < 3; c++) {
                            sum += m[2 + (4 * r + c) * stride];
                        }
                    }
                    assertEquals(sum, want[4], 1e-5, tiles + " tiles, output (0, 0)");
                    if (!bothRows) {
                        assertEquals(0f, want[4 + q], tiles + " tiles: row 1 written without bothRows");
                    }
                }
            }
        }
    }

    /**
     * Checks the normalisation kernels against a direct reading of their rule in double, with and without
     * the ReLU mask, on ranges at an offset. The inputs include values where the recomputed ReLU
     * output is exactly 0 (x = mu with no shift), negative, and NaN, which keeps dy.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void normKernelsFollowTheRule(KernelSupport ks) {
        Generator rng = new Generator(36);
        float mu = 0.125f;
        for (int n : sizes(ks)) {
            float[] x = GemmKernelTest.random(rng, n + 4);
            float[] dy = GemmKernelTest.random(rng, n + 4);
            for (int i = 4; i < n + 4; i += 5) {
                x[i] = mu;
            }
            if (n > 2) {
                x[4 + n / 2] = Float.NaN;
            }
            for (boolean relu : new boolean[] {false, true}) {
                float scale = relu ? 1.5f : 1f;
                float shift = 0f;
                double[] g = new double[n];
                double wantSum = 0;
                double wantDot = 0;
                double absSum = 0;
                for (int i = 0; i < n; i++) {
                    float xc = x[4 + i] - mu;
                    float y = Math.max(xc * scale + shift, 0f);
                    boolean keep = !relu || y > 0 || Float.isNaN(y);
                    g[i] = keep ? dy[4 + i] : 0;
                    wantSum += g[i];
                    wantDot += g[i] * xc;
                    absSum += Math.abs(g[i]);
                }
                String where = ks + ", relu=" + relu + ", n=" + n;
                double[] sums = new double[2];
                ks.normBackwardSums(n, dy, x, 4, mu, relu, scale, shift, sums);
                assertEquals(wantSum, sums[0], 1e-12 * (n + 1) * (1 + absSum), where + ": sum of g");
                if (!Double.isNaN(wantDot)) {
                    assertEquals(wantDot, sums[1], 1e-12 * (n + 1) * (1 + absSum), where + ": sum of g (x - mu)");
                } else {
                    assertTrue(Double.isNaN(sums[1]), where + ": a NaN in x reaches sum of g (x - mu)");
                }

                double inv = 1.25;
                double w = 0.5;
                double meanG = 0.0625;
                double b = -0.25;
                for (boolean add : new boolean[] {false, true}) {
                    float[] dx = GemmKernelTest.random(rng, n + 6);
                    float[] before = dx.clone();
                    ks.normBackwardDx(n, dy, x, 4, mu, relu, scale, shift, inv, w, meanG, b, dx, add);
                    for (int i = 0; i < n; i++) {
                        float v = (float) (inv * (w * g[i] - meanG) + b * (x[4 + i] - mu));
                        float want = add ? before[4 + i] + v : v;
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dx[4 + i]),
                                where + ", add=" + add + ": dx element " + i);
                    }
                    for (int i : new int[] {0, 3, n + 4, n + 5}) {
                        assertEquals(before[i], dx[i], where + ": wrote outside the range at " + i);
                    }
                }
            }

            double[] stats = new double[2];
            double wantSum = 0;
            double wantSq = 0;
            for (int i = 0; i < n; i++) {
                double d = dy[4 + i] - 0.5;
                wantSum += d;
                wantSq += d * d;
            }
            ks.normStats(n, dy, 4, 0.5, stats);
            assertEquals(wantSum, stats[0], 1e-12 * (n + 1), ks + ", n=" + n + ": sum of x - shift");
            assertEquals(wantSq, stats[1], 1e-12 * (n + 1), ks + ", n=" + n + ": sum of squares");
        }
    }

    /**
     * Checks the vector sums against the scalar code that runs in their place until they are compiled:
     * the same bits, on lengths around the lane count, at an odd offset.
     */
    @Test
    void normSumsMatchTheirScalarOrder() {
        KernelSupport vector = KernelProvider.loadVector();
        int lanes = vector.vectorBitSize() / Float.SIZE;
        Generator rng = new Generator(38);
        for (int n : sizes(vector)) {
            float[] x = GemmKernelTest.random(rng, n + 3);
            float[] dy = GemmKernelTest.random(rng, n + 3);
            double[] want = new double[2];
            double[] got = new double[2];
            ScalarKernelSupport.normStatsInLanes(lanes, n, x, 3, 0.25, want);
            vector.normStats(n, x, 3, 0.25, got);
            assertEquals(Double.doubleToRawLongBits(want[0]), Double.doubleToRawLongBits(got[0]), "stats sum, n=" + n);
            assertEquals(Double.doubleToRawLongBits(want[1]), Double.doubleToRawLongBits(got[1]), "squares, n=" + n);
            for (boolean relu : new boolean[] {false, true}) {
                ScalarKernelSupport.normBackwardSumsInLanes(lanes, n, dy, x, 3, 0.125f, relu, 1.5f, -0.25f, want);
                vector.normBackwardSums(n, dy, x, 3, 0.125f, relu, 1.5f, -0.25f, got);
                String where = "relu=" + relu + ", n=" + n;
                assertEquals(Double.doubleToRawLongBits(want[0]), Double.doubleToRawLongBits(got[0]), where + ": g");
                assertEquals(Double.doubleToRawLongBits(want[1]), Double.doubleToRawLongBits(got[1]), where + ": g xc");
            }
        }
    }

    /** Checks the vector path against the scalar one, bit for bit, on the mask's edge cases. */
    @Test
    void normMaskMatchesTheScalarPath() {
        KernelSupport vector = KernelProvider.loadVector();
        KernelSupport scalar = new ScalarKernelSupport();
        float negativeNaN = Float.intBitsToFloat(0xffc00000);
        float[] specials = {0f, -0f, 0.5f, -0.5f, Float.NaN, negativeNaN, Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};
        Generator rng = new Generator(37);
        int n = 8 * (vector.vectorBitSize() / Float.SIZE) + 5;
        float[] x = new float[n];
        float[] dy = GemmKernelTest.random(rng, n);
        for (int i = 0; i < n; i++) {
            x[i] = specials[rng.nextInt(specials.length)];
        }
        for (float shift : new float[] {0f, -0f, 0.25f}) {
            float[] want = new float[n];
            float[] got = new float[n];
            scalar.normBackwardDx(n, dy, x, 0, 0f, true, 1f, shift, 1, 1, 0, 0, want, false);
            vector.normBackwardDx(n, dy, x, 0, 0f, true, 1f, shift, 1, 1, 0, 0, got, false);
            double keptSum = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                        "shift " + shift + ", x = " + x[i] + ", element " + i);
                float y = x[i] + shift;
                keptSum += Float.isNaN(y) || y > 0 ? dy[i] : 0;
            }
            // The sum of g alone, because dx multiplies x's infinities and NaNs in.
            for (KernelSupport ks : new KernelSupport[] {scalar, vector}) {
                double[] sums = new double[2];
                ks.normBackwardSums(n, dy, x, 0, 0f, true, 1f, shift, sums);
                assertEquals(keptSum, sums[0], 1e-12 * n, ks + ", shift " + shift + ": the sum of the values kept");
            }
        }
    }

    @Test
    void maxPool2x2TapsChecksItsArrays() {
        float[] x = new float[4 * 32];
        float[] y = new float[2 * 16];
        IllegalArgumentException windows = assertThrows(IllegalArgumentException.class,
                () -> VectorOps.maxPool2x2Taps(x, 0, 16, 2, 16, y, 0, new int[2], 0));
        assertEquals("maxPool2x2Taps: a (2, 16) output needs 2 x 2 windows inside rows of 16 values",
                windows.getMessage());
        IllegalArgumentException taps = assertThrows(IllegalArgumentException.class,
                () -> VectorOps.maxPool2x2Taps(x, 0, 32, 2, 16, y, 0, new int[2], 1));
        assertEquals("range [1, 3) of taps is outside its 2 elements: a (2, 16) output needs 2 ints from word 1",
                taps.getMessage());
        VectorOps.maxPool2x2Taps(x, 0, 32, 2, 16, y, 0, new int[2], 0);
    }

    @Test
    void publicEntryPointsCheckRanges() {
        float[] x = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VectorOps.dot(6, x, 3, x, 0));
        assertEquals("range [3, 9) of x is outside its 8 elements", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VectorOps.axpy(-1, 1f, x, 0, x, 0));
        assertEquals(0f, VectorOps.sum(0, x, 8));
        x[7] = 2f;
        assertEquals(2f, VectorOps.sum(8, x, 0));
        VectorOps.scaleShift(8, 3f, 1f, x, 0, x, 0);
        assertEquals(7f, x[7]);
        VectorOps.axpy(1, 2f, x, 7, x, 0);
        assertEquals(15f, x[0]);
        assertEquals(15f * 7f + 1f * 1f, VectorOps.dot(2, x, 0, new float[] {7f, 1f}, 0));
    }
}
