package org.fcn4j.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels' inner loops on the JDK Vector API, at the platform's preferred vector width (512
 * bits, 16 floats, on AVX-512 machines). Loaded only by {@link KernelProvider}, and only when the
 * module jdk.incubator.vector is present, so no other class may refer to it directly.
 *
 * <p>NOTE: every call on a vector has a receiver whose class C2 can determine without a type profile:
 * a vector just loaded, broadcast or converted, or the result of an operation on one. The Vector
 * API's methods are virtual, and C2 keeps a vector in a register only where it inlines every call
 * on it. A value carried around a loop (an accumulator), or merged after an if inside a loop, has
 * only the abstract type FloatVector or DoubleVector. A call on it is inlined only when the call's
 * type profile names one class, and is otherwise a real call, which boxes its vectors. Profiles
 * depend on what ran before, so such kernels allocated in some runs and not in others. Hence
 * {@code acc = v.add(acc)} rather than {@code acc.add(v)}, an accumulator added to -0 (which
 * changes no value) before a call on it after its loop, and masks rather than ifs.
 * KernelBoxingTest runs every kernel with type profiles off and fails if one allocates.
 *
 * <p>Legend: L = lanes per vector; MR = 6 rows and NR = 2 L columns of C per register tile; kc =
 * depth of the packed panels.
 */
final class PanamaKernelSupport implements KernelSupport {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    // The normalisation kernels compute in double: the two halves of a float vector, as doubles.
    // NOTE: no other float shape may appear in this class. A second FloatVector class makes the
    // Vector API's shared methods polymorphic, and C2 then boxed the vectors of gemmTile in about
    // one run in three (200 instead of 120 ms per small unet-bench step, 4000 collections).
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    // Lanes of the upper half of a float vector.
    private static final VectorMask<Float> UPPER = F.indexInRange(-D.length(), D.length());
    private static final int MR = 6;
    private static final int NR = 2 * L;
    // Lanes 2l and 2l + 1 of a pair of vectors (v, u): negative indexes select from u.
    private static final VectorShuffle<Float> EVEN = pairLanes(0);
    private static final VectorShuffle<Float> ODD = pairLanes(1);
    // Lanes of (v, u) interleaved: v0 u0 v1 u1 ... from lane 0 (low half) or lane L / 2 (high half).
    private static final VectorShuffle<Float> ZIP_LOW = zipLanes(0);
    private static final VectorShuffle<Float> ZIP_HIGH = zipLanes(L / 2);

    PanamaKernelSupport() {
    }

    @Override
    public String description() {
        return "Vector API, " + F.vectorBitSize() + "-bit vectors (" + L + " floats), sgemm tile " + MR + " x " + NR;
    }

    @Override
    public String toString() {
        return description();
    }

    @Override
    public int vectorBitSize() {
        return F.vectorBitSize();
    }

    @Override
    public int tileRows() {
        return MR;
    }

    @Override
    public int tileCols() {
        return NR;
    }

