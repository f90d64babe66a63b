package org.fcn4j.nn;

import org.fcn4j.kernel.Gemm;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.kernel.VectorOps;

/**
 * The three products of a zero-padded 2-D convolution, computed as im2col followed by a matrix
 * product (or a matrix product on the input itself for a pointwise 1 x 1 convolution):
 * <ul>
 * <li>{@link #forward}: y = W * im2col(x), the Conv2d forward pass and the input gradient of
 * ConvTranspose2d;</li>
 * <li>{@link #backwardData}: dx += col2im(W^T * dy), the input gradient of Conv2d and the forward
 * pass of ConvTranspose2d;</li>
 * <li>{@link #backwardWeight}: dW += dy * im2col(x)^T, the weight gradient of both.</li>
 * </ul>
 *
 * <p>Letters (see {@link ConvGeometry}): N batch, G groups, C input channels (Cg = C / G per
 * group), F output channels (Fg = F / G), H x W input, P x Q output, R x S kernel,
 * K = Cg * R * S the reduction length, L = P * Q. Tensors are NCHW, weights (F, Cg, R, S).
 *
 * <p>The im2col matrix of one image and group is K x L; for large images it would not fit in the
 * cache (or even in memory), so it is built for a block of output rows at a time, K x (rows * Q),
 * in a buffer reused by each thread. Work is split over images, groups and row blocks in fixed
 * chunks, and the weight gradient sums per-chunk partials in chunk order, so results repeat
 * exactly for a given thread count.
 */
final class ConvKernel {
    /**
     * Target size of one im2col block, in floats (1 MB): about a core's L2 cache on current x86
     * processors, so that the product reads the block back from cache. On a 64-channel 3 x 3 layer
     * it still gives products over 7 rows of 64 pixels.
     */
    private static final int BLOCK_FLOATS = 1 << 18;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    /** Images smaller than this many output pixels run as one product over the batch. */
    static final int BATCH_MAX_PIXELS = 2048;
    /** Images of at most this many output pixels run as products over groups of images. */
    static final int GROUP_MAX_PIXELS = 64;
    /** Largest batched im2col matrix, in floats (16 MB). */
    static final long BATCH_MAX_FLOATS = 1 << 22;

    private static final ThreadLocal<float[][]> PARTIALS = ThreadLocal.withInitial(() -> new float[0][]);

    /**
     * Two large buffers per thread, shared by the paths of this class and {@link Winograd}, because
     * no path uses more than two large buffers at once. The first is for the padded input, the
     * batched products' im2col matrix or the first chunk's partial weight gradient. The second is
     * for the flipped weights of the input gradient, Winograd's transformed weights, the batched
     * products' gathered output or the second chunk's partial. One buffer per use took 46 MB on the
     * main thread of the standard unet-bench (training, then evaluation), the shared pair 21 MB.
     */
    private static final ThreadLocal<float[][]> SHARED = ThreadLocal.withInitial(() -> new float[2][0]);

    private ConvKernel() {
    }

    /** Output rows per im2col block: the whole image when it fits, else equal blocks under the budget. */
    static int blockRows(ConvGeometry g) {
        long perRow = (long) g.k() * g.q();
        int max = (int) Math.max(1, Math.min(g.p(), BLOCK_FLOATS / Math.max(1, perRow)));
        int blocks = Math.ceilDiv(g.p(), max);
        return Math.max(1, Math.ceilDiv(g.p(), Math.max(1, blocks)));
    }

    private static float[] scratch(int size) {
        float[] buf = SCRATCH.get();
        if (buf.length < size) {
            buf = new float[size];
            SCRATCH.set(buf);
        }
        return buf;
    }

    /**
     * Computes y = conv(x) (no bias) for the whole batch, or adds it into y with accumulate.
     * x: (N, C, H, W); w: (F, Cg, R, S); y: (N, F, P, Q).
     */
    static void forward(float[] x, float[] w, float[] y, ConvGeometry g, boolean accumulate) {
        if (implicit(g)) {
            forwardImplicit(x, w, y, g, accumulate);
        } else {
            forward(x, w, y, g, accumulate, blockRows(g));
        }
    }

    /** As {@link #forward(float[], float[], float[], ConvGeometry, boolean)} with im2col blocks of the given rows. */
    static void forward(float[] x, float[] w, float[] y, ConvGeometry g, boolean accumulate, int rows) {
        if (batchesImages(g)) {
            forwardBatched(x, 0, w, y, 0, g, accumulate);
            return;
        }
        int group = imagesPerProduct(g);
        if (group > 1) {
            for (int i = 0; i < g.n(); i += group) {
                forwardBatched(x, i * g.c() * g.h() * g.w(), w, y, i * g.f() * g.l(), images(g, i, group),
                        accumulate);
            }
            return;
        }
        int blocks = Math.ceilDiv(g.p(), rows);
        int tasks = g.n() * g.groups() * blocks;
        Parallel.forRange(tasks, (start, end) -> {
            for (int t = start; t < end; t++) {
                int b = t % blocks;
                int item = t / blocks;
                forwardBlock(x, w, y, g, item / g.groups(), item % g.groups(), b * rows,
                        Math.min(g.p(), (b + 1) * rows), accumulate);
            }
        });
    }

    /**
     * True for small images (the deep levels of a U-Net), whose per-image products are too narrow:
     * each would pack the whole weight matrix for a few dozen output pixels. They run as one product
     * over all images, K x (N * L), which also lets the matrix kernel split it over the threads.
     */
    static boolean batchesImages(ConvGeometry g) {
        return g.groups() == 1 && g.n() > 1 && !g.isPointwise() && g.l() < BATCH_MAX_PIXELS
                && (long) g.k() * g.n() * g.l() <= BATCH_MAX_FLOATS;
    }

