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

    /**
     * Sums of a normalisation layer's statistics over one range: {@code sums[0]} = sum of d and
     * {@code sums[1]} = sum of d squared, with d = x - shift in double.
     */
    public static void normStats(int n, float[] x, int off, double shift, double[] sums) {
        checkRange("x", x, off, n);
        checkSums("normStats", sums);
        KernelSupport ks = KernelProvider.get();
        if (vectorsReady(ks)) {
            ks.normStats(n, x, off, shift, sums);
        } else {
            ScalarKernelSupport.normStatsInLanes(lanes(ks), n, x, off, shift, sums);
            KernelWarmUp.normStatsRan();
        }
    }

    /**
     * Sums of a normalisation layer's backward pass over one range: {@code sums[0]} = sum of g and
     * {@code sums[1]} = sum of g (x - mu) in double, where g is dy or, with relu, dy masked by the
     * fused ReLU's output max(0, (x - mu) scale + shift) (kept where it is positive or NaN).
     */
    public static void normBackwardSums(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale,
            float shift, double[] sums) {
        checkRange("dy", dy, off, n);
        checkRange("x", x, off, n);
        checkSums("normBackwardSums", sums);
        KernelSupport ks = KernelProvider.get();
        if (vectorsReady(ks)) {
            ks.normBackwardSums(n, dy, x, off, mu, relu, scale, shift, sums);
        } else {
            ScalarKernelSupport.normBackwardSumsInLanes(lanes(ks), n, dy, x, off, mu, relu, scale, shift, sums);
        }
    }

    /**
     * A normalisation layer's input gradient over one range:
     * {@code dx = (float) (inv (w g - meanG) + b (x - mu))} with g as in {@link #normBackwardSums},
     * written over dx or, with add, added to it.
     */
    public static void normBackwardDx(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale,
            float shift, double inv, double w, double meanG, double b, float[] dx, boolean add) {
        checkRange("dy", dy, off, n);
        checkRange("x", x, off, n);
        checkRange("dx", dx, off, n);
        KernelSupport ks = KernelProvider.get();
        if (vectorsReady(ks)) {
            ks.normBackwardDx(n, dy, x, off, mu, relu, scale, shift, inv, w, meanG, b, dx, add);
        } else {
            ScalarKernelSupport.normDx(off, off + n, dy, x, mu, relu, scale, shift, inv, w, meanG, b, dx, add);
            KernelWarmUp.normBackwardRan();
        }
    }

    // NOTE: the vector normalisation and pooling kernels run only once the warm-up has compiled
    // them, because before that each of their vector operations allocates. Called that early, they
    // made the first training step of the small unet-bench 0.2 to 0.3 s longer (normalisation) and
    // about 0.2 s longer (pooling). Until then scalar code runs in their place with the same
    // results: the sums in the vector path's order, and pooling has no sums.
    private static boolean vectorsReady(KernelSupport ks) {
        return ks.vectorBitSize() == Float.SIZE || KernelWarmUp.standInKernelsCompiled();
    }

    private static int lanes(KernelSupport ks) {
        return ks.vectorBitSize() / Float.SIZE;
    }

    /**
     * Max-pools one plane with 2 x 2 windows and stride 2, as PyTorch's MaxPool2d(2) does: the
     * first maximum in row-major window order wins and NaN propagates. Output (i, j) of the
     * (oh, ow) plane at {@code out} covers input rows 2i, 2i + 1 and columns 2j, 2j + 1 of the plane
     * at {@code in}, rows w apart.
     */
    public static void maxPool2x2(float[] x, int in, int w, int oh, int ow, float[] y, int out) {
        checkPool("maxPool2x2", x, in, w, oh, ow, y, out);
        KernelSupport ks = KernelProvider.get();
        KernelWarmUp.evaluationKernelCalled(ks);
        ks.maxPool2x2(x, in, w, oh, ow, y, out);
    }

    /** Outputs whose winning taps share an int in {@link #maxPool2x2Taps}. */
    public static final int TAPS_PER_INT = ScalarKernelSupport.TAPS_PER_INT;

    /**
     * Max-pools as {@link #maxPool2x2} does and keeps each output's winning tap for backward:
     * output k = i ow + j keeps its tap t (0, 1: top row, 2, 3: bottom row) in bits 2 (k % 16) and
     * 2 (k % 16) + 1 of {@code taps[word + k / 16]}.
     */
    public static void maxPool2x2Taps(float[] x, int in, int w, int oh, int ow, float[] y, int out, int[] taps,
            int word) {
        checkPool("maxPool2x2Taps", x, in, w, oh, ow, y, out);
        int words = Math.ceilDiv(oh * ow, TAPS_PER_INT);
        if (word < 0 || (long) word + words > taps.length) {
            throw new IllegalArgumentException("range [" + word + ", " + ((long) word + words) + ") of taps is "
                    + "outside its " + taps.length + " elements: a (" + oh + ", " + ow + ") output needs " + words
                    + " ints from word " + word);
        }
        // Rows whose outputs share an int of taps take the scalar loop here, not the vector kernel.
        // Sent to the kernel, the first 8 x 8 output took a branch C2 had compiled as a trap, and
        // C1's code of the kernel then ran, allocating its vectors, for about a second.
        KernelSupport ks = KernelProvider.get();
        if (ow % TAPS_PER_INT == 0 && vectorsReady(ks)) {
            ks.maxPool2x2Taps(x, in, w, oh, ow, y, out, taps, word);
        } else {
            ScalarKernelSupport.maxPoolTaps(x, in, w, oh, ow, y, out, taps, word);
        }
    }

    /**
     * Computes the Winograd F(2 x 2, 3 x 3) input transform {@code B^T d B} of adjacent tiles of
     * one channel: tile j's 4 x 4 patch starts at {@code x[from + 2 j]}, rows w apart, and its 16
     * values, position xi = 4 row + column, go to {@code v[to + xi * stride + j]}. The vector and
     * scalar paths compute the same sums in the same order.
     */
    public static void winogradInputTiles(float[] x, int from, int w, int tiles, float[] v, int to, int stride) {
        if (tiles < 0 || w < 2 * tiles + 2 || stride < tiles) {
            throw new IllegalArgumentException("winogradInputTiles: " + tiles + " tiles need rows of at least "
                    + (2 * tiles + 2) + " values and an output stride of at least " + tiles + ", got " + w + " and "
                    + stride);
        }
        if (tiles == 0) {
            return;
        }
        checkRange("x", x, from, 3 * w + 2 * tiles + 2);
        checkRange("v", v, to, 15 * stride + tiles);
        KernelSupport ks = KernelProvider.get();
        KernelWarmUp.evaluationKernelCalled(ks);
        ks.winogradInputTiles(x, from, w, tiles, v, to, stride);
    }

    /**
     * Computes the Winograd F(2 x 2, 3 x 3) output transform {@code A^T m A} of adjacent tiles
     * along one row of tiles: tile j's 16 values, position xi = 4 row + column, are
     * {@code m[from + xi * stride + j]}, and its 2 x 2 outputs go to {@code y[at + 2 j]},
     * {@code y[at + 2 j + 1]} and, with bothRows, the same columns q further. Without
     * lastBothColumns the last tile writes its first column only (the edge of an odd width).
     */
    public static void winogradOutputTiles(float[] m, int from, int stride, int tiles, float[] y, int at, int q,
            boolean bothRows, boolean lastBothColumns) {
        if (tiles < 0 || stride < tiles || q < 2 * tiles - 1) {
            throw new IllegalArgumentException("winogradOutputTiles: " + tiles + " tiles need a stride of at least "
                    + tiles + " and output rows of at least " + (2 * tiles - 1) + " values, got " + stride + " and "
                    + q);
        }
        if (tiles == 0) {
            return;
        }
        checkRange("m", m, from, 15 * stride + tiles);
        checkRange("y", y, at, (bothRows ? q : 0) + 2 * tiles - (lastBothColumns ? 0 : 1));
        int whole = lastBothColumns ? tiles : tiles - 1;
        KernelSupport ks = KernelProvider.get();
        KernelWarmUp.evaluationKernelCalled(ks);
        ks.winogradOutputTiles(m, from, stride, whole, y, at, q, bothRows);
        if (whole < tiles) {
            ScalarKernelSupport.winogradOutputTile(m, from + whole, stride, y, at + 2 * whole, q, false, bothRows);
        }
    }

    private static void checkSums(String kernel, double[] sums) {
        if (sums.length < 2) {
            throw new IllegalArgumentException(kernel + ": sums has length " + sums.length + ", expected at least 2");
        }
    }

    // Checks that the (oh, ow) output of 2 x 2 windows lies inside rows of w values of x and inside y.
    private static void checkPool(String kernel, float[] x, int in, int w, int oh, int ow, float[] y, int out) {
        if (oh < 0 || ow < 0 || 2 * ow > w) {
            throw new IllegalArgumentException(kernel + ": a (" + oh + ", " + ow + ") output needs 2 x 2 windows "
                    + "inside rows of " + w + " values");
        }
        checkRange("x", x, in, oh == 0 ? 0 : (2 * oh - 1) * w + 2 * ow);
        checkRange("y", y, out, oh * ow);
    }

    private static void checkRange(String name, float[] x, int off, int n) {
        if (n < 0 || off < 0 || (long) off + n > x.length) {
            throw new IllegalArgumentException("range [" + off + ", " + ((long) off + n) + ") of " + name
                    + " is outside its " + x.length + " elements");
        }
    }
}
