package org.fcn4j.nn;

import org.fcn4j.autograd.Backward;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Tensor;

/**
 * Nearest and bilinear resizing of image planes, with PyTorch 1.13's coordinate rules computed in
 * float as its CPU kernels do, so that source indices agree at exact boundaries.
 *
 * <p>Legend: P = N * C planes, H x W input plane, OH x OW output plane. Every loop runs in
 * parallel over planes and writes only its own planes.
 */
final class ResizeKernels {
    private ResizeKernels() {
    }

    /**
     * Returns the source-to-destination scale of one axis: 1 / scaleFactor when a scale factor
     * was given, else in / out.
     */
    private static float scale(int in, int out, double scaleFactor) {
        return scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
    }

    /**
     * Source index of each output position along one axis: min(floor(dst * scale), in - 1), except
     * that with {@code shortcuts} an unchanged size copies and a doubled size takes dst / 2.
     *
     * <p>NOTE: PyTorch 1.13's forward takes those shortcuts only in its channels-last kernel, which
     * it runs for one-channel NCHW inputs (they are also channels-last contiguous); its backward
     * always takes them. With a scale factor such as 1.1 on 5 rows, the forward copies the rows of
     * one channel and gives rows 0, 0, 1, 2, 3 for two channels.
     */
    static int[] nearestIndex(int in, int out, double scaleFactor, boolean shortcuts) {
        int[] src = new int[out];
        float s = scale(in, out, scaleFactor);
        for (int d = 0; d < out; d++) {
            if (shortcuts && out == in) {
                src[d] = d;
            } else if (shortcuts && out == 2 * in) {
                src[d] = d >> 1;
            } else {
                src[d] = Math.min((int) Math.floor(d * s), in - 1);
            }
        }
        return src;
    }

    /** Taps of linear interpolation along one axis: indices i0, i1 and weights w0, w1. */
    record Taps(int[] i0, int[] i1, float[] w0, float[] w1) {
    }

    /**
     * align_corners: src = dst * (in - 1) / (out - 1). Otherwise src = (dst + 0.5) * scale - 0.5,
     * clamped at 0; the right neighbour is clamped at in - 1. An axis whose size does not change
     * is copied, whatever the scale factor.
     */
    static Taps linearTaps(int in, int out, double scaleFactor, boolean alignCorners) {
        float s;
        if (!alignCorners) {
            s = scale(in, out, scaleFactor);
        } else if (out > 1) {
            s = (float) (in - 1) / (out - 1);
        } else {
            s = 0f;
        }
        Taps t = new Taps(new int[out], new int[out], new float[out], new float[out]);
        for (int d = 0; d < out; d++) {
            if (in == out) {
                t.i0[d] = d;
                t.i1[d] = d;
                t.w0[d] = 1f;
                continue;
            }
            float src = alignCorners ? s * d : Math.max(s * (d + 0.5f) - 0.5f, 0f);
            int i0 = (int) src;
            float lambda = Math.min(Math.max(src - i0, 0f), 1f);
            t.i0[d] = i0;
            t.i1[d] = i0 + (i0 < in - 1 ? 1 : 0);
            t.w0[d] = 1f - lambda;
            t.w1[d] = lambda;
        }
        return t;
    }

    static Tensor nearest(Tensor input, int oh, int ow, double scaleH, double scaleW) {
        int[] shape = input.shape();
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        boolean shortcuts = shape[1] == 1;
        int[] srcH = nearestIndex(h, oh, scaleH, shortcuts);   // (OH)
        int[] srcW = nearestIndex(w, ow, scaleW, shortcuts);   // (OW)
        // PyTorch 1.13's backward kernel always takes the shortcuts, so for several channels and a
        // size kept or doubled by an odd scale factor its gradient is not the forward's adjoint.
        int[] backH = nearestIndex(h, oh, scaleH, true);       // (OH)
        int[] backW = nearestIndex(w, ow, scaleW, true);       // (OW)
        float[] x = input.data();                   // (P, H, W)
        float[] y = new float[planes * oh * ow];    // (P, OH, OW)
        Parallel.forRange(planes, (start, end) -> {
            for (int p = start; p < end; p++) {
                int in = p * h * w;
                int out = p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    int row = in + srcH[i] * w;
                    for (int j = 0; j < ow; j++) {
                        y[out + i * ow + j] = x[row + srcW[j]];
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
                        int row = in + backH[i] * w;
                        for (int j = 0; j < ow; j++) {
                            dx[row + backW[j]] += dOut[out + i * ow + j];
                        }
                    }
                }
            });
        };
        return Tensor.result("upsample_nearest2d", y, new int[] {shape[0], shape[1], oh, ow}, backward, input);
    }

    static Tensor bilinear(Tensor input, int oh, int ow, double scaleH, double scaleW, boolean alignCorners) {
        int[] shape = input.shape();
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        Taps th = linearTaps(h, oh, scaleH, alignCorners);   // (OH) each
        Taps tw = linearTaps(w, ow, scaleW, alignCorners);   // (OW) each
        float[] x = input.data();                            // (P, H, W)
        float[] y = new float[planes * oh * ow];             // (P, OH, OW)
        Parallel.forRange(planes, (start, end) -> {
            for (int p = start; p < end; p++) {
                int in = p * h * w;
                int out = p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    int r0 = in + th.i0[i] * w;
                    int r1 = in + th.i1[i] * w;
                    float a0 = th.w0[i];
                    float a1 = th.w1[i];
                    for (int j = 0; j < ow; j++) {
                        int c0 = tw.i0[j];
                        int c1 = tw.i1[j];
                        float b0 = tw.w0[j];
                        float b1 = tw.w1[j];
                        y[out + i * ow + j] = a0 * (b0 * x[r0 + c0] + b1 * x[r0 + c1])
                                + a1 * (b0 * x[r1 + c0] + b1 * x[r1 + c1]);
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
                        int r0 = in + th.i0[i] * w;
                        int r1 = in + th.i1[i] * w;
                        for (int j = 0; j < ow; j++) {
                            float g = dOut[out + i * ow + j];
                            int c0 = tw.i0[j];
                            int c1 = tw.i1[j];
                            dx[r0 + c0] += th.w0[i] * tw.w0[j] * g;
                            dx[r0 + c1] += th.w0[i] * tw.w1[j] * g;
                            dx[r1 + c0] += th.w1[i] * tw.w0[j] * g;
                            dx[r1 + c1] += th.w1[i] * tw.w1[j] * g;
                        }
                    }
                }
            });
        };
        return Tensor.result("upsample_bilinear2d", y, new int[] {shape[0], shape[1], oh, ow}, backward, input);
    }
}