    /**
     * Returns how many images of g each product over images takes when the whole batch's matrix
     * would exceed {@link #BATCH_MAX_FLOATS}, or 1 where images run one at a time. One image per
     * product packs the whole weight matrix for a few dozen pixels. With 1024 channels in and out
     * on 8 images of 8 x 8 (a 38 MB weight matrix), the forward pass took 125 ms that way. As
     * products of 7 images and 1 it took 53 ms (2 threads, Zen 4).
     *
     * <p>NOTE: only images of at most {@value #GROUP_MAX_PIXELS} output pixels are grouped. With
     * 16 x 16 ones too, the weight gradients of the standard unet-bench's 256-filter layers took
     * a 14 MB matrix and its peak memory went from about 677 to 710 to 790 MB. Larger images
     * keep one image per product, which packs fewer weights per pixel.
     */
    static int imagesPerProduct(ConvGeometry g) {
        if (g.groups() != 1 || g.n() < 2 || g.isPointwise() || g.l() > GROUP_MAX_PIXELS) {
            return 1;
        }
        return (int) Math.min(g.n(), BATCH_MAX_FLOATS / ((long) g.k() * g.l()));
    }

    /** Returns g for images [first, first + count) of its batch, clipped to the batch. */
    static ConvGeometry images(ConvGeometry g, int first, int count) {
        return new ConvGeometry(Math.min(count, g.n() - first), g.c(), g.h(), g.w(), g.f(), g.groups(), g.r(),
                g.s(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), g.p(), g.q());
    }

