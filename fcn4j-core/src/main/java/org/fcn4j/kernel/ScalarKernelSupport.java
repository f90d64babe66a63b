package org.fcn4j.kernel;

/**
 * The scalar twin of {@link PanamaKernelSupport}: the same contracts in plain Java loops, used
 * when the Vector API is absent or the system property {@code fcn4j.scalar=true} selects it.
 *
 * <p>Legend: MR = 4 rows and NR = 4 columns of C per tile; kc = depth of the packed panels.
 */
final class ScalarKernelSupport implements KernelSupport {
    private static final int MR = 4;
    private static final int NR = 4;

    @Override
    public String description() {
        return "scalar, sgemm tile " + MR + " x " + NR;
    }

    @Override
    public String toString() {
        return description();
    }

    @Override
    public int vectorBitSize() {
        return Float.SIZE;
    }

    @Override
    public int tileRows() {
        return MR;
    }

    @Override
    public int tileCols() {
        return NR;
    }

    // NOTE: a * b + c here, not Math.fma: without FMA hardware Math.fma is emulated and orders of
    // magnitude slower, and the scalar path is the one that must work everywhere.
    @Override
    public void gemmTile(int kc, float[] aPanel, int aOff, float[] bPanel, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
        // 16 accumulators in local variables, which C2 keeps in registers; an accumulator array
        // stayed in memory and ran at a third of the speed.
        float c00 = 0f; float c01 = 0f; float c02 = 0f; float c03 = 0f;
        float c10 = 0f; float c11 = 0f; float c12 = 0f; float c13 = 0f;
        float c20 = 0f; float c21 = 0f; float c22 = 0f; float c23 = 0f;
        float c30 = 0f; float c31 = 0f; float c32 = 0f; float c33 = 0f;

        // Main loop: one rank-1 update of the tile per step of K.
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * MR;
            int bi = bOff + p * ldb;
            float b0 = bPanel[bi];
            float b1 = bPanel[bi + 1];
            float b2 = bPanel[bi + 2];
            float b3 = bPanel[bi + 3];
            float a0 = aPanel[ai];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            float a1 = aPanel[ai + 1];
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            float a2 = aPanel[ai + 2];
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            float a3 = aPanel[ai + 3];
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }

