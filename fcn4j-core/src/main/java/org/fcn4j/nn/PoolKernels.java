package org.fcn4j.nn;

import org.fcn4j.autograd.Backward;
import org.fcn4j.autograd.GradMode;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.kernel.VectorOps;
import org.fcn4j.tensor.Arena;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Forward and backward kernels of max, average and adaptive average pooling.
 *
 * <p>Legend: P = N * C planes, H x W input plane, OH x OW output plane, kH x kW window, sH, sW
 * stride, pH, pW padding, dH, dW dilation. Planes are independent, so every loop runs in parallel
 * over planes and writes only its own planes.
 */
final class PoolKernels {
    private PoolKernels() {
    }

    /**
     * PyTorch's pooling output size: floor (or ceil) of (in + 2p - d(k - 1) - 1) / s, plus 1;
     * with ceil mode, a last window that would start in the right padding is dropped.
     */
    static int outputSize(int in, int k, int s, int p, int d, boolean ceilMode) {
        long num = (long) in + 2L * p - (long) d * (k - 1) - 1 + (ceilMode ? s - 1 : 0);
        long out = Math.floorDiv(num, s) + 1;
        if (ceilMode && (out - 1) * s >= in + p) {
            out--;
        }
        return (int) out;
    }

    /** Rejects padding above half the kernel, where a whole window could lie in the padding. */
    static void checkPadding(String layer, int[] padding, int[] kernel) {
        if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
            throw new IllegalArgumentException(layer + ": padding must be at most half the kernel size, got padding "
                    + ConvArgs.tuple(padding) + " for kernel " + ConvArgs.tuple(kernel));
        }
    }

    static void checkInput(String layer, int[] shape) {
        if (shape.length != 4 && shape.length != 3) {
            throw new IllegalArgumentException(layer + ": expected input of shape (N, C, H, W) or (C, H, W), got "
                    + Shape.str(shape));
        }
    }

    /**
     * Runs {@code op} on an (N, C, H, W) input as it is, and on an unbatched (C, H, W) input as a
     * batch of one, returning (C, H_out, W_out) then, as PyTorch's pooling layers do.
     */
    static Tensor batchedOrNot(String layer, Tensor input, java.util.function.UnaryOperator<Tensor> op) {
        int[] shape = input.shape();
        checkInput(layer, shape);
        if (shape.length == 4) {
            return op.apply(input);
        }
        Tensor y = op.apply(input.reshape(1, shape[0], shape[1], shape[2]));
        return y.reshape(y.size(1), y.size(2), y.size(3));
    }

    static void checkOutput(String layer, int[] shape, int oh, int ow) {
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(layer + ": the output for input " + Shape.str(shape) + " would be "
                    + oh + " x " + ow + "; use a larger input or a smaller kernel, stride or dilation");
        }
    }

    // ---------------------------------------------------------------- max pooling

    /**
     * Max over each window; padding counts as minus infinity. The first maximum in row-major window
     * order wins, and NaN propagates (the last NaN of the window wins), as in PyTorch 1.13. Keeps the flat index (ih * W + iw) of every
     * maximum for backward.
     */
    static Tensor maxPool(Tensor input, int[] k, int[] st, int[] pad, int[] dil, boolean ceilMode) {
        int[] shape = input.shape();
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        int oh = outputSize(h, k[0], st[0], pad[0], dil[0], ceilMode);
        int ow = outputSize(w, k[1], st[1], pad[1], dil[1], ceilMode);
        checkOutput("MaxPool2d", shape, oh, ow);
        float[] x = input.data();              // (P, H, W)
        float[] y = Arena.floatsToOverwrite(planes * oh * ow); // (P, OH, OW)
        boolean twoByTwo = k[0] == 2 && k[1] == 2 && st[0] == 2 && st[1] == 2 && pad[0] == 0 && pad[1] == 0
                && dil[0] == 1 && dil[1] == 1 && 2 * oh <= h && 2 * ow <= w;
        // Only backward reads the indices, and the 2 x 2 kernel can skip them. With a gradient, the
        // 2 x 2 path keeps which of its window's 4 taps won, in 2 bits, so 16 outputs share an int.
        // Each plane starts a new int, so that threads write disjoint ints. On the standard
        // unet-bench that is 0.5 MB instead of 7.9 MB of indices. The general path keeps the flat
        // index into the input plane.
        boolean recording = GradMode.isEnabled() && input.requiresGrad();
        int wordsPerPlane = Math.ceilDiv(oh * ow, TAPS_PER_INT);
        int[] argmax = !twoByTwo ? Arena.ints(y.length)                  // (P, OH, OW)
                : recording ? Arena.ints(planes * wordsPerPlane) : null; // (P, words)

        // Kernel taps that fall inside the input, per output row and column, so the loops need no test.
        int[] aLo = new int[oh];   // (OH)
        int[] aHi = new int[oh];   // (OH)
        int[] bLo = new int[ow];   // (OW)
        int[] bHi = new int[ow];   // (OW)
        insideTaps(h, k[0], st[0], pad[0], dil[0], aLo, aHi);
        insideTaps(w, k[1], st[1], pad[1], dil[1], bLo, bHi);

        Parallel.forRange(planes, (start, end) -> {
            for (int p = start; p < end; p++) {
                int in = p * h * w;
                int out = p * oh * ow;
                if (twoByTwo) {
                    if (argmax == null) {
                        VectorOps.maxPool2x2(x, in, w, oh, ow, y, out);
                    } else {
                        VectorOps.maxPool2x2Taps(x, in, w, oh, ow, y, out, argmax, p * wordsPerPlane);
                    }
                    continue;
                }
                for (int i = 0; i < oh; i++) {
                    int h0 = i * st[0] - pad[0];
                    for (int j = 0; j < ow; j++) {
                        int w0 = j * st[1] - pad[1];
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIndex = -1;
                        for (int a = aLo[i]; a < aHi[i]; a++) {
                            int ih = h0 + a * dil[0];
                            for (int b = bLo[j]; b < bHi[j]; b++) {
                                int iw = w0 + b * dil[1];
                                float v = x[in + ih * w + iw];
                                if (bestIndex < 0 || v > best || Float.isNaN(v)) {
                                    best = v;
                                    bestIndex = ih * w + iw;
                                }
                            }
                        }
                        y[out + i * ow + j] = best;
                        argmax[out + i * ow + j] = bestIndex;
                    }
                }
            }
        });

        Backward backward = dOut -> {
            float[] dx = input.gradBuffer();
            Parallel.forRange(planes, (start, end) -> {
                for (int p = start; p < end; p++) {
                    int in = p * h * w;
                    if (twoByTwo) {
                        maxUnpool2x2(dOut, p * oh * ow, oh, ow, argmax, p * wordsPerPlane, dx, in, w);
                        continue;
                    }
                    for (int o = p * oh * ow; o < (p + 1) * oh * ow; o++) {
                        if (argmax[o] >= 0) {
                            dx[in + argmax[o]] += dOut[o];
                        }
                    }
                }
            });
        };
        return Tensor.result("max_pool2d", y, new int[] {shape[0], shape[1], oh, ow}, backward, input);
    }

    private static final int TAPS_PER_INT = VectorOps.TAPS_PER_INT;

    // dx += dy at each output's winning tap, for one plane of maxPool2x2, outputs in order.
    private static void maxUnpool2x2(float[] dy, int out, int oh, int ow, int[] taps, int word, float[] dx, int in,
            int w) {
        int k = 0;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++, k++) {
                int tap = taps[word + k / TAPS_PER_INT] >>> 2 * (k % TAPS_PER_INT) & 3;
                dx[in + (2 * i + (tap >> 1)) * w + 2 * j + (tap & 1)] += dy[out + k];
            }
        }
    }

    /**
     * For each output position o along one axis, the range [lo, hi) of kernel taps t whose input
     * index o * s - p + t * d lies in [0, in); empty (lo = hi) when none does.
     */
    private static void insideTaps(int in, int k, int s, int p, int d, int[] lo, int[] hi) {
        for (int o = 0; o < lo.length; o++) {
            int first = o * s - p;
            int a = first >= 0 ? 0 : (-first + d - 1) / d;
            int b = first > in - 1 ? 0 : Math.min(k, (in - 1 - first) / d + 1);
            lo[o] = Math.min(a, k);
            hi[o] = Math.max(b, lo[o]);
        }
    }

    // ---------------------------------------------------------------- average pooling

    /**
     * Mean over each window. The divisor is the window clipped to the padded input with
     * countIncludePad, the window clipped to the input without it, or divisorOverride when
     * positive.
     */
    static Tensor avgPool(Tensor input, int[] k, int[] st, int[] pad, boolean ceilMode, boolean countIncludePad,
            int divisorOverride) {
        int[] shape = input.shape();
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        int oh = outputSize(h, k[0], st[0], pad[0], 1, ceilMode);
        int ow = outputSize(w, k[1], st[1], pad[1], 1, ceilMode);
        checkOutput("AvgPool2d", shape, oh, ow);

        // Window bounds and divisors, the same for every plane.
        int[] hs = new int[oh];          // (OH) first row, clipped to the input
        int[] he = new int[oh];          // (OH) end row, exclusive
        int[] hPad = new int[oh];        // (OH) rows of the window inside the padded input
        int[] ws = new int[ow];
        int[] we = new int[ow];
        int[] wPad = new int[ow];
        windows(h, k[0], st[0], pad[0], hs, he, hPad);
        windows(w, k[1], st[1], pad[1], ws, we, wPad);
        float[] scale = new float[oh * ow];   // (OH, OW) 1 / divisor
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                int divisor = divisorOverride > 0 ? divisorOverride
                        : countIncludePad ? hPad[i] * wPad[j] : (he[i] - hs[i]) * (we[j] - ws[j]);
                scale[i * ow + j] = divisor > 0 ? 1f / divisor : 0f;
            }
        }

        float[] x = input.data();                  // (P, H, W)
        float[] y = new float[planes * oh * ow];   // (P, OH, OW)
        Parallel.forRange(planes, (start, end) -> {
            for (int p = start; p < end; p++) {
                int in = p * h * w;
                int out = p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float sum = 0f;
                        for (int ih = hs[i]; ih < he[i]; ih++) {
                            for (int iw = ws[j]; iw < we[j]; iw++) {
                                sum += x[in + ih * w + iw];
                            }
                        }
                        y[out + i * ow + j] = sum * scale[i * ow + j];
                    }
                }
            }
        });

        Backward backward = dOut -> {
            float[] dx = input.gradBuffer();
            Parallel.forRange(planes, (start, end) -> {
                for (int p = start; p < end; p++) {
                    int in = p * h * w;
                    int out = p * oh * ow;
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            float g = dOut[out + i * ow + j] * scale[i * ow + j];
                            for (int ih = hs[i]; ih < he[i]; ih++) {
                                for (int iw = ws[j]; iw < we[j]; iw++) {
                                    dx[in + ih * w + iw] += g;
                                }
                            }
                        }
                    }
                }
            });
        };
        return Tensor.result("avg_pool2d", y, new int[] {shape[0], shape[1], oh, ow}, backward, input);
    }

    /**
     * Window bounds along one axis: the window starts at o * s - p and is first clipped to the
     * padded input [-p, in + p) (its size there is the count-include-pad divisor), then to the input.
     */
    private static void windows(int in, int k, int s, int p, int[] start, int[] end, int[] padded) {
        for (int o = 0; o < start.length; o++) {
            int a = o * s - p;
            int b = Math.min(a + k, in + p);
            padded[o] = b - a;
            start[o] = Math.max(a, 0);
            end[o] = Math.min(b, in);
        }
    }

    // ---------------------------------------------------------------- adaptive average pooling

    /**
     * Mean over the window [floor(o * in / out), ceil((o + 1) * in / out)) along each axis, so that
     * the windows cover the input for any output size, overlapping when it does not divide.
     */
    static Tensor adaptiveAvgPool(Tensor input, int oh, int ow) {
        int[] shape = input.shape();
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        int[] hs = new int[oh];   // (OH)
        int[] he = new int[oh];   // (OH)
        int[] ws = new int[ow];   // (OW)
        int[] we = new int[ow];   // (OW)
        for (int i = 0; i < oh; i++) {
            hs[i] = (int) ((long) i * h / oh);
            he[i] = (int) (((long) (i + 1) * h + oh - 1) / oh);
        }
        for (int j = 0; j < ow; j++) {
            ws[j] = (int) ((long) j * w / ow);
            we[j] = (int) (((long) (j + 1) * w + ow - 1) / ow);
        }

        float[] x = input.data();                  // (P, H, W)
        float[] y = new float[planes * oh * ow];   // (P, OH, OW)
        Parallel.forRange(planes, (start, end) -> {
            for (int p = start; p < end; p++) {
                int in = p * h * w;
                int out = p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float sum = 0f;
                        for (int ih = hs[i]; ih < he[i]; ih++) {
                            for (int iw = ws[j]; iw < we[j]; iw++) {
                                sum += x[in + ih * w + iw];
                            }
                        }
                        y[out + i * ow + j] = sum / ((he[i] - hs[i]) * (we[j] - ws[j]));
                    }
                }
            }
        });

        Backward backward = dOut -> {
            float[] dx = input.gradBuffer();
            Parallel.forRange(planes, (start, end) -> {
                for (int p = start; p < end; p++) {
                    int in = p * h * w;
                    int out = p * oh * ow;
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            float g = dOut[out + i * ow + j] / ((he[i] - hs[i]) * (we[j] - ws[j]));
                            for (int ih = hs[i]; ih < he[i]; ih++) {
                                for (int iw = ws[j]; iw < we[j]; iw++) {
                                    dx[in + ih * w + iw] += g;
                                }
                            }
                        }
                    }
                }
            });
        };
        return Tensor.result("adaptive_avg_pool2d", y, new int[] {shape[0], shape[1], oh, ow}, backward, input);
    }
}
