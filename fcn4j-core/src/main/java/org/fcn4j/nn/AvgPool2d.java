package org.fcn4j.nn;

import java.util.Arrays;

import org.fcn4j.tensor.Tensor;

/**
 * 2D average pooling: each output value is the mean of a window of its input plane.
 *
 * <pre>
 *   out(n, c, i, j) = (1 / D) * sum over the window of x(n, c, sH * i - pH + a, sW * j - pW + b)
 * </pre>
 * Padded positions add zero. The divisor D is {@code divisorOverride} when given; otherwise, with
 * countIncludePad, the number of window positions inside the padded input, and without it, the
 * number inside the input itself.
 *
 * <p>NOTE: with ceilMode, the extra last window may stick out past the padding; those positions
 * never count in D, even with countIncludePad, as in PyTorch.
 *
 * <p>Arguments (each an int or an (h, w) pair): {@code kernelSize}; {@code stride} (default
 * kernelSize); {@code padding} (default 0, at most half the kernel size); {@code ceilMode}
 * (default false); {@code countIncludePad} (default true); {@code divisorOverride} (default 0:
 * none).
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W)
 *   output: (N, C, H_out, W_out) with
 *           H_out = floor((H + 2 pH - kH) / sH) + 1   (ceil with ceilMode, then minus 1 if
 *                   (H_out - 1) sH >= H + pH), and likewise W_out
 * </pre>
 */
public final class AvgPool2d extends Module {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final int divisorOverride;

    /** Average pooling with stride equal to the kernel, no padding. */
    public AvgPool2d(int kernelSize) {
        this(new int[] {kernelSize}, null, new int[] {0}, false, true, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, false, true, 0);
    }

    /**
     * Each array argument is one int or an (h, w) pair; a null stride means the kernel size, a
     * divisorOverride of 0 means none.
     */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
            int divisorOverride) {
        this.kernelSize = PoolKernels.pair("AvgPool2d", "kernelSize", kernelSize);
        this.stride = stride == null ? this.kernelSize.clone() : PoolKernels.pair("AvgPool2d", "stride", stride);
        this.padding = PoolKernels.pair("AvgPool2d", "padding", padding);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
        for (int a = 0; a < 2; a++) {
            if (this.kernelSize[a] < 1 || this.stride[a] < 1) {
                throw new IllegalArgumentException("AvgPool2d: kernel size and stride must be positive, got kernel "
                        + Arrays.toString(this.kernelSize) + ", stride " + Arrays.toString(this.stride));
            }
            if (this.padding[a] < 0 || this.padding[a] > this.kernelSize[a] / 2) {
                throw new IllegalArgumentException("AvgPool2d: padding must be between 0 and half the kernel size, got "
                        + "padding " + Arrays.toString(this.padding) + " for kernel "
                        + Arrays.toString(this.kernelSize));
            }
        }
        if (divisorOverride < 0) {
            throw new IllegalArgumentException("AvgPool2d: divisorOverride must be positive, or 0 for none, got "
                    + divisorOverride);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        PoolKernels.checkInput("AvgPool2d", input.shape());
        return PoolKernels.avgPool(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride)
                + ", padding=" + Arrays.toString(padding) + ", ceil_mode=" + ceilMode + ", count_include_pad="
                + countIncludePad + (divisorOverride > 0 ? ", divisor_override=" + divisorOverride : "") + ")";
    }
}
