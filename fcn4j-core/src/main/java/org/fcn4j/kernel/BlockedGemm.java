package org.fcn4j.kernel;

import java.util.Arrays;

/**
 * Cache-blocked, packed matrix product {@code C += op(A) op(B)} around the register-tile loop of a
 * {@link KernelSupport}, split over the compute pool.
 *
 * <p>Legend: op(A) is M x K, op(B) is K x N, C is M x N, all row-major. MR x NR is the register
 * tile of the kernel support. An MC x KC block of op(A) is packed into panels of MR rows (Ã, sized
 * for the shared L3 cache). A KC x NC block of op(B) is packed into panels of NR columns (B̃, sized
 * for the core's L2). One MR x KC panel of Ã stays in L1 while the B̃ panels stream past it. When
 * a thread computes only a few rows of C and B is not transposed, B is read in place instead.
 *
 * <p>Threads take contiguous ranges of whole tiles along M or N, fixed by the shape and the thread
 * count, and write disjoint parts of C. Every element of C is summed in the same order whatever
 * the split (KC blocks in order, and within a block p in order), so results do not depend on
 * the thread count either.
 */
final class BlockedGemm {
    /** Depth of one K block: an MR x KC panel of Ã (9 KiB for MR = 6) stays in a 32 KiB L1. */
    static final int KC = 384;
    /** Columns of one B̃ block: KC x NC floats (720 KiB) fit a 1 MiB L2 with room for streams. */
    static final int NC_TARGET = 480;
    /** Rows of one Ã block: MC x KC floats (1.4 MiB) for the L3. */
    static final int MC_TARGET = 960;
    /**
     * Row ranges up to this size read an untransposed B in place instead of packing it: with few
     * rows, each packed element of B would be used only a few times, so packing cost more than it
     * saved. On one Zen 4 core (busy machine), M = 16, N = 4096, K = 144 ran at 48-68 GFLOP/s in place
     * against 32-33 packed, M = 64 equally fast both ways, and M = 1024 about 10% slower in place.
     */
    static final int IN_PLACE_B_MAX_ROWS = 32;
    /** Below this many multiply-adds a product runs on the calling thread alone. */
    static final long PARALLEL_MIN_MACS = 1L << 20;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private BlockedGemm() {
    }

    /** Per-thread packing buffers, reused from call to call and grown on demand. */
    private static final class Workspace {
        float[] aPack = new float[0]; // (MC / MR) panels of (KC, MR)
        float[] bPack = new float[0]; // (NC / NR) panels of (KC, NR)
        float[] tile = new float[0];  // (MR, NR) scratch for edge tiles

        void ensure(int aSize, int bSize, int tileSize) {
            if (aPack.length < aSize) {
                aPack = new float[aSize];
            }
            if (bPack.length < bSize) {
                bPack = new float[bSize];
            }
            if (tile.length < tileSize) {
                tile = new float[tileSize];
            }
        }
    }

    /** Computes {@code C += op(A) op(B)}; arguments as in {@link Gemm#sgemm}, already validated. */
    static void gemm(KernelSupport ks, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        gemm(ks, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, Parallel.threads() > 1);
    }

    /** As above; with {@code parallel} false, the whole product runs on the calling thread. */
    static void gemm(KernelSupport ks, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
            boolean parallel) {
        int mr = ks.tileRows();
        int nr = ks.tileCols();
        int tilesM = (m + mr - 1) / mr;
        int tilesN = (n + nr - 1) / nr;
        Operands ops = new Operands(ks, transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, null, 0, 0);
        if (!parallel || (long) m * n * k < PARALLEL_MIN_MACS) {
            ops.block(0, m, 0, n);
        } else if (splitsColumns(m, n, tilesM, tilesN)) {
            Parallel.forRange(tilesN, (t0, t1) -> ops.block(0, m, t0 * nr, Math.min(n, t1 * nr)));
        } else {
            Parallel.forRange(tilesM, (t0, t1) -> ops.block(t0 * mr, Math.min(m, t1 * mr), 0, n));
        }
    }

    /** Floats that {@link #packAll} writes for an M x K matrix: M rounded up to whole panels, times K. */
    static int packedSize(int mr, int m, int k) {
        return Math.ceilDiv(m, mr) * mr * k;
    }

    /**
     * Packs all of A (M x K, not transposed) the way {@link Operands#block} packs each block: for
     * each KC block of columns in order, panels of mr rows, each (kc, mr) row-major. The block of
     * columns from pc starts at {@code dstOff + pc * mPad} (mPad: M rounded up to mr), and its
     * panel of rows from ir (a multiple of mr) at {@code ir * kc} within it.
     */
    static void packAll(int mr, int m, int k, float[] a, int aOff, int lda, float[] dst, int dstOff) {
        int mPad = Math.ceilDiv(m, mr) * mr;
        for (int pc = 0; pc < k; pc += KC) {
            packA(dst, dstOff + pc * mPad, mr, a, aOff, lda, false, 0, m, pc, Math.min(KC, k - pc));
        }
    }

