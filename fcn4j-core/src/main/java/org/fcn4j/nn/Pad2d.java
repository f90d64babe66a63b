package org.fcn4j.nn;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Explicit padding of the two spatial axes of an (N, C, H, W) tensor, with its gradient: the
 * non-zero padding modes of {@link Conv2d} pad with this, then convolve without padding.
 *
 * <p>Shape: input (N, C, H, W), output (N, C, top + H + bottom, left + W + right). The backward pass
 * adds each output gradient into the input element it was copied from, so an edge pixel that is
 * reflected, replicated or wrapped receives the sum of the gradients of all its copies.
 */
final class Pad2d {
    private Pad2d() {
    }

    /** Rejects padding that PyTorch rejects for this mode and input size; {@code what} names the layer. */
    static void check(String what, int h, int w, int top, int bottom, int left, int right, PaddingMode mode) {
        switch (mode) {
            case REFLECT -> {
                if (Math.max(top, bottom) >= h || Math.max(left, right) >= w) {
                    throw new IllegalArgumentException(what + ": reflect padding (top " + top + ", bottom " + bottom
                            + ", left " + left + ", right " + right + ") must be smaller than the input size " + h
                            + " x " + w + " on each axis; use a larger input, less padding or padding mode replicate");
                }
            }
            case CIRCULAR -> {
                if (Math.max(top, bottom) > h || Math.max(left, right) > w) {
                    throw new IllegalArgumentException(what + ": circular padding (top " + top + ", bottom " + bottom
                            + ", left " + left + ", right " + right + ") wraps around more than once on an input of "
                            + h + " x " + w + "; padding must be at most the input size");
                }
            }
            default -> {
            }
        }
    }

    /** Returns x padded with the given mode; differentiable. */
    static Tensor pad(Tensor x, int top, int bottom, int left, int right, PaddingMode mode) {
        int[] shape = x.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("expected an input of shape (N, C, H, W), got " + Shape.str(shape));
        }
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        int ph = top + h + bottom;
        int pw = left + w + right;

        // Source index of every padded pixel within its plane, or -1 for a zero.
        int[] rowSrc = new int[ph];
        for (int i = 0; i < ph; i++) {
            rowSrc[i] = mode.source(i - top, h);
        }
        int[] colSrc = new int[pw];
        for (int j = 0; j < pw; j++) {
            colSrc[j] = mode.source(j - left, w);
        }

        float[] in = x.data();
        float[] out = new float[planes * ph * pw]; // (N, C, ph, pw)
        for (int pl = 0; pl < planes; pl++) {
            int src = pl * h * w;
            int dst = pl * ph * pw;
            for (int i = 0; i < ph; i++) {
                if (rowSrc[i] < 0) {
                    continue;
                }
                int srcRow = src + rowSrc[i] * w;
                for (int j = 0; j < pw; j++) {
                    if (colSrc[j] >= 0) {
                        out[dst + i * pw + j] = in[srcRow + colSrc[j]];
                    }
                }
            }
        }

        return Tensor.result("pad2d_" + mode.pyTorchName(), out, new int[] {shape[0], shape[1], ph, pw}, dOut -> {
            float[] dx = x.gradBuffer();
            for (int pl = 0; pl < planes; pl++) {
                int src = pl * h * w;
                int dst = pl * ph * pw;
                for (int i = 0; i < ph; i++) {
                    if (rowSrc[i] < 0) {
                        continue;
                    }
                    int srcRow = src + rowSrc[i] * w;
                    for (int j = 0; j < pw; j++) {
                        if (colSrc[j] >= 0) {
                            dx[srcRow + colSrc[j]] += dOut[dst + i * pw + j];
                        }
                    }
                }
            }
        }, x);
    }
}
