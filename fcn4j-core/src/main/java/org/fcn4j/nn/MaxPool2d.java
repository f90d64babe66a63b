package org.fcn4j.nn;

import java.util.Arrays;

import org.fcn4j.tensor.Tensor;

/**
 * 2D max pooling: each output value is the maximum of a (dilated) window of its input plane.
 *
 * <pre>
 *   out(n, c, i, j) = max over a < kH, b < kW of x(n, c, sH * i - pH + dH * a, sW * j - pW + dW * b)
 * </pre>
 * Positions in the padding count as minus infinity. The gradient flows to the position of each
 * window's maximum, the first in row-major order on ties.
 *
 * <p>NOTE: with ceilMode the output may hold one more window per axis, partly outside the
 * input, but a window that would start inside the right padding is dropped, as in PyTorch.
 *
 * <p>Arguments (each an int or an (h, w) pair): {@code kernelSize}; {@code stride} (default
 * kernelSize); {@code padding} (default 0, at most half the kernel size); {@code dilation}
 * (default 1); {@code ceilMode} round the output size up instead of down (default false).
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W)
 *   output: (N, C, H_out, W_out) with
 *           H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1   (ceil with ceilMode, then
 *                   minus 1 if (H_out - 1) sH >= H + pH), and likewise W_out
 * </pre>
 */
public final class MaxPool2d extends Module {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;

    /** Max pooling with stride equal to the kernel, no padding. */
    public MaxPool2d(int kernelSize) {
        this(new int[] {kernelSize}, null, new int[] {0}, new int[] {1}, false);
    }

    public MaxPool2d(int kernelSize, int stride) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {0}, new int[] {1}, false);
    }

    public MaxPool2d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, ceilMode);
    }

    /** Each argument is one int or an (h, w) pair; a null stride means the kernel size. */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernelSize = PoolKernels.pair("MaxPool2d", "kernelSize", kernelSize);
        this.stride = stride == null ? this.kernelSize.clone() : PoolKernels.pair("MaxPool2d", "stride", stride);
        this.padding = PoolKernels.pair("MaxPool2d", "padding", padding);
        this.dilation = PoolKernels.pair("MaxPool2d", "dilation", dilation);
        this.ceilMode = ceilMode;
        for (int a = 0; a < 2; a++) {
            if (this.kernelSize[a] < 1 || this.stride[a] < 1 || this.dilation[a] < 1) {
                throw new IllegalArgumentException("MaxPool2d: kernel size, stride and dilation must be positive, got "
                        + "kernel " + Arrays.toString(this.kernelSize) + ", stride " + Arrays.toString(this.stride)
                        + ", dilation " + Arrays.toString(this.dilation));
            }
            if (this.padding[a] < 0 || this.padding[a] > this.kernelSize[a] / 2) {
                throw new IllegalArgumentException("MaxPool2d: padding must be between 0 and half the kernel size, got "
                        + "padding " + Arrays.toString(this.padding) + " for kernel "
                        + Arrays.toString(this.kernelSize));
            }
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        PoolKernels.checkInput("MaxPool2d", input.shape());
        return PoolKernels.maxPool(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride)
                + ", padding=" + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation)
                + ", ceil_mode=" + ceilMode + ")";
    }
}