    /**
     * Computes {@code C += A op(B)} with A packed by {@link #packAll} at {@code packedOff} in packed,
     * on the calling thread: the same tiles in the same order as {@link #gemm}, without packing A.
     */
    static void gemmPacked(KernelSupport ks, int m, int n, int k, float[] packed, int packedOff, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc) {
        Operands ops = new Operands(ks, false, false, k, null, 0, 0, b, bOff, ldb, c, cOff, ldc, packed, packedOff,
                Math.ceilDiv(m, ks.tileRows()) * ks.tileRows());
        ops.block(0, m, 0, n);
    }

    /**
     * True when the threads split C by columns rather than by rows. Each thread packs all of the
     * operand along the other side: all of B (K x N) when rows are split, all of A (M x K) when
     * columns are. So columns are split when there are more tiles of them, and also when N > M
     * with at least two column tiles per thread to balance the work.
     */
    static boolean splitsColumns(int m, int n, int tilesM, int tilesN) {
        return tilesN >= tilesM || (n > m && tilesN >= 2 * Parallel.threads());
    }

    /**
     * Packs op(A)[ic : ic + mc, pc : pc + kc] into panels of mr rows, each (kc, mr) row-major,
     * so the kernel reads the mr values of one K step together. Rows past mc are zeros.
     */
    static void packA(float[] dst, int mr, float[] a, int aOff, int lda, boolean transA, int ic, int mc, int pc,
            int kc) {
        packA(dst, 0, mr, a, aOff, lda, transA, ic, mc, pc, kc);
    }

