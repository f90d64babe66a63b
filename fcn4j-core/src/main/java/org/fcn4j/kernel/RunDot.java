package org.fcn4j.kernel;

/**
 * Products of rows gathered from runs, {@code C[i][j] += sum_r sum_t A_i(r, t) B_j(r, t)}, with
 * {@code A_i(r, t) = a[aRow[i] + aRun[r] + t]} and {@code B_j(r, t) = b[bRow[j] + bRun[r] + t]}
 * for runs r of len consecutive values. Neither operand is packed: the 4 x 3 kernel tile reads
 * both in place and vectorises along the runs.
 *
 * <p>Legend: M rows of C (A's rows), N columns of C (B's rows), R runs of length len. Tiles of
 * 4 x 3, or 4 x 6 with 512-bit vectors ({@link #tileCols}), are computed for a chunk of runs at a
 * time: about {@value #CHUNK_VALUES} values per row, so that the chunk of both operands stays in
 * the L2 cache while every tile reads it. The chunks' sums are added to C in order. Threads take
 * fixed ranges of tiles, so every element of C is summed in the same order for any thread count,
 * and in the same order for either tile width. At the edges, rows past M or N repeat the last
 * row and their sums are dropped.
 */
final class RunDot {
    /**
     * Values per row of one chunk of runs. Each chunk ends with 12 sums of 16 lanes per tile, which
     * took a sixth of the weight gradient's time with chunks of 2048 values (64 x 64 images, 16
     * channels). With 4096, a chunk of 16 rows of dy and the input rows they need is about 0.5 MB,
     * half of a Zen 4 core's L2 cache.
     */
    static final int CHUNK_VALUES = 4096;
    private static final int TILE_M = 4;
    private static final int MAX_TILE_N = 6;
    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE_SCRATCH =
            ThreadLocal.withInitial(() -> new float[TILE_M * MAX_TILE_N]);

    private RunDot() {
    }

    /** Computes {@code C += A B^T} over the runs. Arguments as in {@link Gemm#dotRuns}, already validated. */
    static void dot(KernelSupport ks, int m, int n, int runs, int len, float[] a, int aOff, int[] aRow, int[] aRun,
            float[] b, int bOff, int[] bRow, int[] bRun, float[] c, int cOff, int ldc, boolean parallel) {
        int tileN = tileCols(ks);
        int tilesM = (m + TILE_M - 1) / TILE_M;
        int tilesN = (n + tileN - 1) / tileN;
        int[] aRows = shifted(aRow, aOff, m, tilesM * TILE_M);
        int[] bRows = shifted(bRow, bOff, n, tilesN * tileN);
        int chunk = runsPerChunk(len);
        int lanes = ks.vectorBitSize() / Float.SIZE;
        int vectorLen = len - len % lanes; // the kernel's part of each run, the rest summed here
        int tiles = tilesM * tilesN;
        Parallel.RangeBody body = (t0, t1) -> {
            float[] acc = ACC.get();
            if (acc.length < TILE_M * tileN * lanes) {
                acc = new float[TILE_M * tileN * lanes];
                ACC.set(acc);
            }
            float[] tile = TILE_SCRATCH.get();
            for (int r0 = 0; r0 < runs; r0 += chunk) {
                int r1 = Math.min(runs, r0 + chunk);
                for (int t = t0; t < t1; t++) {
                    int i0 = t / tilesN * TILE_M;
                    int j0 = t % tilesN * tileN;
                    java.util.Arrays.fill(tile, 0f);
                    if (vectorLen > 0) {
                        if (tileN == MAX_TILE_N) {
                            ks.dotTile4x6(r0, r1, vectorLen, a, aRows, i0, aRun, b, bRows, j0, bRun, acc);
                        } else {
                            ks.dotTile4x3(r0, r1, vectorLen, a, aRows, i0, aRun, b, bRows, j0, bRun, acc);
                        }
                        for (int e = 0; e < TILE_M * tileN; e++) {
                            tile[e] = sumLanes(acc, e * lanes, lanes);
                        }
                    }
                    if (vectorLen < len) {
                        addTails(tile, tileN, r0, r1, vectorLen, len, a, aRows, i0, aRun, b, bRows, j0, bRun);
                    }
                    for (int i = i0; i < Math.min(m, i0 + TILE_M); i++) {
                        for (int j = j0; j < Math.min(n, j0 + tileN); j++) {
                            c[cOff + i * ldc + j] += tile[(i - i0) * tileN + j - j0];
                        }
                    }
                }
            }
        };
        if (parallel && (long) m * n * runs * len >= BlockedGemm.PARALLEL_MIN_MACS) {
            Parallel.forRange(tiles, body);
        } else {
            body.run(0, tiles);
        }
    }

    /**
     * Returns the columns of a tile for ks: 6 with 512-bit vectors, whose 32 registers hold the 24
     * accumulators, else 3. A 4 x 6 tile loads 10 vectors per 24 products against 7 per 12. Over
     * rows of 64 values it ran at 93 against 74 GFLOP/s on one core with the rows in the L1
     * cache, and at 77 against 56 with them in L2 (AVX-512 Xeon).
     */
    static int tileCols(KernelSupport ks) {
        return ks.vectorBitSize() >= 512 ? MAX_TILE_N : 3;
    }

    // Adds the products of the last values of each run, [from, len), to the 4 x tileN tile.
    private static void addTails(float[] tile, int tileN, int r0, int r1, int from, int len, float[] a, int[] aRow,
            int i0, int[] aRun, float[] b, int[] bRow, int j0, int[] bRun) {
        for (int i = 0; i < TILE_M; i++) {
            for (int j = 0; j < tileN; j++) {
                float s = 0f;
                for (int r = r0; r < r1; r++) {
                    int x = aRow[i0 + i] + aRun[r];
                    int y = bRow[j0 + j] + bRun[r];
                    for (int t = from; t < len; t++) {
                        s += a[x + t] * b[y + t];
                    }
                }
                tile[i * tileN + j] += s;
            }
        }
    }

    // Sums lanes [off, off + lanes) by halving, in the same order on every call.
    private static float sumLanes(float[] acc, int off, int lanes) {
        for (int half = lanes / 2; half >= 1; half /= 2) {
            for (int l = 0; l < half; l++) {
                acc[off + l] += acc[off + l + half];
            }
        }
        return acc[off];
    }

    /** Returns the runs per chunk for runs of len values. */
    static int runsPerChunk(int len) {
        return Math.max(1, CHUNK_VALUES / Math.max(1, len));
    }

    /** Returns the first count offsets plus base, then the last one repeated up to size. */
    private static int[] shifted(int[] offsets, int base, int count, int size) {
        if (base == 0 && offsets.length == size && count == size) {
            return offsets;
        }
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = offsets[Math.min(i, count - 1)] + base;
        }
        return p;
    }
}
