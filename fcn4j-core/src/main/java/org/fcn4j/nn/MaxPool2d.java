package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * 2D max pooling: each output value is the maximum of a (dilated) window of its input plane.
 *
 * <pre>
 *   out(n, c, i, j) = max over a in [0, kH), b in [0, kW) of
 *                     x(n, c, sH * i - pH + dH * a, sW * j - pW + dW * b)
 * </pre>
 * Positions in the padding count as minus infinity. The gradient flows to the position of each
 * window's maximum, the first in row-major order on ties.
 *
 * <p>NOTE: with ceilMode the output may hold one more window per axis, partly outside the
 * input, but a window that would start inside the right padding is dropped, as in PyTorch.
 *
 * <p>Arguments (defaults in brackets, set through {@link #options()}; each size is one int or an
 * (h, w) pair):
 * <ul>
 * <li>kernelSize: the window (kH, kW);</li>
 * <li>stride [kernelSize];</li>
 * <li>padding [0]: at most half the kernel size;</li>
 * <li>dilation [1];</li>
 * <li>ceilMode [false]: round the output size up instead of down.</li>
 * </ul>
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W) or (C, H, W)
 *   output: (N, C, H_out, W_out) or (C, H_out, W_out), with
 *           H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1   (ceil with ceilMode, then
 *                   minus 1 if (H_out - 1) sH >= H + pH), and likewise W_out
 * </pre>
 */
public final class MaxPool2d extends Module {
    private final int[] kernelSize;   // (kH, kW)
    private final int[] stride;       // (sH, sW)
    private final int[] padding;      // (pH, pW)
    private final int[] dilation;     // (dH, dW)
    private final boolean ceilMode;

    /** Max pooling with stride equal to the kernel, no padding. */
    public MaxPool2d(int kernelSize) {
        this(new int[] {kernelSize}, options());
    }

    public MaxPool2d(int kernelSize, int stride) {
        this(new int[] {kernelSize}, options().stride(stride));
    }

    public MaxPool2d(int kernelSize, Options options) {
        this(new int[] {kernelSize}, options);
    }

    /** kernelSize is one int or an (h, w) pair. */
    public MaxPool2d(int[] kernelSize, Options options) {
        this.kernelSize = ConvArgs.pair("MaxPool2d", "kernelSize", 1, kernelSize);
        this.stride = options.stride == null ? this.kernelSize.clone()
                : ConvArgs.pair("MaxPool2d", "stride", 1, options.stride);
        this.padding = ConvArgs.pair("MaxPool2d", "padding", 0, options.padding);
        this.dilation = ConvArgs.pair("MaxPool2d", "dilation", 1, options.dilation);
        this.ceilMode = options.ceilMode;
        PoolKernels.checkPadding("MaxPool2d", this.padding, this.kernelSize);
    }

    /** Returns the default options: stride equal to the kernel, padding 0, dilation 1, floor rounding. */
    public static Options options() {
        return Options.DEFAULTS;
    }

    /**
     * MaxPool2d's optional arguments, immutable: each method returns a modified copy, e.g.
     * {@code MaxPool2d.options().stride(2).padding(1)}. Values are checked when the layer is built.
     */
    public static final class Options {
        static final Options DEFAULTS = new Options(null, new int[] {0}, new int[] {1}, false);

        final int[] stride;     // null for the kernel size
        final int[] padding;
        final int[] dilation;
        final boolean ceilMode;

        private Options(int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
            this.stride = stride;
            this.padding = padding;
            this.dilation = dilation;
            this.ceilMode = ceilMode;
        }

        /** Sets the stride: one int or an (h, w) pair. */
        public Options stride(int... hw) {
            return new Options(hw.clone(), padding, dilation, ceilMode);
        }

        /**
         * Sets the padding on both sides of each axis, counted as minus infinity: one int or an
         * (h, w) pair.
         */
        public Options padding(int... hw) {
            return new Options(stride, hw.clone(), dilation, ceilMode);
        }

        /** Sets the spacing between window taps: one int or an (h, w) pair. */
        public Options dilation(int... hw) {
            return new Options(stride, padding, hw.clone(), ceilMode);
        }

        public Options ceilMode(boolean ceilMode) {
            return new Options(stride, padding, dilation, ceilMode);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return PoolKernels.batchedOrNot("MaxPool2d", input,
                x -> PoolKernels.maxPool(x, kernelSize, stride, padding, dilation, ceilMode));
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel_size=" + ConvArgs.tuple(kernelSize) + ", stride=" + ConvArgs.tuple(stride)
                + ", padding=" + ConvArgs.tuple(padding) + ", dilation=" + ConvArgs.tuple(dilation)
                + ", ceil_mode=" + ceilMode + ")";
    }
}
