package org.fcn4j.nn;

import org.fcn4j.kernel.Gemm;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.kernel.VectorOps;

/**
 * 3 x 3 stride-1 convolutions by Winograd's minimal filtering algorithm F(2 x 2, 3 x 3), for
 * forward passes that record no gradient (evaluation and prediction).
 *
 * <p>Each 2 x 2 block of output pixels (a tile) comes from a 4 x 4 patch d of the zero-padded
 * input. With the transforms
 * <pre>
 * V = B^T d B        (per input channel and tile; B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1])
 * U = G g G^T        (per filter and input channel; G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1])
 * M(xi) = U(xi) V(xi)  for each of the 16 positions xi of the 4 x 4 transforms: a matrix product
 *                      (F x C) (C x tiles)
 * Y = A^T M A        (per filter and tile; A^T = [1 1 1 0; 0 1 -1 -1])
 * </pre>
 * the tile takes 16 C F multiplications in the products instead of the 36 C F of the direct
 * convolution, 2.25 times fewer, at the cost of the transforms, which are additions.
 *
 * <p>NOTE: the result is the convolution up to float rounding, but not rounded as the im2col
 * or implicit products round it: the transforms add and subtract inputs and weights before
 * multiplying, which changes the last bits (about 1e-6 relative to the sum of the magnitudes
 * of the products). So training, whose forward pass must match its gradients, never uses it,
 * and the system property {@code fcn4j.winograd=false} turns it off everywhere.
 *
 * <p>Letters as in {@link ConvKernel}: N batch, C input channels, F filters, H x W input, P x Q
 * output; T tiles, in blocks of TB processed by one thread each.
 */
