package org.fcn4j.kernel;

import java.util.Arrays;

/**
 * Matrix product whose right operand is gathered from an array and whose result is scattered into
 * one: {@code C += A B̂} with {@code B̂[p][j] = b[bOff + rowOff[p] + colOff[j]]} and
 * {@code C[i][j]} stored at {@code c[cOff + i * ldc + cCol[j]]}. A convolution over a padded
 * input is such a product (implicit GEMM): one row of B̂ per input channel and kernel tap, one
 * column per output pixel, so the input is read in place and no im2col matrix is built.
 *
 * <p>Legend as in {@link BlockedGemm}: A is M x K row-major, B̂ is K x N, C is M x N; MR x NR is
 * the register tile. A strip is NR adjacent columns of B̂ and C. When the NR offsets of a strip
 * are consecutive and C has few rows, the kernel reads the strip's rows in place. Otherwise the
 * strip is packed into a panel, one copy per run of consecutive offsets, because with many rows
 * of C each panel serves many tiles. Blocking, thread split and summation order are those of BlockedGemm, so
 * the result equals {@code Gemm.sgemm} on the explicit matrices bit for bit.
 */
final class GatherGemm {
    /** Runs up to this long are copied in a loop rather than by System.arraycopy. */
    private static final int SHORT_RUN = 8;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private GatherGemm() {
    }

    /** Per-thread packing buffers and run lists, reused from call to call. */
    private static final class Workspace {
        float[] aPack = new float[0]; // (MC / MR) panels of (KC, MR)
        float[] bPack = new float[0]; // (NC / NR) panels of (KC, NR)
        float[] tile = new float[0];  // (MR, NR)
        int[] runStart = new int[0];  // runs of one strip: first column, relative to the strip
        int[] runLength = new int[0];

        void ensure(int aSize, int bSize, int mr, int nr) {
            if (aPack.length < aSize) {
                aPack = new float[aSize];
            }
            if (bPack.length < bSize) {
                bPack = new float[bSize];
            }
            if (tile.length < mr * nr) {
                tile = new float[mr * nr];
            }
            if (runStart.length < nr) {
                runStart = new int[nr];
                runLength = new int[nr];
            }
        }
    }

    /** Computes {@code C += A B̂}. Arguments as in {@link Gemm#sgemmGather}, already validated. */
    static void gemm(KernelSupport ks, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
            int[] rowOff, int[] colOff, float[] c, int cOff, int ldc, int[] cCol, boolean parallel) {
        int mr = ks.tileRows();
        int nr = ks.tileCols();
        int tilesM = (m + mr - 1) / mr;
        int tilesN = (n + nr - 1) / nr;
        boolean[] bContiguous = new boolean[tilesN];
        boolean[] cContiguous = new boolean[tilesN];
        for (int t = 0; t < tilesN; t++) {
            bContiguous[t] = consecutive(colOff, t * nr, nr, n);
            cContiguous[t] = consecutive(cCol, t * nr, nr, n);
        }
        Operands ops = new Operands(ks, k, a, aOff, lda, b, bOff, rowOff, colOff, c, cOff, ldc, cCol, bContiguous,
                cContiguous);
        if (!parallel || (long) m * n * k < BlockedGemm.PARALLEL_MIN_MACS) {
            ops.block(0, m, 0, n);
        } else if (BlockedGemm.splitsColumns(m, n, tilesM, tilesN)) {
            Parallel.forRange(tilesN, (t0, t1) -> ops.block(0, m, t0 * nr, Math.min(n, t1 * nr)));
        } else {
            Parallel.forRange(tilesM, (t0, t1) -> ops.block(t0 * mr, Math.min(m, t1 * mr), 0, n));
        }
    }

    /** True when the strip [j0, j0 + nr) lies inside [0, n) and its offsets step by one. */
    private static boolean consecutive(int[] offsets, int j0, int nr, int n) {
        if (j0 + nr > n) {
            return false;
        }
        int first = offsets[j0];
        for (int j = 1; j < nr; j++) {
            if (offsets[j0 + j] != first + j) {
                return false;
            }
        }
        return true;
    }