    // y (N, F, L) = W (F, K) * col (K, N * L), through out (F, N * L). x and y start at xOff and yOff.
    private static void forwardBatched(float[] x, int xOff, float[] w, float[] y, int yOff, ConvGeometry g,
            boolean accumulate) {
        int k = g.k();
        int l = g.l();
        int f = g.f();
        int n = g.n();
        int nl = n * l;
        int imageIn = g.c() * g.h() * g.w();
        float[] col = firstBuffer(k * nl);  // (K, N * L)
        float[] out = secondBuffer(f * nl); // (F, N * L)
        Parallel.forRange(n, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                im2col(x, xOff + i * imageIn, g, 0, g.p(), col, i * l, nl);
            }
        });
        Gemm.sgemm(false, false, f, nl, k, w, 0, k, col, 0, nl, out, 0, nl, false);
        Parallel.forRange(n * f, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int i = t / f;
                int ch = t % f;
                if (accumulate) {
                    addRow(out, ch * nl + i * l, y, yOff + t * l, l);
                } else {
                    System.arraycopy(out, ch * nl + i * l, y, yOff + t * l, l);
                }
            }
        });
    }

    // dx (N, C, H, W) += col2im(W^T (K, F) * dy (F, N * L)), dy gathered from (N, F, L) first.
    private static void backwardDataBatched(float[] dy, int dyOff, float[] w, float[] dx, int dxOff, ConvGeometry g) {
        int k = g.k();
        int l = g.l();
        int f = g.f();
        int n = g.n();
        int nl = n * l;
        int imageIn = g.c() * g.h() * g.w();
        float[] dcol = firstBuffer(k * nl);   // (K, N * L)
        float[] dyAll = secondBuffer(f * nl); // (F, N * L)
        Parallel.forRange(n * f, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                System.arraycopy(dy, dyOff + t * l, dyAll, (t % f) * nl + (t / f) * l, l);
            }
        });
        Gemm.sgemm(true, false, k, nl, f, w, 0, k, dyAll, 0, nl, dcol, 0, nl, false);
        Parallel.forRange(n, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                col2im(dcol, i * l, nl, g, 0, g.p(), dx, dxOff + i * imageIn);
            }
        });
    }

    // dw (F, K) += dy (F, N * L) * col(x)^T (N * L, K): one product, so no per-thread partial sums;
    // the matrix kernel's split is fixed by the shape, so the result does not depend on timing.
    private static void backwardWeightBatched(float[] x, int xOff, float[] dy, int dyOff, float[] dw, ConvGeometry g) {
        int k = g.k();
        int l = g.l();
        int f = g.f();
        int n = g.n();
        int nl = n * l;
        int imageIn = g.c() * g.h() * g.w();
        float[] col = firstBuffer(k * nl);    // (K, N * L)
        float[] dyAll = secondBuffer(f * nl); // (F, N * L)
        Parallel.forRange(n, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                im2col(x, xOff + i * imageIn, g, 0, g.p(), col, i * l, nl);
            }
        });
        Parallel.forRange(n * f, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                System.arraycopy(dy, dyOff + t * l, dyAll, (t % f) * nl + (t / f) * l, l);
            }
        });
        Gemm.sgemm(false, true, f, k, nl, dyAll, 0, nl, col, 0, nl, dw, 0, k, true);
    }

    /** Returns the calling thread's first shared buffer ({@link #SHARED}), of at least size floats. */
    static float[] firstBuffer(int size) {
        return shared(0, size);
    }

    /** Returns the calling thread's second shared buffer ({@link #SHARED}), of at least size floats. */
    static float[] secondBuffer(int size) {
        return shared(1, size);
    }

    private static float[] shared(int which, int size) {
        float[][] b = SHARED.get();
        if (b[which].length < size) {
            b[which] = new float[size];
        }
        return b[which];
    }

    // Output rows [p0, p1) of image n, group grp.
    private static void forwardBlock(float[] x, float[] w, float[] y, ConvGeometry g, int n, int grp, int p0, int p1,
            boolean accumulate) {
        int fg = g.fg();
        int k = g.k();
        int l = g.l();
        int xOff = (n * g.c() + grp * g.cg()) * g.h() * g.w();
        int yOff = (n * g.f() + grp * fg) * l + p0 * g.q();
        int wOff = grp * fg * k;
        int cols = (p1 - p0) * g.q();
        if (g.isPointwise()) {
            Gemm.sgemm(false, false, fg, cols, k, w, wOff, k, x, xOff + p0 * g.q(), l, y, yOff, l, accumulate);
            return;
        }
        float[] col = scratch(k * cols); // (K, cols)
        im2col(x, xOff, g, p0, p1, col);
        Gemm.sgemm(false, false, fg, cols, k, w, wOff, k, col, 0, cols, y, yOff, l, accumulate);
    }

    /**
     * Adds the transposed convolution of dy into dx: dx += conv^T(dy).
     * dy: (N, F, P, Q); w: (F, Cg, R, S); dx: (N, C, H, W).
     */
    static void backwardData(float[] dy, float[] w, float[] dx, ConvGeometry g) {
        if (implicitBackwardData(g)) {
            backwardDataImplicit(dy, w, dx, g);
        } else {
            backwardData(dy, w, dx, g, blockRows(g));
        }
    }

    static void backwardData(float[] dy, float[] w, float[] dx, ConvGeometry g, int rows) {
        if (batchesImages(g)) {
            backwardDataBatched(dy, 0, w, dx, 0, g);
            return;
        }
        int group = imagesPerProduct(g);
        if (group > 1) {
            for (int i = 0; i < g.n(); i += group) {
                backwardDataBatched(dy, i * g.f() * g.l(), w, dx, i * g.c() * g.h() * g.w(), images(g, i, group));
            }
            return;
        }
        // NOTE: row blocks of one image scatter into overlapping input rows. So only images and
        // groups run in parallel, and the blocks of one image run in order on one thread.
        int blocks = Math.ceilDiv(g.p(), rows);
        Parallel.forRange(g.n() * g.groups(), (start, end) -> {
            for (int item = start; item < end; item++) {
                for (int b = 0; b < blocks; b++) {
                    backwardDataBlock(dy, w, dx, g, item / g.groups(), item % g.groups(), b * rows,
                            Math.min(g.p(), (b + 1) * rows));
                }
            }
        });
    }

    private static void backwardDataBlock(float[] dy, float[] w, float[] dx, ConvGeometry g, int n, int grp,
            int p0, int p1) {
        int fg = g.fg();
        int k = g.k();
        int l = g.l();
        int xOff = (n * g.c() + grp * g.cg()) * g.h() * g.w();
        int yOff = (n * g.f() + grp * fg) * l + p0 * g.q();
        int wOff = grp * fg * k;
        int cols = (p1 - p0) * g.q();
        if (g.isPointwise()) {
            Gemm.sgemm(true, false, k, cols, fg, w, wOff, k, dy, yOff, l, dx, xOff + p0 * g.q(), l, true);
            return;
        }
        float[] dcol = scratch(k * cols); // (K, cols)
        Gemm.sgemm(true, false, k, cols, fg, w, wOff, k, dy, yOff, l, dcol, 0, cols, false);
        col2im(dcol, g, p0, p1, dx, xOff);
    }

    /**
     * Adds the weight gradient into dw: dw += sum over images of dy * im2col(x)^T.
     * x: (N, C, H, W); dy: (N, F, P, Q); dw: (F, Cg, R, S).
     */
    static void backwardWeight(float[] x, float[] dy, float[] dw, ConvGeometry g) {
        if (implicit(g) && g.fg() <= DOT_MAX_FILTERS) {
            backwardWeightImplicit(x, dy, dw, g);
        } else {
            backwardWeight(x, dy, dw, g, blockRows(g));
        }
    }

    static void backwardWeight(float[] x, float[] dy, float[] dw, ConvGeometry g, int rows) {
        if (batchesImages(g)) {
            backwardWeightBatched(x, 0, dy, 0, dw, g);
            return;
        }
        int group = imagesPerProduct(g);
        if (group > 1) {
            // Each group's product adds into dw, group after group.
            for (int i = 0; i < g.n(); i += group) {
                backwardWeightBatched(x, i * g.c() * g.h() * g.w(), dy, i * g.f() * g.l(), dw, images(g, i, group));
            }
            return;
        }
        // The products compute the transposed gradient, dw^T (G, K, Fg) += col (K, L) * dy^T (L, Fg),
        // because the long K side then runs along the rows of the product, which tiles better than
        // Fg: with 64 filters and K = 576 it ran about 15 % faster than dy * col^T.
        int blocks = Math.ceilDiv(g.p(), rows);
        int tasks = g.n() * g.groups() * blocks;
        int chunks = Math.max(1, Math.min(Parallel.threads(), tasks));
        float[][] partial = partials(chunks, dw.length); // each (G, K, Fg)
        Parallel.forEach(chunks, c -> {
            float[] acc = partial[c];
            java.util.Arrays.fill(acc, 0, dw.length, 0f);
            weightTasks(x, dy, acc, g, rows, blocks, (int) ((long) tasks * c / chunks),
                    (int) ((long) tasks * (c + 1) / chunks));
        });
        for (int c = 1; c < chunks; c++) {
            for (int i = 0; i < dw.length; i++) {
                partial[0][i] += partial[c][i];
            }
        }

        // dw (G, Fg, K) += transpose of each group's (K, Fg) block.
        int fg = g.fg();
        int k = g.k();
        float[] sum = partial[0];
        for (int grp = 0; grp < g.groups(); grp++) {
            int off = grp * fg * k;
            for (int f = 0; f < fg; f++) {
                for (int i = 0; i < k; i++) {
                    dw[off + f * k + i] += sum[off + i * fg + f];
                }
            }
        }
    }

    // The calling thread's per-chunk partial sums of the weight gradient, kept from call to call
    // (a training step would otherwise allocate them for every layer): the shared buffers for the
    // first two chunks, own arrays for more. Only the first len floats of each are used.
    private static float[][] partials(int chunks, int len) {
        float[][] p = PARTIALS.get();
        if (p.length < chunks) {
            p = java.util.Arrays.copyOf(p, chunks);
            PARTIALS.set(p);
        }
        p[0] = firstBuffer(len);
        if (chunks > 1) {
            p[1] = secondBuffer(len);
        }
        for (int c = 2; c < chunks; c++) {
            if (p[c] == null || p[c].length < len) {
                p[c] = new float[len];
            }
        }
        return p;
    }

    // Adds tasks [start, end) into dwT, the transposed weight gradient (G, K, Fg).
    private static void weightTasks(float[] x, float[] dy, float[] dwT, ConvGeometry g, int rows, int blocks,
            int start, int end) {
        int fg = g.fg();
        int k = g.k();
        int l = g.l();
        for (int t = start; t < end; t++) {
            int b = t % blocks;
            int item = t / blocks;
            int n = item / g.groups();
            int grp = item % g.groups();
            int p0 = b * rows;
            int p1 = Math.min(g.p(), p0 + rows);
            int cols = (p1 - p0) * g.q();
            int xOff = (n * g.c() + grp * g.cg()) * g.h() * g.w();
            int yOff = (n * g.f() + grp * fg) * l + p0 * g.q();
            int wOff = grp * fg * k;
            if (g.isPointwise()) {
                Gemm.sgemm(false, true, k, fg, cols, x, xOff + p0 * g.q(), l, dy, yOff, l, dwT, wOff, fg, true);
            } else {
                float[] col = scratch(k * cols); // (K, cols)
                im2col(x, xOff, g, p0, p1, col);
                Gemm.sgemm(false, true, k, fg, cols, col, 0, cols, dy, yOff, l, dwT, wOff, fg, true);
            }
        }
    }

    // ---------------------------------------------------------------- implicit products

    /**
     * True when the forward product reads the zero-padded input in place ({@link Gemm#sgemmGather})
     * instead of building im2col blocks: the geometry allows it ({@link #gatherable}), output rows
     * are at least {@value #MIN_IMPLICIT_WIDTH} pixels wide, and the system property
     * {@code fcn4j.implicitConv} is not false (which keeps the im2col path, to compare).
     */
    static boolean implicit(ConvGeometry g) {
        return IMPLICIT && g.q() >= MIN_IMPLICIT_WIDTH && gatherable(g);
    }

    /**
     * Narrower output rows split each register strip of the product into short runs, which are
     * packed more slowly than the batched im2col path builds its matrix. On 8 x 8 and 4 x 4 U-Net
     * levels the implicit forward product took 1.2 to 1.4 times as long. On 16 x 16 it took about
     * as long or less, and on 32 x 32 and 64 x 64 0.6 to 0.9 times (2 threads, Zen 4, busy machine).
     */
    static final int MIN_IMPLICIT_WIDTH = 16;

    /**
     * True when the convolution is a product with a gathered operand. That needs one group, a
     * kernel larger than 1 x 1 or with padding, and unit width stride, so that the taps of adjacent
     * output pixels are adjacent input pixels. The padded input must also fit int offsets.
     */
    static boolean gatherable(ConvGeometry g) {
        return g.groups() == 1 && !g.isPointwise() && g.strideW() == 1
                && (long) g.n() * g.c() * paddedHeight(g) * paddedWidth(g) <= Integer.MAX_VALUE - 8;
    }

    private static final boolean IMPLICIT = !"false".equals(System.getProperty("fcn4j.implicitConv"));

    // Rows and columns of the zero-padded input: the top and left padding, then the input, then
    // as many zero rows and columns as the last window needs.
    private static int paddedHeight(ConvGeometry g) {
        return Math.max(g.h() + g.padTop(), (g.p() - 1) * g.strideH() + (g.r() - 1) * g.dilationH() + 1);
    }

    private static int paddedWidth(ConvGeometry g) {
        return Math.max(g.w() + g.padLeft(), (g.q() - 1) * g.strideW() + (g.s() - 1) * g.dilationW() + 1);
    }

    /**
     * y (N, F, L) = W (F, K) * B̂ (K, N * L), where B̂[(ci, kr, ks)][(i, oh, ow)] is pixel
     * (oh sH + kr dH, ow + ks dW) of channel ci of image i in the zero-padded input.
     */
    static void forwardImplicit(float[] x, float[] w, float[] y, ConvGeometry g, boolean accumulate) {
        if (!accumulate) {
            // y is whole and contiguous: one fill is faster than zeroing through the column table.
            Parallel.fill(y, 0, g.n() * g.f() * g.l(), 0f);
        }
        if (!perImage(g)) {
            float[] src = padded(x, 0, g);
            int[][] t = offsets(g);
            Gemm.sgemmGather(g.f(), g.n() * g.l(), g.k(), w, 0, g.k(), src, 0, t[0], t[1], y, 0, g.l(), t[2], true);
            return;
        }
        ConvGeometry image = oneImage(g);
        int[][] t = offsets(image);
        int in = g.c() * g.h() * g.w();
        Parallel.RangeBody images = (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float[] src = padded(x, i * in, image);
                Gemm.sgemmGather(g.f(), g.l(), g.k(), w, 0, g.k(), src, src == x ? i * in : 0, t[0], t[1], y,
                        i * g.f() * g.l(), g.l(), t[2], true);
            }
        };
        if (splitsImages(g.n())) {
            Parallel.forRange(g.n(), images);
        } else {
            images.run(0, g.n());
        }
    }

    /**
     * Returns true when each thread should take whole images: when the images divide evenly among
     * the threads or number at least four per thread. Splitting every image's product over the
     * threads instead hands work to the workers and waits for them once per image. The sums are
     * the same either way, because no product is split along K.
     */
    static boolean splitsImages(int images) {
        int threads = Parallel.threads();
        return threads > 1 && (images % threads == 0 || images >= 4 * threads);
    }

    /**
     * Layers with more filters take the im2col weight gradient, dw^T = col dy^T, whose product
     * fills whole register tiles (32 columns) from 32 filters up. Against the dot products of
     * {@link Gemm#dotRuns}, the im2col path took 0.55 to 0.9 times their time with 64 to 256
     * filters and 1.15 to 1.2 times with 32 (2 threads, Zen 4, quiet machine, U-Net layers of
     * 128 x 128 down to 16 x 16). With 16 filters it took 2 to 5 times (busy machine).
     */
    static final int DOT_MAX_FILTERS = 32;

    /**
     * Images of at least this many output pixels go through the implicit products one at a time,
     * which sums every output in the same order as a product over the batch. Then the padded
     * input and the offset tables cover one image: on the standard U-Net the padded buffer shrank
     * from 35 MB to 4.3 MB, and peak resident memory with it.
     */
    static final int PER_IMAGE_MIN_PIXELS = 4096;

    static boolean perImage(ConvGeometry g) {
        return g.n() > 1 && g.l() >= PER_IMAGE_MIN_PIXELS;
    }

    /** Returns g for one of its images. */
    static ConvGeometry oneImage(ConvGeometry g) {
        return new ConvGeometry(1, g.c(), g.h(), g.w(), g.f(), g.groups(), g.r(), g.s(), g.strideH(), g.strideW(),
                g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), g.p(), g.q());
    }

    /**
     * dW (F, K) += the dot products of the rows of dy (one run per output row and image) with the
     * rows of the padded input that each input channel and tap (ci, kr, ks) reads for them.
     */
    static void backwardWeightImplicit(float[] x, float[] dy, float[] dw, ConvGeometry g) {
        // Image by image only where the chunks of runs end at image boundaries, so that the sums
        // are those of the product over the batch, bit for bit.
        backwardWeightImplicit(x, dy, dw, g, perImage(g) && g.p() % Gemm.dotRunsPerChunk(g.q()) == 0);
    }

    static void backwardWeightImplicit(float[] x, float[] dy, float[] dw, ConvGeometry g, boolean byImage) {
        if (!byImage) {
            float[] src = padded(x, 0, g);
            int[][] t = offsets(g);
            Gemm.dotRuns(g.f(), g.k(), g.n() * g.p(), g.q(), dy, 0, t[3], t[4], src, 0, t[0], t[5], dw, 0, g.k());
            return;
        }
        ConvGeometry image = oneImage(g);
        int[][] t = offsets(image);
        int in = g.c() * g.h() * g.w();
        for (int i = 0; i < g.n(); i++) {
            float[] src = padded(x, i * in, image);
            Gemm.dotRuns(g.f(), g.k(), g.p(), g.q(), dy, i * g.f() * g.l(), t[3], t[4], src, src == x ? i * in : 0,
                    t[0], t[5], dw, 0, g.k());
        }
    }

    /**
     * Returns the N images of g from x at xOff zero-padded to (N, C, paddedHeight, paddedWidth) in
     * the thread's buffer, or x itself when there is no padding (the images then start at xOff).
     */
    private static float[] padded(float[] x, int xOff, ConvGeometry g) {
        int hp = paddedHeight(g);
        int wp = paddedWidth(g);
        if (hp == g.h() && wp == g.w()) {
            return x;
        }
        float[] dst = paddedBuffer(g.n() * g.c() * hp * wp);
        pad(x, xOff, g.n() * g.c(), g.h(), g.w(), dst, hp, wp, g.padTop(), g.padLeft());
        return dst;
    }

    /**
     * Returns the calling thread's buffer for a padded input of the implicit products, of at least
     * size floats: the first shared buffer, which each caller is done with when it returns.
     */
    static float[] paddedBuffer(int size) {
        return firstBuffer(size);
    }

    /** Copies planes (H, W) into the middle of zeroed planes (hp, wp), at row top and column left. */
    static void pad(float[] x, int xOff, int planes, int h, int w, float[] dst, int hp, int wp, int top, int left) {
        Parallel.forRange(planes, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int d = pl * hp * wp;
                java.util.Arrays.fill(dst, d, d + top * wp, 0f);
                for (int r = 0; r < h; r++) {
                    int row = d + (top + r) * wp;
                    java.util.Arrays.fill(dst, row, row + left, 0f);
                    System.arraycopy(x, xOff + (pl * h + r) * w, dst, row + left, w);
                    java.util.Arrays.fill(dst, row + left + w, row + wp, 0f);
                }
                java.util.Arrays.fill(dst, d + (top + h) * wp, d + hp * wp, 0f);
            }
        });
    }

    // Offset tables of the implicit products, per geometry, most recently used last: a U-Net has a
    // handful of geometries, and building the column tables (N * L entries) at each call would
    // allocate megabytes per step. The cache keeps at most OFFSETS_MAX_INTS entries in all, so that
    // predicting images of many sizes does not accumulate tables.
    private static final java.util.LinkedHashMap<ConvGeometry, int[][]> OFFSETS = new java.util.LinkedHashMap<>(16,
            0.75f, true);
    private static final long OFFSETS_MAX_INTS = 1L << 23; // 32 MB
    private static long offsetsInts;

    private static long ints(int[][] tables) {
        long total = 0;
        for (int[] table : tables) {
            total += table.length;
        }
        return total;
    }

    /**
     * Returns the offset tables of the implicit products, for the padded planes of
     * {@link #paddedHeight} x {@link #paddedWidth}: for the forward product rowOff (K, one per
     * channel and tap), colOff and cCol (N * L, one per output pixel, into the padded input and
     * into y); for the weight gradient aRow (F, one per dy row), aRun and bRun (N * P, one per
     * output row, into dy and into the padded input).
     */
    private static int[][] offsets(ConvGeometry g) {
        synchronized (OFFSETS) {
            int[][] t = OFFSETS.get(g);
            if (t != null) {
                return t;
            }
        }

        // One row of B per input channel and tap.
        int hp = paddedHeight(g);
        int wp = paddedWidth(g);
        int plane = hp * wp;
        int[] rowOff = new int[g.k()];
        int row = 0;
        for (int ci = 0; ci < g.c(); ci++) {
            for (int kr = 0; kr < g.r(); kr++) {
                for (int ks = 0; ks < g.s(); ks++) {
                    rowOff[row++] = ci * plane + kr * g.dilationH() * wp + ks * g.dilationW();
                }
            }
        }

        // One column per output pixel, and one run per output row.
        int l = g.l();
        int[] colOff = new int[g.n() * l];
        int[] cCol = new int[g.n() * l];
        int[] aRun = new int[g.n() * g.p()];
        int[] bRun = new int[g.n() * g.p()];
        for (int i = 0; i < g.n(); i++) {
            for (int oh = 0; oh < g.p(); oh++) {
                int inRow = i * g.c() * plane + oh * g.strideH() * wp;
                int outRow = i * g.f() * l + oh * g.q();
                aRun[i * g.p() + oh] = outRow;
                bRun[i * g.p() + oh] = inRow;
                for (int ow = 0; ow < g.q(); ow++) {
                    colOff[i * l + oh * g.q() + ow] = inRow + ow;
                    cCol[i * l + oh * g.q() + ow] = outRow + ow;
                }
            }
        }

        // One row of dy per filter.
        int[] aRow = new int[g.f()];
        for (int fo = 0; fo < g.f(); fo++) {
            aRow[fo] = fo * l;
        }
        int[][] t = {rowOff, colOff, cCol, aRow, aRun, bRun};

        synchronized (OFFSETS) {
            if (OFFSETS.put(g, t) == null) {
                offsetsInts += ints(t);
            }
            var eldest = OFFSETS.entrySet().iterator();
            while (offsetsInts > OFFSETS_MAX_INTS && OFFSETS.size() > 1) {
                offsetsInts -= ints(eldest.next().getValue());
                eldest.remove();
            }
        }
        return t;
    }

    /** True when the input gradient takes the implicit path: {@link #implicit} and {@link #flippable}. */
    static boolean implicitBackwardData(ConvGeometry g) {
        return implicit(g) && flippable(g);
    }

    /**
     * True when the input gradient of a stride-1 convolution is itself a gatherable stride-1
     * convolution of dy, with the kernel flipped and transposed and padding extent - padding on
     * each side. So the padding on each side must be at most the dilated kernel's extent - 1.
     */
    static boolean flippable(ConvGeometry g) {
        return g.groups() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.padTop() <= (g.r() - 1) * g.dilationH() && g.padLeft() <= (g.s() - 1) * g.dilationW()
                && padBottom(g) <= (g.r() - 1) * g.dilationH() && padRight(g) <= (g.s() - 1) * g.dilationW()
                && gatherable(transposedGeometry(g));
    }

    // The bottom and right padding that a stride-1 geometry implies.
    private static int padBottom(ConvGeometry g) {
        return g.p() - g.h() - g.padTop() + (g.r() - 1) * g.dilationH();
    }

    private static int padRight(ConvGeometry g) {
        return g.q() - g.w() - g.padLeft() + (g.s() - 1) * g.dilationW();
    }

    // The convolution that maps dy (N, F, P, Q) to dx (N, C, H, W).
    private static ConvGeometry transposedGeometry(ConvGeometry g) {
        return new ConvGeometry(g.n(), g.f(), g.p(), g.q(), g.c(), 1, g.r(), g.s(), 1, 1,
                (g.r() - 1) * g.dilationH() - g.padTop(), (g.s() - 1) * g.dilationW() - g.padLeft(),
                g.dilationH(), g.dilationW(), g.h(), g.w());
    }

    /** dx += conv(dy, W'), W'(c, f, r, s) = W(f, c, R - 1 - r, S - 1 - s): the adjoint of a stride-1 convolution. */
    static void backwardDataImplicit(float[] dy, float[] w, float[] dx, ConvGeometry g) {
        int c = g.c();
        int f = g.f();
        int rs = g.r() * g.s();
        float[] flipped = secondBuffer(c * f * rs); // (C, F, R, S)
        flipKernels(w, flipped, f, c, rs);
        forwardImplicit(dy, flipped, dx, transposedGeometry(g), true);
    }

    // flipped (C, F, R, S) = w (F, C, R, S) with each R x S kernel turned by 180 degrees. A method of
    // its own, so that the JIT compiles this loop soon instead of compiling its caller around it.
    private static void flipKernels(float[] w, float[] flipped, int f, int c, int rs) {
        for (int fo = 0; fo < f; fo++) {
            for (int ci = 0; ci < c; ci++) {
                int src = (fo * c + ci) * rs;
                int dst = (ci * f + fo) * rs + rs - 1;
                for (int t = 0; t < rs; t++) {
                    flipped[dst - t] = w[src + t];
                }
            }
        }
    }

    /**
     * Writes rows [p0, p1) of the im2col matrix of one image and group. Entry
     * ((ci * R + kr) * S + ks, (oh - p0) * Q + ow) is the input pixel
     * x[ci, oh * sH - padTop + kr * dH, ow * sW - padLeft + ks * dW]. Pixels outside the input are 0.
     */
    static void im2col(float[] x, int xOff, ConvGeometry g, int p0, int p1, float[] col) {
        im2col(x, xOff, g, p0, p1, col, 0, (p1 - p0) * g.q());
    }

    /** As above, into the columns from colOff of a matrix whose rows are ld floats apart. */
    static void im2col(float[] x, int xOff, ConvGeometry g, int p0, int p1, float[] col, int colOff, int ld) {
        if (hasContiguousRows(g)) {
            im2colContiguous(x, xOff, g, p0, p1, col, colOff, ld);
            return;
        }
        int h = g.h();
        int w = g.w();
        int q = g.q();
        int sw = g.strideW();
        int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            int plane = xOff + ci * h * w;
            for (int kr = 0; kr < g.r(); kr++) {
                for (int ks = 0; ks < g.s(); ks++, row++) {
                    int shift = ks * g.dilationW() - g.padLeft(); // iw = ow * sW + shift
                    int owLo = validLow(shift, sw, q);
                    int owHi = Math.max(owLo, validHigh(shift, sw, w, q));
                    int dst = colOff + row * ld;
                    for (int oh = p0; oh < p1; oh++, dst += q) {
                        int ih = oh * g.strideH() - g.padTop() + kr * g.dilationH();
                        if (ih < 0 || ih >= h) {
                            java.util.Arrays.fill(col, dst, dst + q, 0f);
                            continue;
                        }
                        java.util.Arrays.fill(col, dst, dst + owLo, 0f);
                        int src = plane + ih * w + shift;
                        // An empty run can start before the plane (a tap left of every window).
                        if (sw == 1 && owHi > owLo) {
                            System.arraycopy(x, src + owLo, col, dst + owLo, owHi - owLo);
                        } else if (sw != 1) {
                            for (int ow = owLo; ow < owHi; ow++) {
                                col[dst + ow] = x[src + ow * sw];
                            }
                        }
                        java.util.Arrays.fill(col, dst + owHi, dst + q, 0f);
                    }
                }
            }
        }
    }

    /** Adds rows [p0, p1) of an im2col-shaped matrix back into the image they came from (im2col's adjoint). */
    static void col2im(float[] col, ConvGeometry g, int p0, int p1, float[] dx, int xOff) {
        col2im(col, 0, (p1 - p0) * g.q(), g, p0, p1, dx, xOff);
    }

    /** As above, from the columns at colOff of a matrix whose rows are ld floats apart. */
    static void col2im(float[] col, int colOff, int ld, ConvGeometry g, int p0, int p1, float[] dx, int xOff) {
        if (hasContiguousRows(g)) {
            col2imContiguous(col, colOff, ld, g, p0, p1, dx, xOff);
            return;
        }
        int h = g.h();
        int w = g.w();
        int q = g.q();
        int sw = g.strideW();
        int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            int plane = xOff + ci * h * w;
            for (int kr = 0; kr < g.r(); kr++) {
                for (int ks = 0; ks < g.s(); ks++, row++) {
                    int shift = ks * g.dilationW() - g.padLeft();
                    int owLo = validLow(shift, sw, q);
                    int owHi = Math.max(owLo, validHigh(shift, sw, w, q));
                    int src = colOff + row * ld;
                    for (int oh = p0; oh < p1; oh++, src += q) {
                        int ih = oh * g.strideH() - g.padTop() + kr * g.dilationH();
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        int dst = plane + ih * w + shift;
                        if (sw == 1 && owHi > owLo) {
                            addRow(col, src + owLo, dx, dst + owLo, owHi - owLo);
                        } else if (sw != 1) {
                            for (int ow = owLo; ow < owHi; ow++) {
                                dx[dst + ow * sw] += col[src + ow];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * True when, for every tap, consecutive output pixels of a row block read consecutive input
     * pixels, wrapping from one row to the next in step: stride 1 and an output as wide as the
     * input (as with "same" padding). Then one im2col row is a single copy of a run of the input.
     */
    static boolean hasContiguousRows(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.q() == g.w();
    }

    // NOTE: the contiguous variants copy or add one run per tap, from the first valid pixel of the
    // block to the last. The run also covers the pixels that wrap past the left or right border
    // into the neighbouring row. im2col overwrites those entries with zeros afterwards, and col2im
    // zeros them in its (scratch) input first, so that they add nothing. Long runs let the JIT
    // vectorise where rows of 64 pixels do not.
    private static void im2colContiguous(float[] x, int xOff, ConvGeometry g, int p0, int p1, float[] col,
            int colOff, int ld) {
        int h = g.h();
        int w = g.w();
        int cols = (p1 - p0) * w;
        int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            int plane = xOff + ci * h * w;
            for (int kr = 0; kr < g.r(); kr++) {
                int rowShift = kr * g.dilationH() - g.padTop(); // ih = oh + rowShift
                int ohLo = Math.min(p1, Math.max(p0, -rowShift));
                int ohHi = Math.max(ohLo, Math.min(p1, h - rowShift));
                for (int ks = 0; ks < g.s(); ks++, row++) {
                    int shift = ks * g.dilationW() - g.padLeft(); // iw = ow + shift
                    int owLo = validLow(shift, 1, w);
                    int owHi = Math.max(owLo, validHigh(shift, 1, w, w));
                    int dst = colOff + row * ld;
                    if (owHi == owLo || ohHi == ohLo) {
                        java.util.Arrays.fill(col, dst, dst + cols, 0f);
                        continue;
                    }
                    java.util.Arrays.fill(col, dst, dst + (ohLo - p0) * w + owLo, 0f);
                    int first = (ohLo - p0) * w + owLo;
                    int last = (ohHi - 1 - p0) * w + owHi; // exclusive
                    System.arraycopy(x, plane + (ohLo + rowShift) * w + owLo + shift, col, dst + first, last - first);
                    for (int oh = ohLo; oh < ohHi; oh++) {
                        zeroBorders(col, dst + (oh - p0) * w, owLo, owHi, w);
                    }
                    java.util.Arrays.fill(col, dst + last, dst + cols, 0f);
                }
            }
        }
    }

    private static void col2imContiguous(float[] col, int colOff, int ld, ConvGeometry g, int p0, int p1,
            float[] dx, int xOff) {
        int h = g.h();
        int w = g.w();
                int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            int plane = xOff + ci * h * w;
            for (int kr = 0; kr < g.r(); kr++) {
                int rowShift = kr * g.dilationH() - g.padTop();
                int ohLo = Math.min(p1, Math.max(p0, -rowShift));
                int ohHi = Math.max(ohLo, Math.min(p1, h - rowShift));
                for (int ks = 0; ks < g.s(); ks++, row++) {
                    int shift = ks * g.dilationW() - g.padLeft();
                    int owLo = validLow(shift, 1, w);
                    int owHi = Math.max(owLo, validHigh(shift, 1, w, w));
                    if (owHi == owLo || ohHi == ohLo) {
                        continue;
                    }
                    int src = colOff + row * ld;
                    for (int oh = ohLo; oh < ohHi; oh++) {
                        zeroBorders(col, src + (oh - p0) * w, owLo, owHi, w);
                    }
                    int first = (ohLo - p0) * w + owLo;
                    int last = (ohHi - 1 - p0) * w + owHi;
                    addRow(col, src + first, dx, plane + (ohLo + rowShift) * w + owLo + shift, last - first);
                }
            }
        }
    }

    // Zeros entries [0, lo) and [hi, w) of the row at base: one or two pixels for a 3 x 3 kernel,
    // too few for the range checks and call of Arrays.fill, which took a tenth of the forward pass.
    private static void zeroBorders(float[] col, int base, int lo, int hi, int w) {
        for (int i = base; i < base + lo; i++) {
            col[i] = 0f;
        }
        for (int i = base + hi; i < base + w; i++) {
            col[i] = 0f;
        }
    }

    // Adding with alpha = 1 is exact in a fused multiply-add, so this is a plain vectorised sum.
    private static void addRow(float[] src, int srcOff, float[] dst, int dstOff, int len) {
        VectorOps.axpy(len, 1f, src, srcOff, dst, dstOff);
    }

    // Smallest ow in [0, q] with ow * stride + shift >= 0.
    private static int validLow(int shift, int stride, int q) {
        return Math.min(q, Math.max(0, Math.ceilDiv(-shift, stride)));
    }

    // One past the largest ow in [0, q) with ow * stride + shift < w.
    private static int validHigh(int shift, int stride, int w, int q) {
        return Math.max(0, Math.min(q, Math.floorDiv(w - 1 - shift, stride) + 1));
    }

    /** Adds bias[f] to every pixel of channel f. y: (N, F, L). */
    static void addBias(float[] y, float[] bias, int n, int f, int l) {
        Parallel.forRange(n * f, (start, end) -> {
            for (int item = start; item < end; item++) {
                VectorOps.scaleShift(l, 1f, bias[item % f], y, item * l, y, item * l);
            }
        });
    }

    /** Adds the bias gradient, the sum of dy over images and pixels, into db. dy: (N, F, L). */
    static void biasGrad(float[] dy, float[] db, int n, int f, int l) {
        Parallel.forRange(f, (start, end) -> {
            for (int ch = start; ch < end; ch++) {
                double sum = 0;
                for (int img = 0; img < n; img++) {
                    sum += VectorOps.sum(l, dy, (img * f + ch) * l);
                }
                db[ch] += (float) sum;
            }
        });
    }
}
