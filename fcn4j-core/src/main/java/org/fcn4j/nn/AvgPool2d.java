package org.fcn4j.nn;

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
 * <p>NOTE: with ceilMode, the extra last window may stick out past the padding. Those positions
 * never count in D, even with countIncludePad, as in PyTorch.
 *
 * <p>Arguments (defaults in brackets, set through {@link #options()}; each size is one int or an
 * (h, w) pair):
 * <ul>
 * <li>kernelSize: the window (kH, kW);</li>
 * <li>stride [kernelSize];</li>
 * <li>padding [0]: at most half the kernel size;</li>
 * <li>ceilMode [false]: round the output size up instead of down;</li>
 * <li>countIncludePad [true]: count padded positions in D;</li>
 * <li>divisorOverride [none]: a fixed D.</li>
 * </ul>
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W) or (C, H, W)
 *   output: (N, C, H_out, W_out) or (C, H_out, W_out), with
 *           H_out = floor((H + 2 pH - kH) / sH) + 1   (ceil with ceilMode, then minus 1 if
 *                   (H_out - 1) sH >= H + pH), and likewise W_out
 * </pre>
 */
public final class AvgPool2d extends Module {
    private final int[] kernelSize;   // (kH, kW)
    private final int[] stride;       // (sH, sW)
    private final int[] padding;      // (pH, pW)
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final int divisorOverride;   // 0 for none

    /** Average pooling with stride equal to the kernel, no padding. */
    public AvgPool2d(int kernelSize) {
        this(new int[] {kernelSize}, options());
    }

    public AvgPool2d(int kernelSize, int stride) {
        this(new int[] {kernelSize}, options().stride(stride));
    }

    public AvgPool2d(int kernelSize, Options options) {
        this(new int[] {kernelSize}, options);
    }

    /** kernelSize is one int or an (h, w) pair. */
    public AvgPool2d(int[] kernelSize, Options options) {
        this.kernelSize = ConvArgs.pair("AvgPool2d", "kernelSize", 1, kernelSize);
        this.stride = options.stride == null ? this.kernelSize.clone()
                : ConvArgs.pair("AvgPool2d", "stride", 1, options.stride);
        this.padding = ConvArgs.pair("AvgPool2d", "padding", 0, options.padding);
        this.ceilMode = options.ceilMode;
        this.countIncludePad = options.countIncludePad;
        this.divisorOverride = options.divisorOverride;
        PoolKernels.checkPadding("AvgPool2d", this.padding, this.kernelSize);
    }

    /**
     * Returns the default options: stride equal to the kernel, padding 0, floor rounding, padding
     * counted in the divisor.
     */
    public static Options options() {
        return Options.DEFAULTS;
    }

    /**
     * AvgPool2d's optional arguments, immutable: each method returns a modified copy, e.g.
     * {@code AvgPool2d.options().stride(2).padding(1).countIncludePad(false)}. Values are checked
     * when the layer is built, except divisorOverride, checked when set.
     */
    public static final class Options {
        static final Options DEFAULTS = new Options(null, new int[] {0}, false, true, 0);

        final int[] stride;     // null for the kernel size
        final int[] padding;
        final boolean ceilMode;
        final boolean countIncludePad;
        final int divisorOverride;

        private Options(int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
            this.stride = stride;
            this.padding = padding;
            this.ceilMode = ceilMode;
            this.countIncludePad = countIncludePad;
            this.divisorOverride = divisorOverride;
        }

        /** Sets the stride: one int or an (h, w) pair. */
        public Options stride(int... hw) {
            return new Options(hw.clone(), padding, ceilMode, countIncludePad, divisorOverride);
        }

        /** Sets the zero padding on both sides of each axis: one int or an (h, w) pair. */
        public Options padding(int... hw) {
            return new Options(stride, hw.clone(), ceilMode, countIncludePad, divisorOverride);
        }

        public Options ceilMode(boolean ceilMode) {
            return new Options(stride, padding, ceilMode, countIncludePad, divisorOverride);
        }

        public Options countIncludePad(boolean countIncludePad) {
            return new Options(stride, padding, ceilMode, countIncludePad, divisorOverride);
        }

        /** Divides every window sum by {@code divisor} instead of the window size. */
        public Options divisorOverride(int divisor) {
            if (divisor < 1) {
                throw new IllegalArgumentException("AvgPool2d: divisorOverride must be positive, got " + divisor);
            }
            return new Options(stride, padding, ceilMode, countIncludePad, divisor);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return PoolKernels.batchedOrNot("AvgPool2d", input,
                x -> PoolKernels.avgPool(x, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride));
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel_size=" + ConvArgs.tuple(kernelSize) + ", stride=" + ConvArgs.tuple(stride)
                + ", padding=" + ConvArgs.tuple(padding) + ", ceil_mode=" + ceilMode + ", count_include_pad="
                + countIncludePad + (divisorOverride > 0 ? ", divisor_override=" + divisorOverride : "") + ")";
    }
}