    // NOTE: this method is small on purpose, because C2 then compiles it whole after a few dozen
    // calls (its loop runs kc times per call). Until then the Vector API runs interpreted or in C1,
    // far slower than scalar code, and a long method would stay there until on-stack replacement.
    @Override
    public void gemmTile(int kc, float[] aPanel, int aOff, float[] bPanel, int bOff, int ldb, float[] c, int cOff,
            int ldc) {
        // 12 accumulators: 6 rows x 2 vectors. With the 2 B vectors and one broadcast this uses 15
        // vector registers, and 12 independent FMA chains hide the FMA latency (4 cycles on Zen 4
        // and recent Intel cores, at up to 2 FMAs per cycle).
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;

        // Main loop: one rank-1 update of the tile per step of K.
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * MR;
            int bi = bOff + p * ldb;
            FloatVector b0 = FloatVector.fromArray(F, bPanel, bi);
            FloatVector b1 = FloatVector.fromArray(F, bPanel, bi + L);
            FloatVector a = FloatVector.broadcast(F, aPanel[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, aPanel[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, aPanel[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, aPanel[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, aPanel[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, aPanel[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }

        // Add the tile into C, one row of 2 vectors at a time.
        int r0 = cOff;
        FloatVector.fromArray(F, c, r0).add(c00).intoArray(c, r0);
        FloatVector.fromArray(F, c, r0 + L).add(c01).intoArray(c, r0 + L);
        int r1 = cOff + ldc;
        FloatVector.fromArray(F, c, r1).add(c10).intoArray(c, r1);
        FloatVector.fromArray(F, c, r1 + L).add(c11).intoArray(c, r1 + L);
        int r2 = cOff + 2 * ldc;
        FloatVector.fromArray(F, c, r2).add(c20).intoArray(c, r2);
        FloatVector.fromArray(F, c, r2 + L).add(c21).intoArray(c, r2 + L);
        int r3 = cOff + 3 * ldc;
        FloatVector.fromArray(F, c, r3).add(c30).intoArray(c, r3);
        FloatVector.fromArray(F, c, r3 + L).add(c31).intoArray(c, r3 + L);
        int r4 = cOff + 4 * ldc;
        FloatVector.fromArray(F, c, r4).add(c40).intoArray(c, r4);
        FloatVector.fromArray(F, c, r4 + L).add(c41).intoArray(c, r4 + L);
        int r5 = cOff + 5 * ldc;
        FloatVector.fromArray(F, c, r5).add(c50).intoArray(c, r5);
        FloatVector.fromArray(F, c, r5 + L).add(c51).intoArray(c, r5 + L);
    }

    // The same loop as gemmTile with the row start of B looked up per step; kept as small.
    @Override
    public void gemmTileRows(int kc, float[] aPanel, int aOff, float[] b, int[] rowOff, int rowStart, int bBase,
            float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;

        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * MR;
            int bi = bBase + rowOff[rowStart + p];
            FloatVector b0 = FloatVector.fromArray(F, b, bi);
            FloatVector b1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector a = FloatVector.broadcast(F, aPanel[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, aPanel[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, aPanel[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, aPanel[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, aPanel[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, aPanel[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }

        int r0 = cOff;
        FloatVector.fromArray(F, c, r0).add(c00).intoArray(c, r0);
        FloatVector.fromArray(F, c, r0 + L).add(c01).intoArray(c, r0 + L);
        int r1 = cOff + ldc;
        FloatVector.fromArray(F, c, r1).add(c10).intoArray(c, r1);
        FloatVector.fromArray(F, c, r1 + L).add(c11).intoArray(c, r1 + L);
        int r2 = cOff + 2 * ldc;
        FloatVector.fromArray(F, c, r2).add(c20).intoArray(c, r2);
        FloatVector.fromArray(F, c, r2 + L).add(c21).intoArray(c, r2 + L);
        int r3 = cOff + 3 * ldc;
        FloatVector.fromArray(F, c, r3).add(c30).intoArray(c, r3);
        FloatVector.fromArray(F, c, r3 + L).add(c31).intoArray(c, r3 + L);
        int r4 = cOff + 4 * ldc;
        FloatVector.fromArray(F, c, r4).add(c40).intoArray(c, r4);
        FloatVector.fromArray(F, c, r4 + L).add(c41).intoArray(c, r4 + L);
        int r5 = cOff + 5 * ldc;
        FloatVector.fromArray(F, c, r5).add(c50).intoArray(c, r5);
        FloatVector.fromArray(F, c, r5 + L).add(c51).intoArray(c, r5 + L);
    }

    // 12 vector accumulators, 4 of A and 1 of B live: 17 registers, as in gemmTile. Each step does
    // 7 loads for 12 FMAs, so the FMA units, not the loads, set the pace. A 4 x 4 tile made the
    // method too large for C2 to inline all of the Vector API calls, and it boxed the vectors.
    @Override
    public void dotTile4x3(int r0, int r1, int len, float[] a, int[] aRow, int i0, int[] aRun, float[] b, int[] bRow,
            int j0, int[] bRun, float[] acc) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c12 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c22 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c32 = c00;
        int a0 = aRow[i0];
        int a1 = aRow[i0 + 1];
        int a2 = aRow[i0 + 2];
        int a3 = aRow[i0 + 3];
        int b0 = bRow[j0];
        int b1 = bRow[j0 + 1];
        int b2 = bRow[j0 + 2];
        // One loop over all vectors of all runs, as in gemmTile, rather than a loop nest.
        int steps = (r1 - r0) * (len / L);
        int r = r0;
        int t = 0;
        int ar = r1 > r0 ? aRun[r] : 0;
        int br = r1 > r0 ? bRun[r] : 0;
        for (int step = 0; step < steps; step++) {
            FloatVector x0 = FloatVector.fromArray(F, a, a0 + ar + t);
            FloatVector x1 = FloatVector.fromArray(F, a, a1 + ar + t);
            FloatVector x2 = FloatVector.fromArray(F, a, a2 + ar + t);
            FloatVector x3 = FloatVector.fromArray(F, a, a3 + ar + t);
            FloatVector y = FloatVector.fromArray(F, b, b0 + br + t);
            c00 = x0.fma(y, c00);
            c10 = x1.fma(y, c10);
            c20 = x2.fma(y, c20);
            c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(F, b, b1 + br + t);
            c01 = x0.fma(y, c01);
            c11 = x1.fma(y, c11);
            c21 = x2.fma(y, c21);
            c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(F, b, b2 + br + t);
            c02 = x0.fma(y, c02);
            c12 = x1.fma(y, c12);
            c22 = x2.fma(y, c22);
            c32 = x3.fma(y, c32);
            t += L;
            if (t == len && step + 1 < steps) {
                t = 0;
                r++;
                ar = aRun[r];
                br = bRun[r];
            }
        }
        // The lanes go out whole. Summed here by a helper, which C2 did not inline, every accumulator was boxed.
        c00.intoArray(acc, 0);
        c01.intoArray(acc, L);
        c02.intoArray(acc, 2 * L);
        c10.intoArray(acc, 3 * L);
        c11.intoArray(acc, 4 * L);
        c12.intoArray(acc, 5 * L);
        c20.intoArray(acc, 6 * L);
        c21.intoArray(acc, 7 * L);
        c22.intoArray(acc, 8 * L);
        c30.intoArray(acc, 9 * L);
        c31.intoArray(acc, 10 * L);
        c32.intoArray(acc, 11 * L);
    }

    @Override
    public void dotTile4x6(int r0, int r1, int len, float[] a, int[] aRow, int i0, int[] aRun, float[] b, int[] bRow,
            int j0, int[] bRun, float[] acc) {
        // dotTile4x3 with 6 rows of B: 24 accumulators, 4 rows of A and one of B in registers.
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c03 = c00;
        FloatVector c04 = c00;
        FloatVector c05 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c12 = c00;
        FloatVector c13 = c00;
        FloatVector c14 = c00;
        FloatVector c15 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c22 = c00;
        FloatVector c23 = c00;
        FloatVector c24 = c00;
        FloatVector c25 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c32 = c00;
        FloatVector c33 = c00;
        FloatVector c34 = c00;
        FloatVector c35 = c00;
        int a0 = aRow[i0];
        int a1 = aRow[i0 + 1];
        int a2 = aRow[i0 + 2];
        int a3 = aRow[i0 + 3];
        int b0 = bRow[j0];
        int b1 = bRow[j0 + 1];
        int b2 = bRow[j0 + 2];
        int b3 = bRow[j0 + 3];
        int b4 = bRow[j0 + 4];
        int b5 = bRow[j0 + 5];
        int steps = (r1 - r0) * (len / L);
        int r = r0;
        int t = 0;
        int ar = r1 > r0 ? aRun[r] : 0;
        int br = r1 > r0 ? bRun[r] : 0;
        for (int step = 0; step < steps; step++) {
            FloatVector x0 = FloatVector.fromArray(F, a, a0 + ar + t);
            FloatVector x1 = FloatVector.fromArray(F, a, a1 + ar + t);
            FloatVector x2 = FloatVector.fromArray(F, a, a2 + ar + t);
            FloatVector x3 = FloatVector.fromArray(F, a, a3 + ar + t);
            FloatVector y = FloatVector.fromArray(F, b, b0 + br + t);
            c00 = x0.fma(y, c00);
            c10 = x1.fma(y, c10);
            c20 = x2.fma(y, c20);
            c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(F, b, b1 + br + t);
            c01 = x0.fma(y, c01);
            c11 = x1.fma(y, c11);
            c21 = x2.fma(y, c21);
            c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(F, b, b2 + br + t);
            c02 = x0.fma(y, c02);
            c12 = x1.fma(y, c12);
            c22 = x2.fma(y, c22);
            c32 = x3.fma(y, c32);
            y = FloatVector.fromArray(F, b, b3 + br + t);
            c03 = x0.fma(y, c03);
            c13 = x1.fma(y, c13);
            c23 = x2.fma(y, c23);
            c33 = x3.fma(y, c33);
            y = FloatVector.fromArray(F, b, b4 + br + t);
            c04 = x0.fma(y, c04);
            c14 = x1.fma(y, c14);
            c24 = x2.fma(y, c24);
            c34 = x3.fma(y, c34);
            y = FloatVector.fromArray(F, b, b5 + br + t);
            c05 = x0.fma(y, c05);
            c15 = x1.fma(y, c15);
            c25 = x2.fma(y, c25);
            c35 = x3.fma(y, c35);
            t += L;
            if (t == len && step + 1 < steps) {
                t = 0;
                r++;
                ar = aRun[r];
                br = bRun[r];
            }
        }
        c00.intoArray(acc, 0);
        c01.intoArray(acc, L);
        c02.intoArray(acc, 2 * L);
        c03.intoArray(acc, 3 * L);
        c04.intoArray(acc, 4 * L);
        c05.intoArray(acc, 5 * L);
        c10.intoArray(acc, 6 * L);
        c11.intoArray(acc, 7 * L);
        c12.intoArray(acc, 8 * L);
        c13.intoArray(acc, 9 * L);
        c14.intoArray(acc, 10 * L);
        c15.intoArray(acc, 11 * L);
        c20.intoArray(acc, 12 * L);
        c21.intoArray(acc, 13 * L);
        c22.intoArray(acc, 14 * L);
        c23.intoArray(acc, 15 * L);
        c24.intoArray(acc, 16 * L);
        c25.intoArray(acc, 17 * L);
        c30.intoArray(acc, 18 * L);
        c31.intoArray(acc, 19 * L);
        c32.intoArray(acc, 20 * L);
        c33.intoArray(acc, 21 * L);
        c34.intoArray(acc, 22 * L);
        c35.intoArray(acc, 23 * L);
    }


    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        // Main loop: 4 independent accumulators, so consecutive FMAs do not wait on each other.
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int bound4 = n - 4 * L;
        for (; i <= bound4; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.fromArray(F, y, yOff + i), acc0);
            acc1 = FloatVector.fromArray(F, x, xOff + i + L).fma(FloatVector.fromArray(F, y, yOff + i + L), acc1);
            acc2 = FloatVector.fromArray(F, x, xOff + i + 2 * L)
                    .fma(FloatVector.fromArray(F, y, yOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, x, xOff + i + 3 * L)
                    .fma(FloatVector.fromArray(F, y, yOff + i + 3 * L), acc3);
        }

        // Vector tail: whole vectors left after the unrolled loop.
        for (; i <= n - L; i += L) {
            acc0 = FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.fromArray(F, y, yOff + i), acc0);
        }

        // Reduce by halving, then the scalar tail. NOTE: reduceLanes(ADD) leaves the order of a
        // float reduction to the implementation. The interpreter and C2-compiled code added the
        // lanes in different orders, so a result changed after JIT warm-up, and a resumed training
        // run drifted from an uninterrupted one. The fixed halving tree gives the same bits in
        // every compilation tier. It is written out here and in sum, because a helper that takes
        // the vector boxes it wherever C2 leaves the call out of line. Each value carried out of a
        // loop is added to -0 (which changes no value) before a call on it: see the class comment.
        FloatVector z = FloatVector.broadcast(F, -0f);
        FloatVector t = z.add(acc0).add(acc1).add(z.add(acc2).add(acc3));
        for (int half = L / 2; half >= 1; half /= 2) {
            FloatVector u = z.add(t);
            t = u.add(u.slice(half));
        }
        float s = z.add(t).lane(0);
        for (; i < n; i++) {
            s = Math.fma(x[xOff + i], y[yOff + i], s);
        }
        return s;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        // Main loop; no reduction, so there is no dependency chain to break with extra accumulators.
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector vx = FloatVector.fromArray(F, x, xOff + i);
            vx.fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }

        // Scalar tail.
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void scaleShift(int n, float scale, float shift, float[] x, int xOff, float[] y, int yOff) {
        // Main loop.
        FloatVector vs = FloatVector.broadcast(F, scale);
        FloatVector vb = FloatVector.broadcast(F, shift);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(vs, vb).intoArray(y, yOff + i);
        }

        // Scalar tail.
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(scale, x[xOff + i], shift);
        }
    }

    @Override
    public float sum(int n, float[] x, int xOff) {
        // Main loop: 4 independent accumulators.
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int bound4 = n - 4 * L;
        for (; i <= bound4; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, x, xOff + i).add(acc0);
            acc1 = FloatVector.fromArray(F, x, xOff + i + L).add(acc1);
            acc2 = FloatVector.fromArray(F, x, xOff + i + 2 * L).add(acc2);
            acc3 = FloatVector.fromArray(F, x, xOff + i + 3 * L).add(acc3);
        }

        // Vector tail.
        for (; i <= n - L; i += L) {
            acc0 = FloatVector.fromArray(F, x, xOff + i).add(acc0);
        }

        // Reduce by halving as in dot, then the scalar tail.
        FloatVector z = FloatVector.broadcast(F, -0f);
        FloatVector t = z.add(acc0).add(acc1).add(z.add(acc2).add(acc3));
        for (int half = L / 2; half >= 1; half /= 2) {
            FloatVector u = z.add(t);
            t = u.add(u.slice(half));
        }
        float s = z.add(t).lane(0);
        for (; i < n; i++) {
            s += x[xOff + i];
        }
        return s;
    }

    // Two double accumulators of each kind (the halves of each float vector), because a single
    // chain waits for each addition. The order of the additions is ScalarKernelSupport's
    // normStatsInLanes with w = L, which VectorOps runs until the warm-up has compiled this.
    @Override
    public void normStats(int n, float[] x, int off, double shift, double[] sums) {
        DoubleVector vShift = DoubleVector.broadcast(D, shift);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = s0;
        DoubleVector q0 = s0;
        DoubleVector q1 = s0;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            DoubleVector d0 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).sub(vShift);
            DoubleVector d1 = ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1)).sub(vShift);
            s0 = d0.add(s0);
            q0 = d0.mul(d0).add(q0);
            s1 = d1.add(s1);
            q1 = d1.mul(d1).add(q1);
        }

        // The lanes in order, as ScalarKernelSupport.normStatsInLanes adds them. Read one by one:
        // an array to store them in was allocated on every call.
        DoubleVector z = DoubleVector.broadcast(D, -0.0);
        DoubleVector s01 = z.add(s0).add(s1);
        DoubleVector q01 = z.add(q0).add(q1);
        double sum = 0;
        double sumSq = 0;
        for (int j = 0; j < D.length(); j++) {
            sum += s01.lane(j);
            sumSq += q01.lane(j);
        }

        // The values past the last whole vector, one by one.
        for (i += off; i < off + n; i++) {
            double d = x[i] - shift;
            sum += d;
            sumSq += d * d;
        }
        sums[0] = sum;
        sums[1] = sumSq;
    }

    // As normStats.
    @Override
    public void normBackwardSums(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale,
            float shift, double[] sums) {
        FloatVector vMu = FloatVector.broadcast(F, mu);
        FloatVector vScale = FloatVector.broadcast(F, scale);
        FloatVector vShift = FloatVector.broadcast(F, shift);
        VectorMask<Float> reluOn = F.maskAll(relu);
        DoubleVector a0 = DoubleVector.zero(D);
        DoubleVector a1 = a0;
        DoubleVector b0 = a0;
        DoubleVector b1 = a0;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector xc = FloatVector.fromArray(F, x, off + i).sub(vMu);
            // g as in ScalarKernelSupport.normGrad, written out rather than in a helper: C2 may
            // compile a helper that takes vectors on its own, and a call to it boxes them. The
            // mask, not an if, turns the ReLU off: an if would merge two values of g into one
            // that C2 cannot type exactly (see the class comment).
            FloatVector g = FloatVector.fromArray(F, dy, off + i)
                    .blend(0f, xc.mul(vScale).add(vShift).compare(VectorOperators.LE, 0f).and(reluOn));
            DoubleVector g0 = (DoubleVector) g.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector g1 = (DoubleVector) g.convertShape(VectorOperators.F2D, D, 1);
            a0 = g0.add(a0);
            b0 = g0.mul((DoubleVector) xc.convertShape(VectorOperators.F2D, D, 0)).add(b0);
            a1 = g1.add(a1);
            b1 = g1.mul((DoubleVector) xc.convertShape(VectorOperators.F2D, D, 1)).add(b1);
        }
        DoubleVector z = DoubleVector.broadcast(D, -0.0);
        DoubleVector a01 = z.add(a0).add(a1);
        DoubleVector b01 = z.add(b0).add(b1);
        double a = 0;
        double b = 0;
        for (int j = 0; j < D.length(); j++) {
            a += a01.lane(j);
            b += b01.lane(j);
        }
        for (i += off; i < off + n; i++) {
            float g = ScalarKernelSupport.normGrad(dy[i], x[i], mu, relu, scale, shift);
            a += g;
            b += (double) g * (x[i] - mu);
        }
        sums[0] = a;
        sums[1] = b;
    }

    @Override
    public void normBackwardDx(int n, float[] dy, float[] x, int off, float mu, boolean relu, float scale,
            float shift, double inv, double w, double meanG, double b, float[] dx, boolean add) {
        FloatVector vMu = FloatVector.broadcast(F, mu);
        FloatVector vScale = FloatVector.broadcast(F, scale);
        FloatVector vShift = FloatVector.broadcast(F, shift);
        VectorMask<Float> reluOn = F.maskAll(relu);
        DoubleVector vInv = DoubleVector.broadcast(D, inv);
        DoubleVector vW = DoubleVector.broadcast(D, w);
        DoubleVector vMean = DoubleVector.broadcast(D, meanG);
        DoubleVector vB = DoubleVector.broadcast(D, b);
        int i = off;
        for (; i <= off + n - L; i += L) {
            FloatVector xc = FloatVector.fromArray(F, x, i).sub(vMu);
            FloatVector g = FloatVector.fromArray(F, dy, i)
                    .blend(0f, xc.mul(vScale).add(vShift).compare(VectorOperators.LE, 0f).and(reluOn));
            DoubleVector r0 = vInv.mul(vW.mul((DoubleVector) g.convertShape(VectorOperators.F2D, D, 0)).sub(vMean))
                    .add(vB.mul((DoubleVector) xc.convertShape(VectorOperators.F2D, D, 0)));
            DoubleVector r1 = vInv.mul(vW.mul((DoubleVector) g.convertShape(VectorOperators.F2D, D, 1)).sub(vMean))
                    .add(vB.mul((DoubleVector) xc.convertShape(VectorOperators.F2D, D, 1)));
            // Each half lands in its own lanes with zeros elsewhere, so a blend (not an add) keeps
            // the sign of zeros.
            FloatVector v = ((FloatVector) r0.convertShape(VectorOperators.D2F, F, 0))
                    .blend((FloatVector) r1.convertShape(VectorOperators.D2F, F, -1), UPPER);
            if (add) {
                v = FloatVector.fromArray(F, dx, i).add(v);
            }
            v.intoArray(dx, i);
        }
        ScalarKernelSupport.normDx(i, off + n, dy, x, mu, relu, scale, shift, inv, w, meanG, b, dx, add);
    }

    @Override
    public void maxPool2x2(float[] x, int in, int w, int oh, int ow, float[] y, int out) {
        // L outputs per step from 2 L inputs of each row: the even and odd columns of the pair
        // of vectors are the left and right taps.
        int vectorEnd = ow - ow % L;
        for (int i = 0; i < oh; i++) {
            int top = in + 2 * i * w;
            int o = out + i * ow;
            for (int j = 0; j < vectorEnd; j += L) {
                int c = top + 2 * j;
                FloatVector t0 = FloatVector.fromArray(F, x, c);
                FloatVector t1 = FloatVector.fromArray(F, x, c + L);
                FloatVector b0 = FloatVector.fromArray(F, x, c + w);
                FloatVector b1 = FloatVector.fromArray(F, x, c + w + L);
                // Each tap replaces the best so far where it is larger or NaN (maxPoolWindow's rule).
                FloatVector best = t0.rearrange(EVEN, t1);
                FloatVector v = t0.rearrange(ODD, t1);
                best = best.blend(v, v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN)));
                v = b0.rearrange(EVEN, b1);
                best = best.blend(v, v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN)));
                v = b0.rearrange(ODD, b1);
                best = best.blend(v, v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN)));
                best.intoArray(y, o + j);
            }
            for (int j = vectorEnd; j < ow; j++) {
                ScalarKernelSupport.maxPoolWindow(x, in, w, i, j, y, o + j);
            }
        }
    }

    // NOTE: the pooling kernels write the comparisons out rather than call a helper that takes
    // and returns vectors, as every kernel here does. A call that C2 leaves out of line boxes its
    // vectors. While the kernels had such helpers, about half of the standard unet-bench runs made
    // some 100 MB of garbage per second in their training steps and peaked at 713 instead of 662
    // MB. Forcing the helpers inline stopped it, so these calls were most likely the cause.

    @Override
    public void maxPool2x2Taps(float[] x, int in, int w, int oh, int ow, float[] y, int out, int[] taps, int word) {
        // One int of taps per 16 outputs. Where a row's outputs share an int with the next row's,
        // the scalar loop runs.
        int group = ScalarKernelSupport.TAPS_PER_INT;
        if (ow % group != 0 || L > group) {
            ScalarKernelSupport.maxPoolTaps(x, in, w, oh, ow, y, out, taps, word);
            return;
        }
        int t = word;
        for (int i = 0; i < oh; i++) {
            int top = in + 2 * i * w;
            int o = out + i * ow;
            for (int j = 0; j < ow; j += group) {
                long bits = 0;
                for (int l = 0; l < group; l += L) {
                    int c = top + 2 * (j + l);
                    FloatVector t0 = FloatVector.fromArray(F, x, c);
                    FloatVector t1 = FloatVector.fromArray(F, x, c + L);
                    FloatVector b0 = FloatVector.fromArray(F, x, c + w);
                    FloatVector b1 = FloatVector.fromArray(F, x, c + w + L);
                    // A tap replaces the best so far where it is larger or NaN.
                    FloatVector best = t0.rearrange(EVEN, t1);
                    FloatVector v = t0.rearrange(ODD, t1);
                    VectorMask<Float> right = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
                    best = best.blend(v, right);
                    v = b0.rearrange(EVEN, b1);
                    VectorMask<Float> bottomLeft = v.compare(VectorOperators.GT, best)
                            .or(v.test(VectorOperators.IS_NAN));
                    best = best.blend(v, bottomLeft);
                    v = b0.rearrange(ODD, b1);
                    VectorMask<Float> bottomRight = v.compare(VectorOperators.GT, best)
                            .or(v.test(VectorOperators.IS_NAN));
                    best = best.blend(v, bottomRight);
                    best.intoArray(y, o + j + l);
                    // The last tap to win is the output's. Bit 1 of its number is set for taps 2
                    // and 3, and bit 0 for taps 1 and 3.
                    long three = bottomRight.toLong();
                    long two = bottomLeft.toLong();
                    long high = three | two;
                    long low = three | right.toLong() & ~two;
                    bits |= (Long.expand(low, 0x5555_5555L) | Long.expand(high, 0xAAAA_AAAAL)) << 2 * l;
                }
                taps[t++] = (int) bits;
            }
        }
    }

    @Override
    public void winogradInputTiles(float[] x, int from, int w, int tiles, float[] v, int to, int stride) {
        // L tiles per step, one row of B^T d at a time. Its rows 0 to 3 are, in patch rows,
        // 0 - 2, 1 + 2, 2 - 1 and 1 - 3.
        int vectorEnd = tiles - tiles % L;
        for (int j = 0; j < vectorEnd; j += L) {
            int d = from + 2 * j;
            int o = to + j;
            transformRow(x, d, d + 2 * w, true, v, o, stride);
            transformRow(x, d + w, d + 2 * w, false, v, o + 4 * stride, stride);
            transformRow(x, d + 2 * w, d + w, true, v, o + 8 * stride, stride);
            transformRow(x, d + w, d + 3 * w, true, v, o + 12 * stride, stride);
        }
        for (int j = vectorEnd; j < tiles; j++) {
            ScalarKernelSupport.winogradInputTile(x, from + 2 * j, w, v, to + j, stride);
        }
    }

    // One row r of B^T d for L tiles: the patch row starting at x[p] minus (or plus) the one at
    // x[q], then (B^T d) B of r into v[o + column * stride]. Columns 2j and 2j + 1 of the patches
    // are the even and odd lanes of the 2 L values from the first tile's column, columns 2j + 2 and
    // 2j + 3 those from 2 further. Only arrays and ints cross the call, so its vectors stay in
    // registers even where C2 does not inline it.
    private static void transformRow(float[] x, int p, int q, boolean subtract, float[] v, int o, int stride) {
        FloatVector p0 = FloatVector.fromArray(F, x, p);
        FloatVector p1 = FloatVector.fromArray(F, x, p + L);
        FloatVector p2 = FloatVector.fromArray(F, x, p + 2);
        FloatVector p3 = FloatVector.fromArray(F, x, p + 2 + L);
        FloatVector q0 = FloatVector.fromArray(F, x, q);
        FloatVector q1 = FloatVector.fromArray(F, x, q + L);
        FloatVector q2 = FloatVector.fromArray(F, x, q + 2);
        FloatVector q3 = FloatVector.fromArray(F, x, q + 2 + L);
        FloatVector a0 = p0.rearrange(EVEN, p1);
        FloatVector a1 = p0.rearrange(ODD, p1);
        FloatVector a2 = p2.rearrange(EVEN, p3);
        FloatVector a3 = p2.rearrange(ODD, p3);
        FloatVector b0 = q0.rearrange(EVEN, q1);
        FloatVector b1 = q0.rearrange(ODD, q1);
        FloatVector b2 = q2.rearrange(EVEN, q3);
        FloatVector b3 = q2.rearrange(ODD, q3);
        FloatVector r0 = subtract ? a0.sub(b0) : a0.add(b0);
        FloatVector r1 = subtract ? a1.sub(b1) : a1.add(b1);
        FloatVector r2 = subtract ? a2.sub(b2) : a2.add(b2);
        FloatVector r3 = subtract ? a3.sub(b3) : a3.add(b3);
        r0.sub(r2).intoArray(v, o);
        r1.add(r2).intoArray(v, o + stride);
        r2.sub(r1).intoArray(v, o + 2 * stride);
        r1.sub(r3).intoArray(v, o + 3 * stride);
    }

    @Override
    public void winogradOutputTiles(float[] m, int from, int stride, int tiles, float[] y, int at, int q,
            boolean bothRows) {
        // L tiles per step, one output row at a time: row 0 sums rows 0 + 1 + 2 of m, row 1 takes
        // rows 1 - 2 - 3. Column k of A^T m is t_k = m[r0 + k stride] + m[r1 + k stride] +
        // m[r2 + k stride] (with minus signs for row 1). Then t0 + t1 + t2 and t1 - t2 - t3 go
        // interleaved to 2 L consecutive outputs.
        // NOTE: written out in one method. With helpers, C2 once compiled this method while a
        // helper had only C1 code, which it then called for the rest of the run, allocating its
        // vectors (about 70 collections per second through 5 s of standard inference).
        int vectorEnd = tiles - tiles % L;
        int rows = bothRows ? 2 : 1;
        for (int j = 0; j < vectorEnd; j += L) {
            for (int row = 0; row < rows; row++) {
                int r0 = from + j + 4 * row * stride;
                int r1 = r0 + 4 * stride;
                int r2 = r1 + 4 * stride;
                boolean subtract = row == 1;
                FloatVector t0 = FloatVector.fromArray(F, m, r0);
                FloatVector t1 = FloatVector.fromArray(F, m, r0 + stride);
                FloatVector t2 = FloatVector.fromArray(F, m, r0 + 2 * stride);
                FloatVector t3 = FloatVector.fromArray(F, m, r0 + 3 * stride);
                FloatVector u0 = FloatVector.fromArray(F, m, r1);
                FloatVector u1 = FloatVector.fromArray(F, m, r1 + stride);
                FloatVector u2 = FloatVector.fromArray(F, m, r1 + 2 * stride);
                FloatVector u3 = FloatVector.fromArray(F, m, r1 + 3 * stride);
                FloatVector w0 = FloatVector.fromArray(F, m, r2);
                FloatVector w1 = FloatVector.fromArray(F, m, r2 + stride);
                FloatVector w2 = FloatVector.fromArray(F, m, r2 + 2 * stride);
                FloatVector w3 = FloatVector.fromArray(F, m, r2 + 3 * stride);
                if (subtract) {
                    t0 = t0.sub(u0).sub(w0);
                    t1 = t1.sub(u1).sub(w1);
                    t2 = t2.sub(u2).sub(w2);
                    t3 = t3.sub(u3).sub(w3);
                } else {
                    t0 = t0.add(u0).add(w0);
                    t1 = t1.add(u1).add(w1);
                    t2 = t2.add(u2).add(w2);
                    t3 = t3.add(u3).add(w3);
                }
                FloatVector left = t0.add(t1).add(t2);
                FloatVector right = t1.sub(t2).sub(t3);
                int out = at + 2 * j + row * q;
                left.rearrange(ZIP_LOW, right).intoArray(y, out);
                left.rearrange(ZIP_HIGH, right).intoArray(y, out + L);
            }
        }
        for (int j = vectorEnd; j < tiles; j++) {
            ScalarKernelSupport.winogradOutputTile(m, from + j, stride, y, at + 2 * j, q, true, bothRows);
        }
    }

    // Lanes 2l and 2l + 1 take lane l + offset of v and of u (negative indexes select from u).
    private static VectorShuffle<Float> zipLanes(int offset) {
        int[] source = new int[L];
        for (int l = 0; l < L; l++) {
            int lane = l / 2 + offset;
            source[l] = l % 2 == 0 ? lane : lane - L;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }

    private static VectorShuffle<Float> pairLanes(int offset) {
        int[] source = new int[L];
        for (int l = 0; l < L; l++) {
            int lane = 2 * l + offset;
            source[l] = lane < L ? lane : lane - 2 * L;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }
}