        // Add the tile into C.
        int row0 = cOff;
        c[row0] += c00;
        c[row0 + 1] += c01;
        c[row0 + 2] += c02;
        c[row0 + 3] += c03;
        int row1 = cOff + ldc;
        c[row1] += c10;
        c[row1 + 1] += c11;
        c[row1 + 2] += c12;
        c[row1 + 3] += c13;
        int row2 = cOff + 2 * ldc;
        c[row2] += c20;
        c[row2 + 1] += c21;
        c[row2 + 2] += c22;
        c[row2 + 3] += c23;
        int row3 = cOff + 3 * ldc;
        c[row3] += c30;
        c[row3 + 1] += c31;
        c[row3 + 2] += c32;
        c[row3 + 3] += c33;
    }

    // A packed copy of the gathered rows, then the tile above: this twin is a reference for
    // correctness, not a fast path, so it keeps one loop to check.
    @Override
    public void gemmTileRows(int kc, float[] aPanel, int aOff, float[] b, int[] rowOff, int rowStart, int bBase,
            float[] c, int cOff, int ldc) {
        float[] panel = new float[kc * NR]; // (kc, NR)
        for (int p = 0; p < kc; p++) {
            System.arraycopy(b, bBase + rowOff[rowStart + p], panel, p * NR, NR);
        }
        gemmTile(kc, aPanel, aOff, panel, 0, NR, c, cOff, ldc);
    }

    @Override
    public void dotTile4x3(int r0, int r1, int len, float[] a, int[] aRow, int i0, int[] aRun, float[] b, int[] bRow,
            int j0, int[] bRun, float[] acc) {
        dotTile(3, r0, r1, len, a, aRow, i0, aRun, b, bRow, j0, bRun, acc);
    }

    @Override
    public void dotTile4x6(int r0, int r1, int len, float[] a, int[] aRow, int i0, int[] aRun, float[] b, int[] bRow,
            int j0, int[] bRun, float[] acc) {
        dotTile(6, r0, r1, len, a, aRow, i0, aRun, b, bRow, j0, bRun, acc);
    }

    // The 4 x cols tile of dotTile4x3 and dotTile4x6, one lane per product.
    private static void dotTile(int cols, int r0, int r1, int len, float[] a, int[] aRow, int i0, int[] aRun,
            float[] b, int[] bRow, int j0, int[] bRun, float[] acc) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < cols; j++) {
                float s = 0f;
                for (int r = r0; r < r1; r++) {
                    int x = aRow[i0 + i] + aRun[r];
                    int y = bRow[j0 + j] + bRun[r];
                    for (int t = 0; t < len; t++) {
                        s += a[x + t] * b[y + t];
                    }
                }
                acc[i * cols + j] = s;
            }
        }
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scaleShift(int n, float scale, float shift, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = scale * x[xOff + i] + shift;
        }
    }

    @Override
    public float sum(int n, float[] x, int xOff) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i];
        }
        return s;
    }

    @Override
    public void normStats(int n, float[] x, int off, double shift, double[] sums) {
        normStatsInLanes(NORM_LANES, n, x, off, shift, sums);
    }

    @Override
    public void normBackwardSums(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale,
            float shift, double[] sums) {
        normBackwardSumsInLanes(NORM_LANES, n, dy, x, off, mu, relu, scale, shift, sums);
    }

    /** Lanes of the normalisation sums here: four partial sums hide the latency of the additions. */
    private static final int NORM_LANES = 4;

    /**
     * Computes {@link #normStats} in the order of a vector path with w float lanes (an even count),
     * whose two halves hold w / 2 double lanes each. Value i of each whole block of w goes to
     * partial sum i mod w. Partial sums j and j + w / 2 are added, then those w / 2 sums in order
     * from 0, then the values past the last whole block one by one. VectorOps runs this in place
     * of the vector path until the JIT has compiled it, and both give the same bits.
     */
    static void normStatsInLanes(int w, int n, float[] x, int off, double shift, double[] sums) {
        // One partial sum at a time, in locals: the same additions in the same order as lane by
        // lane, and about half the work before the JIT has compiled this.
        double[] s = new double[w];
        double[] q = new double[w];
        int whole = n - n % w;
        for (int j = 0; j < w; j++) {
            double sj = 0;
            double qj = 0;
            for (int i = off + j; i < off + whole; i += w) {
                double d = x[i] - shift;
                sj += d;
                qj += d * d;
            }
            s[j] = sj;
            q[j] = qj;
        }
        double sum = halves(s);
        double sumSq = halves(q);
        for (int i = whole; i < n; i++) {
            double d = x[off + i] - shift;
            sum += d;
            sumSq += d * d;
        }
        sums[0] = sum;
        sums[1] = sumSq;
    }

    /** Computes {@link #normBackwardSums} in the order {@link #normStatsInLanes} describes. */
    static void normBackwardSumsInLanes(int w, int n, float[] dy, float[] x, int off, float mu, boolean relu,
            float scale, float shift, double[] sums) {
        double[] a = new double[w];
        double[] b = new double[w];
        int whole = n - n % w;
        for (int j = 0; j < w; j++) {
            double aj = 0;
            double bj = 0;
            for (int at = off + j; at < off + whole; at += w) {
                // normGrad written out: until the JIT compiles this, a call per value is slow.
                float xc = x[at] - mu;
                float g = relu && xc * scale + shift <= 0f ? 0f : dy[at];
                aj += g;
                bj += (double) g * xc;
            }
            a[j] = aj;
            b[j] = bj;
        }
        double sumG = halves(a);
        double sumGXc = halves(b);
        for (int i = whole; i < n; i++) {
            int at = off + i;
            float g = normGrad(dy[at], x[at], mu, relu, scale, shift);
            sumG += g;
            sumGXc += (double) g * (x[at] - mu);
        }
        sums[0] = sumG;
        sums[1] = sumGXc;
    }

    // Partial sums j and j + w / 2 added, then the w / 2 results in order.
    private static double halves(double[] partial) {
        int half = partial.length / 2;
        double sum = 0;
        for (int j = 0; j < half; j++) {
            sum += partial[j] + partial[j + half];
        }
        return sum;
    }

    @Override
    public void normBackwardDx(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale,
            float shift, double inv, double w, double meanG, double b, float[] dx, boolean add) {
        normDx(off, off + n, dy, x, mu, relu, scale, shift, inv, w, meanG, b, dx, add);
    }

    /** {@link #normBackwardDx} over [from, to); the vector path's tail uses it too. */
    static void normDx(int from, int to, float[] dy, float[] x, float mu, boolean relu, float scale, float shift,
            double inv, double w, double meanG, double b, float[] dx, boolean add) {
        for (int i = from; i < to; i++) {
            float xc = x[i] - mu;
            float g = relu && xc * scale + shift <= 0f ? 0f : dy[i];
            float v = (float) (inv * (w * g - meanG) + b * xc);
            dx[i] = add ? dx[i] + v : v;
        }
    }

    /**
     * g of {@link #normBackwardSums}: with relu, 0 where (x - mu) scale + shift &lt;= 0 and dy
     * elsewhere, so a NaN of either sign passes dy, as torch's threshold_backward does.
     */
    static float normGrad(float dy, float x, float mu, boolean relu, float scale, float shift) {
        return relu && (x - mu) * scale + shift <= 0f ? 0f : dy;
    }

    @Override
    public void maxPool2x2(float[] x, int in, int w, int oh, int ow, float[] y, int out) {
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                maxPoolWindow(x, in, w, i, j, y, out + i * ow + j);
            }
        }
    }

    @Override
    public void maxPool2x2Taps(float[] x, int in, int w, int oh, int ow, float[] y, int out, int[] taps, int word) {
        maxPoolTaps(x, in, w, oh, ow, y, out, taps, word);
    }

    /** Outputs per int of taps in {@link #maxPool2x2Taps}: 2 bits each. */
    static final int TAPS_PER_INT = 16;

    /**
     * Pools as {@link #maxPool2x2Taps} does. The vector path runs it where a row's outputs share an
     * int of taps with the next row's.
     */
    static void maxPoolTaps(float[] x, int in, int w, int oh, int ow, float[] y, int out, int[] taps, int word) {
        int bits = 0;
        int k = 0;
        for (int i = 0; i < oh; i++) {
            int r0 = in + 2 * i * w;
            int r1 = r0 + w;
            int o = out + i * ow;
            for (int j = 0; j < ow; j++, k++) {
                int c = 2 * j;
                float best = x[r0 + c];
                int tap = 0;
                float v = x[r0 + c + 1];
                if (v > best || v != v) {
                    best = v;
                    tap = 1;
                }
                v = x[r1 + c];
                if (v > best || v != v) {
                    best = v;
                    tap = 2;
                }
                v = x[r1 + c + 1];
                if (v > best || v != v) {
                    best = v;
                    tap = 3;
                }
                y[o + j] = best;
                bits |= tap << 2 * (k % TAPS_PER_INT);
                if (k % TAPS_PER_INT == TAPS_PER_INT - 1) {
                    taps[word + k / TAPS_PER_INT] = bits;
                    bits = 0;
                }
            }
        }
        if (k % TAPS_PER_INT != 0) {
            taps[word + k / TAPS_PER_INT] = bits;
        }
    }

    /** Max-pools window (i, j) into y[o] as {@link #maxPool2x2} does; the vector path's tail uses it too. */
    static void maxPoolWindow(float[] x, int in, int w, int i, int j, float[] y, int o) {
        int first = in + 2 * i * w + 2 * j;
        float best = x[first];
        for (int tap = 1; tap < 4; tap++) {
            float v = x[first + (tap >> 1) * w + (tap & 1)];
            if (v > best || v != v) {
                best = v;
            }
        }
        y[o] = best;
    }

    @Override
    public void winogradInputTiles(float[] x, int from, int w, int tiles, float[] v, int to, int stride) {
        for (int j = 0; j < tiles; j++) {
            winogradInputTile(x, from + 2 * j, w, v, to + j, stride);
        }
    }

    /** Transforms one tile as {@link #winogradInputTiles} does; the vector path's tail uses it too. */
    static void winogradInputTile(float[] x, int d, int w, float[] v, int o, int stride) {
        // B^T d: combine the patch's 4 rows.
        float r00 = x[d] - x[d + 2 * w];
        float r01 = x[d + 1] - x[d + 2 * w + 1];
        float r02 = x[d + 2] - x[d + 2 * w + 2];
        float r03 = x[d + 3] - x[d + 2 * w + 3];
        float r10 = x[d + w] + x[d + 2 * w];
        float r11 = x[d + w + 1] + x[d + 2 * w + 1];
        float r12 = x[d + w + 2] + x[d + 2 * w + 2];
        float r13 = x[d + w + 3] + x[d + 2 * w + 3];
        float r20 = x[d + 2 * w] - x[d + w];
        float r21 = x[d + 2 * w + 1] - x[d + w + 1];
        float r22 = x[d + 2 * w + 2] - x[d + w + 2];
        float r23 = x[d + 2 * w + 3] - x[d + w + 3];
        float r30 = x[d + w] - x[d + 3 * w];
        float r31 = x[d + w + 1] - x[d + 3 * w + 1];
        float r32 = x[d + w + 2] - x[d + 3 * w + 2];
        float r33 = x[d + w + 3] - x[d + 3 * w + 3];

        // (B^T d) B: combine the columns of each row.
        v[o] = r00 - r02;
        v[o + stride] = r01 + r02;
        v[o + 2 * stride] = r02 - r01;
        v[o + 3 * stride] = r01 - r03;
        v[o + 4 * stride] = r10 - r12;
        v[o + 5 * stride] = r11 + r12;
        v[o + 6 * stride] = r12 - r11;
        v[o + 7 * stride] = r11 - r13;
        v[o + 8 * stride] = r20 - r22;
        v[o + 9 * stride] = r21 + r22;
        v[o + 10 * stride] = r22 - r21;
        v[o + 11 * stride] = r21 - r23;
        v[o + 12 * stride] = r30 - r32;
        v[o + 13 * stride] = r31 + r32;
        v[o + 14 * stride] = r32 - r31;
        v[o + 15 * stride] = r31 - r33;
    }

    @Override
    public void winogradOutputTiles(float[] m, int from, int stride, int tiles, float[] y, int at, int q,
            boolean bothRows) {
        for (int j = 0; j < tiles; j++) {
            winogradOutputTile(m, from + j, stride, y, at + 2 * j, q, true, bothRows);
        }
    }

    /**
     * One tile of {@link #winogradOutputTiles}. Without bothColumns (or bothRows) only the first
     * column (or row) of the 2 x 2 output is written, for the last tile of an odd width (height).
     */
    static void winogradOutputTile(float[] m, int o, int stride, float[] y, int at, int q,
            boolean bothColumns, boolean bothRows) {
        float m00 = m[o];
        float m01 = m[o + stride];
        float m02 = m[o + 2 * stride];
        float m03 = m[o + 3 * stride];
        float m10 = m[o + 4 * stride];
        float m11 = m[o + 5 * stride];
        float m12 = m[o + 6 * stride];
        float m13 = m[o + 7 * stride];
        float m20 = m[o + 8 * stride];
        float m21 = m[o + 9 * stride];
        float m22 = m[o + 10 * stride];
        float m23 = m[o + 11 * stride];
        float m30 = m[o + 12 * stride];
        float m31 = m[o + 13 * stride];
        float m32 = m[o + 14 * stride];
        float m33 = m[o + 15 * stride];

        // A^T M: rows 0 + 1 + 2 and 1 - 2 - 3.
        float s0 = m00 + m10 + m20;
        float s1 = m01 + m11 + m21;
        float s2 = m02 + m12 + m22;
        float s3 = m03 + m13 + m23;
        float e0 = m10 - m20 - m30;
        float e1 = m11 - m21 - m31;
        float e2 = m12 - m22 - m32;
        float e3 = m13 - m23 - m33;
        y[at] = s0 + s1 + s2;
        if (bothColumns) {
            y[at + 1] = s1 - s2 - s3;
        }
        if (bothRows) {
            y[at + q] = e0 + e1 + e2;
            if (bothColumns) {
                y[at + q + 1] = e1 - e2 - e3;
            }
        }
    }
}