    /** As above, with the panels from {@code dstOff} in dst. */
    static void packA(float[] dst, int dstOff, int mr, float[] a, int aOff, int lda, boolean transA, int ic, int mc,
            int pc, int kc) {
        // NOTE: one small method per panel layout. As one method, C2 compiled its loops one by one
        // (on-stack replacement) and recompiled it after a branch first taken: seven compilations
        // in the first three seconds of the small unet-bench.
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            int panel = dstOff + ir * kc;
            if (transA) {
                packPanelTransposed(dst, panel, mr, rows, a, aOff + pc * lda + ic + ir, lda, kc);
            } else if (rows == 6 && mr == 6) {
                packPanelSix(dst, panel, a, aOff + (ic + ir) * lda + pc, lda, kc);
            } else {
                packPanelRows(dst, panel, mr, rows, a, aOff + (ic + ir) * lda + pc, lda, kc);
            }
        }
    }

    // op(A)[i][p] = a[p][i]: the mr values of one K step are adjacent in a, from src + p lda. They
    // are copied in a loop, because calls to arraycopy and fill cost more than 6 floats.
    private static void packPanelTransposed(float[] dst, int panel, int mr, int rows, float[] a, int src, int lda,
            int kc) {
        for (int p = 0; p < kc; p++) {
            int from = src + p * lda;
            int d = panel + p * mr;
            for (int r = 0; r < rows; r++) {
                dst[d + r] = a[from + r];
            }
            for (int r = rows; r < mr; r++) {
                dst[d + r] = 0f;
            }
        }
    }

    // Whole panels of the Vector API tile: the 6 rows from src, lda apart, are read side by side, so
    // that the panel is written in order. One row at a time wrote every 6th float, and the packing
    // took a tenth of a U-Net training step.
    private static void packPanelSix(float[] dst, int panel, float[] a, int src, int lda, int kc) {
        for (int p = 0; p < kc; p++) {
            int d = panel + p * 6;
            int at = src + p;
            dst[d] = a[at];
            dst[d + 1] = a[at + lda];
            dst[d + 2] = a[at + 2 * lda];
            dst[d + 3] = a[at + 3 * lda];
            dst[d + 4] = a[at + 4 * lda];
            dst[d + 5] = a[at + 5 * lda];
        }
    }

    // Any panel, one row at a time from src, rows lda apart. Rows past the last are zeros.
    private static void packPanelRows(float[] dst, int panel, int mr, int rows, float[] a, int src, int lda, int kc) {
        for (int r = 0; r < rows; r++) {
            int from = src + r * lda;
            int d = panel + r;
            for (int p = 0; p < kc; p++) {
                dst[d + p * mr] = a[from + p];
            }
        }
        for (int r = rows; r < mr; r++) {
            for (int p = 0; p < kc; p++) {
                dst[panel + r + p * mr] = 0f;
            }
        }
    }

    /**
     * The operands of one product, so that each thread's share is a call with four bounds. With
     * packed not null, A is read from there ({@link #packAll}'s layout, mPad rows per KC block).
     */
    private record Operands(KernelSupport ks, boolean transA, boolean transB, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
            float[] packed, int packedOff, int mPad) {

        /** Computes rows [i0, i1) and columns [j0, j1) of C. */
        void block(int i0, int i1, int j0, int j1) {
            int mr = ks.tileRows();
            int nr = ks.tileCols();
            int mcMax = Math.max(mr, MC_TARGET / mr * mr);
            int ncMax = Math.max(nr, NC_TARGET / nr * nr);
            int kcMax = Math.min(KC, k);
            Workspace ws = WORKSPACE.get();
            ws.ensure(mcMax * kcMax, kcMax * ncMax, mr * nr);
            boolean inPlaceB = !transB && i1 - i0 <= IN_PLACE_B_MAX_ROWS;

            for (int ic = i0; ic < i1; ic += mcMax) {
                int mc = Math.min(mcMax, i1 - ic);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    float[] aPanels = ws.aPack;
                    int aBase = 0;
                    if (packed == null) {
                        packA(ws.aPack, mr, a, aOff, lda, transA, ic, mc, pc, kc);
                    } else {
                        aPanels = packed;
                        aBase = packedOff + pc * mPad + ic * kc;
                    }
                    for (int jc = j0; jc < j1; jc += ncMax) {
                        int nc = Math.min(ncMax, j1 - jc);
                        if (inPlaceB) {
                            // Only a last, partial column panel needs a zero-padded copy.
                            int whole = nc / nr * nr;
                            if (whole < nc) {
                                packB(ws.bPack, nr, pc, kc, jc + whole, nc - whole);
                            }
                        } else {
                            packB(ws.bPack, nr, pc, kc, jc, nc);
                        }
                        multiplyBlock(ws, aPanels, aBase, mr, nr, ic, mc, pc, kc, jc, nc, inPlaceB);
                    }
                }
            }
        }

        /**
         * Adds Ã (mc x kc) times op(B)[pc : pc + kc, jc : jc + nc] into C[ic : ic + mc, jc : jc + nc],
         * reading B from B̃ or, with inPlaceB, whole column panels from b itself.
         */
        private void multiplyBlock(Workspace ws, float[] aPanels, int aBase, int mr, int nr, int ic, int mc, int pc,
                int kc, int jc, int nc, boolean inPlaceB) {
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                int aPanel = aBase + ir * kc;
                for (int jr = 0; jr < nc; jr += nr) {
                    int cols = Math.min(nr, nc - jr);
                    float[] bPanel = ws.bPack;
                    int bIndex = inPlaceB ? 0 : jr * kc;
                    int bStride = nr;
                    if (inPlaceB && cols == nr) {
                        bPanel = b;
                        bIndex = bOff + pc * ldb + jc + jr;
                        bStride = ldb;
                    }
                    int cIndex = cOff + (ic + ir) * ldc + jc + jr;
                    if (rows == mr && cols == nr) {
                        ks.gemmTile(kc, aPanels, aPanel, bPanel, bIndex, bStride, c, cIndex, ldc);
                    } else {
                        edgeTile(ws, aPanels, mr, nr, kc, aPanel, bPanel, bIndex, bStride, cIndex, rows, cols);
                    }
                }
            }
        }

        /** A tile cut by the edge of C: computed whole into scratch (the panels are zero-padded), then added. */
        private void edgeTile(Workspace ws, float[] aPanels, int mr, int nr, int kc, int aPanel, float[] bPanel,
                int bIndex, int bStride, int cIndex, int rows, int cols) {
            float[] tile = ws.tile;
            Arrays.fill(tile, 0, mr * nr, 0f);
            ks.gemmTile(kc, aPanels, aPanel, bPanel, bIndex, bStride, tile, 0, nr);
            for (int r = 0; r < rows; r++) {
                int row = cIndex + r * ldc;
                for (int j = 0; j < cols; j++) {
                    c[row + j] += tile[r * nr + j];
                }
            }
        }

        /**
         * Packs op(B)[pc : pc + kc, jc : jc + nc] into panels of nr columns, each (kc, nr)
         * row-major, so the kernel loads one K step as whole vectors. Columns past nc are zeros.
         */
        private void packB(float[] dst, int nr, int pc, int kc, int jc, int nc) {
            for (int jr = 0; jr < nc; jr += nr) {
                int cols = Math.min(nr, nc - jr);
                int panel = jr * kc;
                if (transB) {
                    // op(B)[p][j] = b[j][p]: four rows of b are read side by side, so that each step
                    // writes four adjacent floats of the panel rather than one per cache line.
                    int j = 0;
                    for (; j + 4 <= cols; j += 4) {
                        int src = bOff + (jc + jr + j) * ldb + pc;
                        int d = panel + j;
                        for (int p = 0; p < kc; p++) {
                            int at = d + p * nr;
                            dst[at] = b[src + p];
                            dst[at + 1] = b[src + ldb + p];
                            dst[at + 2] = b[src + 2 * ldb + p];
                            dst[at + 3] = b[src + 3 * ldb + p];
                        }
                    }
                    for (; j < cols; j++) {
                        int src = bOff + (jc + jr + j) * ldb + pc;
                        int d = panel + j;
                        for (int p = 0; p < kc; p++) {
                            dst[d + p * nr] = b[src + p];
                        }
                    }
                    for (; j < nr; j++) {
                        for (int p = 0; p < kc; p++) {
                            dst[panel + j + p * nr] = 0f;
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int src = bOff + (pc + p) * ldb + jc + jr;
                        int d = panel + p * nr;
                        System.arraycopy(b, src, dst, d, cols);
                        if (cols < nr) {
                            Arrays.fill(dst, d + cols, d + nr, 0f);
                        }
                    }
                }
            }
        }
    }
}