final class Winograd {
    private static final boolean ENABLED = !"false".equals(System.getProperty("fcn4j.winograd"));
    /**
     * Padding of the rows and of the 16 matrices of the transformed blocks. Without it the 16
     * outputs of a transform lie a power of two apart, in the same sets of the L1 cache, and the
     * input transform ran 4 times slower.
     */
    private static final int ROW_PAD = 8;
    private static final int XI_PAD = 40;
    /** Floats of the transformed inputs of one block of tiles (16 C TB), about 1 MB. */
    private static final int BLOCK_FLOATS = 1 << 18;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[2][0]);
    // Offsets of the first input and output pixel of each tile of a block, per thread.
    private static final ThreadLocal<int[]> ORIGINS = ThreadLocal.withInitial(() -> new int[0]);

    private Winograd() {
    }

    /**
     * True for the geometries this path computes faster: 3 x 3 kernel, unit stride and dilation,
     * one group, and either outputs at least {@link ConvKernel#MIN_IMPLICIT_WIDTH} pixels wide with
     * at least {@value #MIN_CHANNELS} input channels, or outputs at least {@value #NARROW_MIN_WIDTH}
     * wide with at least {@value #NARROW_MIN_CHANNELS} and at most {@value #NARROW_MAX_WEIGHTS}
     * transformed weights (16 F C). With fewer channels the 16 products are too short (K = C) to
     * pay for the transforms, which read and write every value 4 times. Measured on the U-Net
     * benchmark's layers (2 threads, Zen 4, 8 images): from 32 channels on outputs of 16 x 16 to
     * 128 x 128, Winograd took 0.55 to 0.9 times the exact product's time. With 16 channels on
     * 64 x 64 it took 1.0 to 1.05 times. On 8 x 8 it took 0.83 to 0.92 times from 256 channels,
     * but 1.5 to 1.6 times with 64 and 128, and on 4 x 4 about twice as long.
     *
     * <p>NOTE: the weight limit is for memory, not speed. The transformed weights take two
     * buffers of 16 F C floats (packed and unpacked), which grow to the largest layer. With the
     * standard unet-bench's 8 x 8 layers of 512 channels (16.8 MB each) its peak memory rose from
     * about 677 to 740 MB.
     */
    static boolean applies(ConvGeometry g) {
        return ENABLED && g.r() == 3 && g.s() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilationH() == 1
                && g.dilationW() == 1 && g.groups() == 1
                && (g.q() >= ConvKernel.MIN_IMPLICIT_WIDTH && g.c() >= MIN_CHANNELS
                        || g.q() >= NARROW_MIN_WIDTH && g.c() >= NARROW_MIN_CHANNELS
                                && 16L * g.f() * g.c() <= NARROW_MAX_WEIGHTS);
    }

    static final int MIN_CHANNELS = 32;
    static final int NARROW_MIN_WIDTH = 8;
    static final int NARROW_MIN_CHANNELS = 256;
    static final int NARROW_MAX_WEIGHTS = 1 << 20;

    /** Writes y = conv(x) (no bias). x: (N, C, H, W); w: (F, C, 3, 3); y: (N, F, P, Q). */
    static void forward(float[] x, float[] w, float[] y, ConvGeometry g) {
        ConvGeometry image = ConvKernel.perImage(g) ? ConvKernel.oneImage(g) : g;
        int f = g.f();
        int c = g.c();

        // The packed weights serve the whole call, so they take the calling thread's first shared
        // buffer, which training has already grown to the largest padded input. The transformed
        // weights, read only while packing, and then the padded input take the second. On the
        // standard unet-bench evaluation then grows the second buffer to 8.4 MB and adds no other.
        float[] u = ConvKernel.firstBuffer(16 * Gemm.packedSize(f, c)); // 16 packed (F, C)
        float[] unpacked = ConvKernel.secondBuffer(16 * f * c);         // (16, F, C)
        transformWeights(w, f, c, unpacked);
        pack(unpacked, f, c, u);
        int padded = image.n() * c * paddedSize(image.p()) * paddedSize(image.q());

        // Large images run one at a time, so that the padded input covers one image (as in
        // ConvKernel). Each thread takes whole images where ConvKernel.splitsImages allows it.
        // Each output sums the same products in the same order either way.
        if (image == g) {
            forward(x, 0, u, ConvKernel.secondBuffer(padded), y, 0, image);
        } else {
            Parallel.RangeBody images = (i0, i1) -> {
                float[] xp = ConvKernel.secondBuffer(padded);
                for (int i = i0; i < i1; i++) {
                    forward(x, i * g.c() * g.h() * g.w(), u, xp, y, i * g.f() * g.l(), image);
                }
            };
            if (ConvKernel.splitsImages(g.n())) {
                Parallel.forRange(g.n(), images);
            } else {
                images.run(0, g.n());
            }
        }
    }

    // Rows (or columns) of the zero-padded input for p output rows: tiles of 2, plus 2.
    private static int paddedSize(int p) {
        return 2 * ((p + 1) / 2) + 2;
    }

    // Convolves the images of g from x at xOff into y at yOff, with the packed transformed weights u
    // and xp for the padded input.
    private static void forward(float[] x, int xOff, float[] u, float[] xp, float[] y, int yOff, ConvGeometry g) {
        int c = g.c();
        int f = g.f();
        int tilesH = (g.p() + 1) / 2;
        int tilesW = (g.q() + 1) / 2;
        int tiles = g.n() * tilesH * tilesW;
        int packedSize = Gemm.packedSize(f, c);

        // The input, zero-padded so that every tile's 4 x 4 patch lies inside it.
        int hp = paddedSize(g.p());
        int wp = paddedSize(g.q());
        ConvKernel.pad(x, xOff, g.n() * c, g.h(), g.w(), xp, hp, wp, g.padTop(), g.padLeft());
        float[] padded = xp;

        int tb = Math.max(32, Math.min(256, BLOCK_FLOATS / (16 * c)) / 32 * 32);
        int blocks = Math.ceilDiv(tiles, tb);
        Parallel.forRange(blocks, (b0, b1) -> {
            float[][] buf = BUFFERS.get();
            int ld = tb + ROW_PAD;
            // Each grows on its own, so that layers alternating between more inputs and more
            // filters do not make both anew (which made an evaluation pass allocate megabytes).
            if (buf[0].length < 16 * (c * ld + XI_PAD)) {
                buf[0] = new float[16 * (c * ld + XI_PAD)]; // V: 16 matrices (C, TB), rows ld apart
            }
            if (buf[1].length < 16 * (f * ld + XI_PAD)) {
                buf[1] = new float[16 * (f * ld + XI_PAD)]; // M: 16 matrices (F, TB), rows ld apart
            }
            for (int b = b0; b < b1; b++) {
                int t0 = b * tb;
                int count = Math.min(tb, tiles - t0);
                transformInputs(padded, g, hp, wp, tilesH, tilesW, t0, count, buf[0], ld);
                for (int xi = 0; xi < 16; xi++) {
                    Gemm.sgemmPacked(f, count, c, u, xi * packedSize, buf[0], xi * (c * ld + XI_PAD), ld,
                            buf[1], xi * (f * ld + XI_PAD), ld, false);
                }
                transformOutputs(buf[1], g, tilesH, tilesW, t0, count, ld, y, yOff);
            }
        });
    }

    /**
     * Writes the 16 matrices of u (16, F, C) into dst, packed for {@link Gemm#sgemmPacked}, each
     * {@code Gemm.packedSize(f, c)} floats. Every block of tiles multiplies them, so packing them
     * once saves packing them per block: that packing took 9 % of a standard unet-bench
     * evaluation pass.
     */
    private static void pack(float[] u, int f, int c, float[] dst) {
        int size = Gemm.packedSize(f, c);
        Parallel.forRange(16, (x0, x1) -> {
            for (int xi = x0; xi < x1; xi++) {
                Gemm.pack(f, c, u, xi * f * c, c, dst, xi * size);
            }
        });
    }

    /** Writes U (16, F, C) into u: G g G^T of every filter and input channel, position xi = 4 row + column. */
    private static void transformWeights(float[] w, int f, int c, float[] u) {
        float[] weights = u;
        Parallel.forRange(f, (f0, f1) -> {
            float[] t = new float[12]; // G g: (4, 3)
            for (int fo = f0; fo < f1; fo++) {
                for (int ci = 0; ci < c; ci++) {
                    int gOff = (fo * c + ci) * 9;
                    for (int col = 0; col < 3; col++) {
                        float g0 = w[gOff + col];
                        float g1 = w[gOff + 3 + col];
                        float g2 = w[gOff + 6 + col];
                        t[col] = g0;
                        t[3 + col] = 0.5f * (g0 + g1 + g2);
                        t[6 + col] = 0.5f * (g0 - g1 + g2);
                        t[9 + col] = g2;
                    }
                    for (int row = 0; row < 4; row++) {
                        float g0 = t[row * 3];
                        float g1 = t[row * 3 + 1];
                        float g2 = t[row * 3 + 2];
                        int base = fo * c + ci;
                        weights[(row * 4) * f * c + base] = g0;
                        weights[(row * 4 + 1) * f * c + base] = 0.5f * (g0 + g1 + g2);
                        weights[(row * 4 + 2) * f * c + base] = 0.5f * (g0 - g1 + g2);
                        weights[(row * 4 + 3) * f * c + base] = g2;
                    }
                }
            }
        });
    }

    /** Writes V for tiles [t0, t0 + count): B^T d B of each tile's patch of each channel, rows ld apart. */
    private static void transformInputs(float[] xp, ConvGeometry g, int hp, int wp, int tilesH, int tilesW, int t0,
            int count, float[] v, int ld) {
        int c = g.c();
        int plane = hp * wp;
        int stride = c * ld + XI_PAD; // floats between positions xi
        // Channel by channel, tiles in order: each of the 16 outputs is then written in sequence.
        int[] origin = origins(count);
        for (int i = 0; i < count; i++) {
            int t = t0 + i;
            int img = t / (tilesH * tilesW);
            origin[i] = img * c * plane + 2 * (t / tilesW % tilesH) * wp + 2 * (t % tilesW);
        }
        for (int ci = 0; ci < c; ci++) {
            // Runs of tiles along one tile row, whose patches are 2 columns apart.
            for (int i = 0; i < count; ) {
                int run = Math.min(count - i, tilesW - (t0 + i) % tilesW);
                VectorOps.winogradInputTiles(xp, origin[i] + ci * plane, wp, run, v, ci * ld + i, stride);
                i += run;
            }
        }
    }

    /** Returns the calling thread's table of tile offsets, at least count long. */
    private static int[] origins(int count) {
        int[] origin = ORIGINS.get();
        if (origin.length < count) {
            origin = new int[count];
            ORIGINS.set(origin);
        }
        return origin;
    }

    /** Writes A^T M A of each filter and tile into y, dropping the pixels past an odd output edge. */
    private static void transformOutputs(float[] m, ConvGeometry g, int tilesH, int tilesW, int t0, int count, int ld,
            float[] y, int yOff) {
        int f = g.f();
        int p = g.p();
        int q = g.q();
        int stride = f * ld + XI_PAD;
        // Filter by filter, tiles in order: each of the 16 inputs is then read in sequence.
        int[] origin = origins(count);
        for (int i = 0; i < count; i++) {
            int t = t0 + i;
            int img = t / (tilesH * tilesW);
            origin[i] = yOff + (img * f * p + 2 * (t / tilesW % tilesH)) * q + 2 * (t % tilesW);
        }
        boolean evenRows = p % 2 == 0;
        boolean evenCols = q % 2 == 0;
        for (int fo = 0; fo < f; fo++) {
            int channel = fo * p * q;
            // Runs of tiles along one tile row, whose outputs are 2 columns apart. The last tile
            // row or column of an odd output has one pixel only.
            for (int i = 0; i < count; ) {
                int t = t0 + i;
                int column = t % tilesW;
                int run = Math.min(count - i, tilesW - column);
                boolean bothRows = evenRows || 2 * (t / tilesW % tilesH) + 1 < p;
                boolean lastBothColumns = evenCols || column + run < tilesW;
                VectorOps.winogradOutputTiles(m, fo * ld + i, stride, run, y, origin[i] + channel, q, bothRows,
                        lastBothColumns);
                i += run;
            }
        }
    }
}
