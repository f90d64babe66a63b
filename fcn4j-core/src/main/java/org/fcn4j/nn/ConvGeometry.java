package org.fcn4j.nn;

/**
 * Sizes of one zero-padded 2-D convolution in the forward (Conv2d) direction, shared by the kernels,
 * Conv2d and ConvTranspose2d.
 *
 * <p>Letters: N batch, G groups, C input channels, F output channels (filters), H x W input,
 * P x Q output, R x S kernel. Padding is given for the top and left edges only: the output size
 * P x Q is explicit, so any bottom or right padding is implied by it (zeros beyond the input are
 * never stored). ConvTranspose2d runs this convolution backwards, from a P x Q image to an H x W
 * one, which is why P and Q are not derived here from the padding.
 */
record ConvGeometry(int n, int c, int h, int w, int f, int groups, int r, int s,
        int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, int p, int q) {

    /** Input channels per group. */
    int cg() {
        return c / groups;
    }

    /** Output channels per group. */
    int fg() {
        return f / groups;
    }

    /** Length of one dot product of the convolution: (C / G) * R * S. */
    int k() {
        return cg() * r * s;
    }

    /** Output pixels per channel, P * Q. */
    int l() {
        return p * q;
    }

    /** True when the input itself is the im2col matrix: 1 x 1 kernel, stride 1, no padding. */
    boolean isPointwise() {
        return r == 1 && s == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && p == h && q == w;
    }

    /** The PyTorch output size along one axis: floor((in + total padding - d (k - 1) - 1) / stride) + 1. */
    static int outputSize(int in, int totalPadding, int kernel, int stride, int dilation) {
        return Math.floorDiv(in + totalPadding - dilation * (kernel - 1) - 1, stride) + 1;
    }
}