    private record Operands(KernelSupport ks, int k, float[] a, int aOff, int lda, float[] b, int bOff,
            int[] rowOff, int[] colOff, float[] c, int cOff, int ldc, int[] cCol, boolean[] bContiguous,
            boolean[] cContiguous) {

        /** Computes rows [i0, i1) and columns [j0, j1) of C, with j0 a multiple of NR. */
        void block(int i0, int i1, int j0, int j1) {
            int mr = ks.tileRows();
            int nr = ks.tileCols();
            int mcMax = Math.max(mr, BlockedGemm.MC_TARGET / mr * mr);
            int ncMax = Math.max(nr, BlockedGemm.NC_TARGET / nr * nr);
            int kcMax = Math.min(BlockedGemm.KC, k);
            Workspace ws = WORKSPACE.get();
            ws.ensure(mcMax * kcMax, kcMax * ncMax, mr, nr);
            boolean inPlace = i1 - i0 <= BlockedGemm.IN_PLACE_B_MAX_ROWS;

            for (int ic = i0; ic < i1; ic += mcMax) {
                int mc = Math.min(mcMax, i1 - ic);
                for (int pc = 0; pc < k; pc += BlockedGemm.KC) {
                    int kc = Math.min(BlockedGemm.KC, k - pc);
                    BlockedGemm.packA(ws.aPack, mr, a, aOff, lda, false, ic, mc, pc, kc);
                    for (int jc = j0; jc < j1; jc += ncMax) {
                        int nc = Math.min(ncMax, j1 - jc);
                        for (int jr = 0; jr < nc; jr += nr) {
                            int strip = (jc + jr) / nr;
                            if (!(inPlace && bContiguous[strip])) {
                                packStrip(ws, jr * kc, nr, pc, kc, jc + jr, Math.min(nr, nc - jr));
                            }
                        }
                        multiplyBlock(ws, mr, nr, ic, mc, pc, kc, jc, nc, inPlace);
                    }
                }
            }
        }

        private void multiplyBlock(Workspace ws, int mr, int nr, int ic, int mc, int pc, int kc, int jc, int nc,
                boolean inPlace) {
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                int aPanel = ir * kc;
                for (int jr = 0; jr < nc; jr += nr) {
                    int j = jc + jr;
                    int strip = j / nr;
                    boolean direct = rows == mr && cContiguous[strip];
                    float[] dst = direct ? c : ws.tile;
                    int dstOff = direct ? cOff + (ic + ir) * ldc + cCol[j] : 0;
                    int dstLd = direct ? ldc : nr;
                    if (!direct) {
                        Arrays.fill(ws.tile, 0, mr * nr, 0f);
                    }
                    if (inPlace && bContiguous[strip]) {
                        ks.gemmTileRows(kc, ws.aPack, aPanel, b, rowOff, pc, bOff + colOff[j], dst, dstOff, dstLd);
                    } else {
                        ks.gemmTile(kc, ws.aPack, aPanel, ws.bPack, jr * kc, nr, dst, dstOff, dstLd);
                    }
                    if (!direct) {
                        scatter(ws.tile, nr, ic + ir, rows, j, Math.min(nr, nc - jr));
                    }
                }
            }
        }

        /** Adds the first rows x cols values of a tile into C at row i and column j. */
        private void scatter(float[] tile, int nr, int i, int rows, int j, int cols) {
            for (int r = 0; r < rows; r++) {
                int row = cOff + (i + r) * ldc;
                for (int jj = 0; jj < cols; jj++) {
                    c[row + cCol[j + jj]] += tile[r * nr + jj];
                }
            }
        }

        /**
         * Packs B̂[pc : pc + kc, j : j + cols] into the (kc, NR) panel at panel, one copy per run of
         * consecutive offsets. Columns past cols are zeros.
         */
        private void packStrip(Workspace ws, int panel, int nr, int pc, int kc, int j, int cols) {
            int runs = 0;
            for (int jj = 0; jj < cols; ) {
                int start = jj;
                int first = colOff[j + jj];
                jj++;
                while (jj < cols && colOff[j + jj] == first + (jj - start)) {
                    jj++;
                }
                ws.runStart[runs] = start;
                ws.runLength[runs] = jj - start;
                runs++;
            }
            float[] dst = ws.bPack;
            for (int p = 0; p < kc; p++) {
                int src = bOff + rowOff[pc + p];
                int d = panel + p * nr;
                for (int r = 0; r < runs; r++) {
                    int s = ws.runStart[r];
                    int len = ws.runLength[r];
                    int from = src + colOff[j + s];
                    if (len <= SHORT_RUN) {
                        // A call to arraycopy costs more than copying a few floats.
                        for (int e = 0; e < len; e++) {
                            dst[d + s + e] = b[from + e];
                        }
                    } else {
                        System.arraycopy(b, from, dst, d + s, len);
                    }
                }
                if (cols < nr) {
                    Arrays.fill(dst, d + cols, d + nr, 0f);
                }
            }
        }
    }
}
