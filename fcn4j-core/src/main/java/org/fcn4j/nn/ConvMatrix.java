package org.fcn4j.nn;

/**
 * Dense matrix of a convolution without bias, built entry by entry from the weights rather than by
 * running the kernels, so that tests can compare the two.
 *
 * <p>Row (f, oh, ow) of the output (F, P, Q) and column (c, ih, iw) of the input (C, H, W), both
 * flattened row-major for one image. Entry = sum of the weights w[f, c - group offset, kr, ks] with
 * ih = source(oh * sH - padTop + kr * dH) and iw = source(ow * sW - padLeft + ks * dW), where the
 * padding mode maps padded coordinates to input ones (or to nothing, for zeros). Reflect, replicate
 * and circular padding can map several taps to one input pixel, hence the sum.
 */
final class ConvMatrix {
    private ConvMatrix() {
    }

    /** Returns M as a row-major (F * P * Q) x (C * H * W) array; g.n() is ignored (one image). */
    static float[] build(float[] weight, ConvGeometry g, PaddingMode mode) {
        int cg = g.cg();
        int fg = g.fg();
        int inNumel = g.c() * g.h() * g.w();
        float[] m = new float[g.f() * g.p() * g.q() * inNumel];
        for (int f = 0; f < g.f(); f++) {
            int grp = f / fg;
            for (int oh = 0; oh < g.p(); oh++) {
                for (int ow = 0; ow < g.q(); ow++) {
                    int row = (f * g.p() + oh) * g.q() + ow;
                    for (int ci = 0; ci < cg; ci++) {
                        int c = grp * cg + ci;
                        for (int kr = 0; kr < g.r(); kr++) {
                            int ih = mode.source(oh * g.strideH() - g.padTop() + kr * g.dilationH(), g.h());
                            if (ih < 0) {
                                continue;
                            }
                            for (int ks = 0; ks < g.s(); ks++) {
                                int iw = mode.source(ow * g.strideW() - g.padLeft() + ks * g.dilationW(), g.w());
                                if (iw < 0) {
                                    continue;
                                }
                                int col = (c * g.h() + ih) * g.w() + iw;
                                m[row * inNumel + col] += weight[((f * cg + ci) * g.r() + kr) * g.s() + ks];
                            }
                        }
                    }
                }
            }
        }
        return m;
    }

    /** Returns the transpose of a row-major rows x cols matrix. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }
}
