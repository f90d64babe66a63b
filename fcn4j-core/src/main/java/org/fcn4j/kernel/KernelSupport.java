package org.fcn4j.kernel;

/**
 * The SIMD-dependent inner loops of fcn4j's kernels. {@link PanamaKernelSupport} implements them
 * on the Vector API and {@link ScalarKernelSupport} is its scalar twin with the same contract;
 * {@link KernelProvider} picks one at start-up. Everything around these loops (cache blocking,
 * packing, threading) is shared code, so both implementations run it.
 *
 * <p>Legend for the matrix tile: MR = {@link #tileRows()} rows of C, NR = {@link #tileCols()}
 * columns of C, kc = the depth of one cache block of K.
 */
interface KernelSupport {
    /** Names the implementation and its vector width, for the start-up log line and benchmarks. */
    String description();

    /** Width of one vector register in bits; 32 (one float) for the scalar implementation. */
    int vectorBitSize();

    /** MR, the number of rows of C one {@link #gemmTile} call computes. */
    int tileRows();

    /** NR, the number of columns of C one {@link #gemmTile} call computes. */
    int tileCols();

    /**
     * Adds the product of two panels into an MR x NR tile of C:
     * {@code C[r][j] += sum_p aPanel[p][r] * bPanel[p][j]}, summing p in increasing order into a
     * zero accumulator that is then added to C, so a tile written through a scratch buffer
     * rounds exactly like one written in place.
     *
     * @param aPanel packed A, {@code (kc, MR)} row-major from {@code aOff}
     * @param bPanel B, kc rows of NR values from {@code bOff}, rows {@code ldb} apart: NR for a
     *     packed panel, or the row stride of B itself when it is read in place
     * @param c the MR x NR tile starts at {@code cOff}, rows {@code ldc} apart
     */
    void gemmTile(int kc, float[] aPanel, int aOff, float[] bPanel, int bOff, int ldb, float[] c, int cOff, int ldc);

    /**
     * As {@link #gemmTile}, with the kc rows of B anywhere in b: row p is the NR consecutive
     * values from {@code b[bBase + rowOff[rowStart + p]]}. A convolution reads its input in place
     * this way (one row of B per kernel tap and input channel) instead of copying it into an
     * im2col matrix first. Sums in the same order as {@link #gemmTile}, so both round alike.
     */
    void gemmTileRows(int kc, float[] aPanel, int aOff, float[] b, int[] rowOff, int rowStart, int bBase, float[] c,
            int cOff, int ldc);

    /**
     * Computes the dot products of 4 rows of A with 3 rows of B, each row gathered from runs r in
     * [r0, r1) of len values, len a multiple of the lanes of a vector ({@link #vectorBitSize()} / 32):
     * {@code sum_r sum_t a[aRow[i0 + i] + aRun[r] + t] * b[bRow[j0 + j] + bRun[r] + t]}, and stores
     * them as per-lane partial sums: lane l of product (i, j) at {@code acc[(3 i + j) lanes + l]}.
     * A convolution's weight gradient is such a product (rows of dy against rows of the padded
     * input, one run per output row), computed without packing either operand.
     */
    void dotTile4x3(int r0, int r1, int len, float[] a, int[] aRow, int i0, int[] aRun, float[] b, int[] bRow,
            int j0, int[] bRun, float[] acc);

    /**
     * As {@link #dotTile4x3} for 4 rows of A and 6 rows of B: lane l of product (i, j) at
     * {@code acc[(6 i + j) lanes + l]}, each summed in the same order as there.
     */
    void dotTile4x6(int r0, int r1, int len, float[] a, int[] aRow, int i0, int[] aRun, float[] b, int[] bRow,
            int j0, int[] bRun, float[] acc);

    /** Returns {@code sum_i x[xOff + i] * y[yOff + i]} for i in [0, n). */
    float dot(int n, float[] x, int xOff, float[] y, int yOff);

    /** Computes {@code y[yOff + i] += alpha * x[xOff + i]} for i in [0, n). */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** Computes {@code y[yOff + i] = scale * x[xOff + i] + shift} for i in [0, n); x and y may alias. */
    void scaleShift(int n, float scale, float shift, float[] x, int xOff, float[] y, int yOff);

    /** Returns {@code sum_i x[xOff + i]} for i in [0, n). */
    float sum(int n, float[] x, int xOff);

    /**
     * Sums of a normalisation layer's statistics over n values from off: {@code sums[0]} = the sum
     * of d and {@code sums[1]} = the sum of d squared, with d = x - shift in double, added in the
     * order ScalarKernelSupport.normStatsInLanes describes for the implementation's lane count.
     */
    void normStats(int n, float[] x, int off, double shift, double[] sums);

    /**
     * Sums of a normalisation layer's backward pass over n values from off: {@code sums[0]} = the
     * sum of g and {@code sums[1]} = the sum of g (x - mu), in double, with x - mu rounded to float
     * first. g is dy, or with relu dy where the fused ReLU's output max(0, (x - mu) scale + shift)
     * is positive or NaN, and 0 elsewhere. The order of the additions is that of {@link #normStats}.
     */
    void normBackwardSums(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale, float shift,
            double[] sums);

    /**
     * A normalisation layer's input gradient over n values from off:
     * {@code v = (float) (inv (w g - meanG) + b (x - mu))} in double, with g as in
     * {@link #normBackwardSums}, written to dx or, with add, added to it. The same bits in every
     * implementation.
     */
    void normBackwardDx(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale, float shift,
            double inv, double w, double meanG, double b, float[] dx, boolean add);

    /**
     * Max-pools one plane with 2 x 2 windows and stride 2: output (i, j) of the (oh, ow) plane at
     * {@code out} is the max of input pixels (2i + a, 2j + b) of the plane at {@code in}, rows w
     * apart, taken in the order (0, 0), (0, 1), (1, 0), (1, 1). A later tap replaces the best so
     * far when it is larger or NaN, so the first maximum wins and a NaN propagates. Evaluation
     * runs it; a training step keeps the winning taps for backward in its own loop.
     */
    void maxPool2x2(float[] x, int in, int w, int oh, int ow, float[] y, int out);

    /**
     * Max-pools as {@link #maxPool2x2} and keeps each output's winning tap for backward: 0 and 1
     * for the window's top row, 2 and 3 for its bottom row. Output k = i ow + j keeps its tap in
     * bits 2 (k % 16) and 2 (k % 16) + 1 of {@code taps[word + k / 16]}, and the last int's unused
     * bits are 0.
     */
    void maxPool2x2Taps(float[] x, int in, int w, int oh, int ow, float[] y, int out, int[] taps, int word);

    /**
     * Computes the Winograd F(2 x 2, 3 x 3) input transform {@code B^T d B} of adjacent tiles of
     * one channel. Tile j's 4 x 4 patch d starts at {@code x[from + 2 j]}, rows w apart, and its
     * 16 values, position xi = 4 row + column, go to {@code v[to + xi * stride + j]}.
     */
    void winogradInputTiles(float[] x, int from, int w, int tiles, float[] v, int to, int stride);

    /**
     * Computes the Winograd F(2 x 2, 3 x 3) output transform {@code A^T m A} of adjacent tiles
     * whose 2 x 2 outputs all have both columns: tile j's 16 values, position xi = 4 row + column,
     * are {@code m[from + xi * stride + j]}, and its outputs go to {@code y[at + 2 j]} and
     * {@code y[at + 2 j + 1]}, and with bothRows to the same columns of the next row, q further.
     */
    void winogradOutputTiles(float[] m, int from, int stride, int tiles, float[] y, int at, int q, boolean bothRows);
}
