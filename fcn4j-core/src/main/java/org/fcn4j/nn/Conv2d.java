package org.fcn4j.nn;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.tensor.Arena;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * 2-D convolution over an (N, C_in, H, W) input, as PyTorch's {@code torch.nn.Conv2d}:
 * <pre>
 * out(N_i, C_out_j) = bias(C_out_j) + sum over k in group(j) of weight(C_out_j, k) ⋆ input(N_i, k)
 * </pre>
 * where ⋆ is 2-D cross-correlation (the kernel is not flipped) with the given stride, padding and
 * dilation, and output channel j depends only on the C_in / groups input channels of its group.
 *
 * <p>Without bias the layer is linear: {@link #matrix(int, int)} returns the dense matrix M with
 * {@code out - bias = M vec(input)} for one image, whatever the padding mode, and ConvTranspose2d
 * with the same weight computes {@code M^T}.
 *
 * <p>NOTE: fcn4j computes it as a float32 matrix product that reads the zero-padded input in place,
 * or through im2col blocks for grouped, width-strided and narrow layers (docs/convolution.md).
 * Without gradient recording, 3 x 3 stride-1 layers run by Winograd's F(2 x 2, 3 x 3), equal to
 * the exact product up to float rounding. That takes 32 or more input channels, or on outputs 8 to
 * 15 pixels wide 256 or more with at most 2^16 filter-channel pairs. Non-zero padding modes pad
 * the input explicitly first.
 *
 * <p>Arguments (defaults in brackets, set through {@link #options()}):
 * <ul>
 * <li>inChannels, outChannels: C_in and C_out, both divisible by groups;</li>
 * <li>kernelSize: one int or an (h, w) pair;</li>
 * <li>stride [1], dilation [1]: one int or an (h, w) pair;</li>
 * <li>padding [0]: one int, an (h, w) pair, "valid" (0) or "same" (stride 1 only; the output has
 * the input's size, and when d (k - 1) is odd the extra row and column go at the bottom and right,
 * as in PyTorch);</li>
 * <li>groups [1]: C_in / groups input channels per output channel; groups = C_in is depthwise;</li>
 * <li>bias [true];</li>
 * <li>paddingMode [zeros]: zeros, reflect, replicate or circular ({@link PaddingMode}).</li>
 * </ul>
 *
 * <p>Shape:
 * <pre>
 * input:  (N, C_in, H_in, W_in) or (C_in, H_in, W_in)
 * weight: (C_out, C_in / groups, kH, kW)
 * bias:   (C_out)
 * output: (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
 *   H_out = floor((H_in + 2 padding[0] - dilation[0] (kH - 1) - 1) / stride[0] + 1)
 *   W_out = floor((W_in + 2 padding[1] - dilation[1] (kW - 1) - 1) / stride[1] + 1)
 * </pre>
 * Initialisation: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = (C_in / groups)
 * kH kW, as PyTorch ({@link Init#convDefault}).
 */
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;   // (kH, kW)
    private final int[] stride;   // (sH, sW)
    private final int[] dilation; // (dH, dW)
    private final boolean same;
    private final int[] padding;  // (top, bottom, left, right)
    private final int groups;
    private final PaddingMode paddingMode;
    private final Tensor weight;  // (C_out, C_in / groups, kH, kW)
    private final Tensor bias;    // (C_out), or null

    /** Conv2d with stride 1, no padding, dilation 1, one group and a bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, Generator rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, options(), rng);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, Options options, Generator rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, options, rng);
    }

    /** kernelSize is one int or an (h, w) pair. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, Options options, Generator rng) {
        String layer = "Conv2d";
        ConvArgs.checkChannels(layer, inChannels, outChannels, options.groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = ConvArgs.pair(layer, "kernel_size", 1, kernelSize);
        this.stride = ConvArgs.pair(layer, "stride", 1, options.stride);
        this.dilation = ConvArgs.pair(layer, "dilation", 1, options.dilation);
        this.groups = options.groups;
        this.paddingMode = options.paddingMode;
        this.same = options.same;
        if (same) {
            if (stride[0] != 1 || stride[1] != 1) {
                throw new IllegalArgumentException("Conv2d: padding='same' needs stride 1, got stride "
                        + ConvArgs.tuple(stride) + "; give the padding explicitly for strided convolutions");
            }
            int totalH = dilation[0] * (kernel[0] - 1);
            int totalW = dilation[1] * (kernel[1] - 1);
            this.padding = new int[] {totalH / 2, totalH - totalH / 2, totalW / 2, totalW - totalW / 2};
        } else {
            int[] hw = ConvArgs.pair(layer, "padding", 0, options.padding);
            this.padding = new int[] {hw[0], hw[0], hw[1], hw[1]};
        }
        if (rng == null) {
            throw new IllegalArgumentException("Conv2d: a Generator is required to initialise the weights");
        }

        this.weight = registerParameter("weight",
                Tensor.zeros(outChannels, inChannels / groups, kernel[0], kernel[1]));
        this.bias = options.bias ? registerParameter("bias", Tensor.zeros(outChannels)) : null;
        Init.convDefault(weight, bias, rng);
    }

    /** Returns the default options: stride 1, padding 0, dilation 1, groups 1, bias, zeros padding. */
    public static Options options() {
        return Options.DEFAULTS;
    }

    /**
     * Conv2d's optional arguments, immutable: each method returns a modified copy, e.g.
     * {@code Conv2d.options().padding(1).stride(2)}. Values are checked when the layer is built.
     */
    public static final class Options {
        static final Options DEFAULTS = new Options(new int[] {1}, new int[] {0}, false, new int[] {1}, 1, true,
                PaddingMode.ZEROS);

        final int[] stride;
        final int[] padding;
        final boolean same;
        final int[] dilation;
        final int groups;
        final boolean bias;
        final PaddingMode paddingMode;

        private Options(int[] stride, int[] padding, boolean same, int[] dilation, int groups, boolean bias,
                PaddingMode paddingMode) {
            this.stride = stride;
            this.padding = padding;
            this.same = same;
            this.dilation = dilation;
            this.groups = groups;
            this.bias = bias;
            this.paddingMode = paddingMode;
        }

        /** Sets the stride: one int or an (h, w) pair. */
        public Options stride(int... hw) {
            return new Options(ConvArgs.copy(hw), padding, same, dilation, groups, bias, paddingMode);
        }

        /** Sets the padding added on both sides of each axis: one int or an (h, w) pair. */
        public Options padding(int... hw) {
            return new Options(stride, ConvArgs.copy(hw), false, dilation, groups, bias, paddingMode);
        }

        /** Sets the padding to "valid" (none) or "same" (output size = input size, stride 1 only). */
        public Options padding(String mode) {
            return switch (mode) {
                case "valid" -> new Options(stride, new int[] {0}, false, dilation, groups, bias, paddingMode);
                case "same" -> new Options(stride, new int[] {0}, true, dilation, groups, bias, paddingMode);
                default -> throw new IllegalArgumentException("Conv2d: invalid padding string '" + mode
                        + "': expected 'valid' or 'same' (or give the padding as numbers)");
            };
        }

        public Options dilation(int... hw) {
            return new Options(stride, padding, same, ConvArgs.copy(hw), groups, bias, paddingMode);
        }

        public Options groups(int groups) {
            return new Options(stride, padding, same, dilation, groups, bias, paddingMode);
        }

        public Options bias(boolean bias) {
            return new Options(stride, padding, same, dilation, groups, bias, paddingMode);
        }

        public Options paddingMode(PaddingMode mode) {
            if (mode == null) {
                throw new IllegalArgumentException("Conv2d: padding mode must not be null");
            }
            return new Options(stride, padding, same, dilation, groups, bias, mode);
        }

        /** PyTorch's spelling: "zeros", "reflect", "replicate" or "circular". */
        public Options paddingMode(String mode) {
            return paddingMode(PaddingMode.parse(mode));
        }
    }

    // ---------------------------------------------------------------- accessors

    /** (C_out, C_in / groups, kH, kW). */
    public Tensor weight() {
        return weight;
    }

    /** (C_out), or null without bias. */
    public Tensor bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    /** (kH, kW). */
    public int[] kernelSize() {
        return kernel.clone();
    }

    public int[] stride() {
        return stride.clone();
    }

    public int[] dilation() {
        return dilation.clone();
    }

    /** Padding as (top, bottom, left, right); "same" resolves to its actual, possibly uneven, values. */
    public int[] padding() {
        return padding.clone();
    }

    public int groups() {
        return groups;
    }

    public PaddingMode paddingMode() {
        return paddingMode;
    }

    /** Returns (H_out, W_out) for an H x W input; rejects inputs too small for the kernel. */
    public int[] outputSize(int h, int w) {
        int kh = dilation[0] * (kernel[0] - 1) + 1;
        int kw = dilation[1] * (kernel[1] - 1) + 1;
        int ph = h + padding[0] + padding[1];
        int pw = w + padding[2] + padding[3];
        if (h < 1 || w < 1 || ph < kh || pw < kw) {
            throw new IllegalArgumentException("Conv2d: padded input size " + ph + " x " + pw + " (input " + h + " x "
                    + w + ") is smaller than the dilated kernel " + kh + " x " + kw + "; use a larger input or more "
                    + "padding");
        }
        return new int[] {
            ConvGeometry.outputSize(h, padding[0] + padding[1], kernel[0], stride[0], dilation[0]),
            ConvGeometry.outputSize(w, padding[2] + padding[3], kernel[1], stride[1], dilation[1]),
        };
    }

    // ---------------------------------------------------------------- forward and backward

    /** Convolves a batch (N, C_in, H, W), or one unbatched image (C_in, H, W) as PyTorch allows. */
    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        if (shape.length == 3 && shape[0] == inChannels) {
            Tensor y = forward(input.reshape(1, shape[0], shape[1], shape[2]));
            return y.reshape(y.size(1), y.size(2), y.size(3));
        }
        if (shape.length != 4 || shape[1] != inChannels) {
            throw new IllegalArgumentException("Conv2d: expected input of shape (N, " + inChannels + ", H, W) or ("
                    + inChannels + ", H, W), got " + Shape.str(shape));
        }
        int[] out = outputSize(shape[2], shape[3]);

        // Non-zero modes: pad explicitly (differentiable), then convolve without padding.
        Tensor x = input;
        int padTop = padding[0];
        int padLeft = padding[2];
        if (paddingMode != PaddingMode.ZEROS) {
            Pad2d.check("Conv2d", shape[2], shape[3], padding[0], padding[1], padding[2], padding[3], paddingMode);
            x = Pad2d.pad(input, padding[0], padding[1], padding[2], padding[3], paddingMode);
            padTop = 0;
            padLeft = 0;
        }
        int[] xs = x.shape();
        ConvGeometry g = new ConvGeometry(xs[0], inChannels, xs[2], xs[3], outChannels, groups, kernel[0], kernel[1],
                stride[0], stride[1], padTop, padLeft, dilation[0], dilation[1], out[0], out[1]);
        return convolve(x, weight, bias, g);
    }

    /** Computes the convolution of x (already padded for the non-zero modes) and records its gradient. */
    static Tensor convolve(Tensor x, Tensor weight, Tensor bias, ConvGeometry g) {
        float[] xd = x.data();
        float[] wd = weight.data();
        // Both paths below write every element, so the arena's array needs no zero-fill first.
        float[] y = Arena.floatsToOverwrite(Shape.numel(g.n(), g.f(), g.p(), g.q())); // (N, F, P, Q)
        boolean recording = GradMode.isEnabled()
                && (x.requiresGrad() || weight.requiresGrad() || bias != null && bias.requiresGrad());
        if (!recording && Winograd.applies(g)) {
            Winograd.forward(xd, wd, y, g);
        } else {
            ConvKernel.forward(xd, wd, y, g, false);
        }
        if (bias != null) {
            ConvKernel.addBias(y, bias.data(), g.n(), g.f(), g.l());
        }

        // Backward keeps x and the weight (by reference), nothing else. The weight gradient comes
        // first: it is the last read of x, whose gradient may then be written over it.
        return Tensor.result("conv2d", y, new int[] {g.n(), g.f(), g.p(), g.q()}, dy -> {
            if (weight.requiresGrad()) {
                ConvKernel.backwardWeight(xd, dy, weight.gradBuffer(), g);
            }
            if (x.requiresGrad()) {
                ConvKernel.backwardData(dy, wd, x.gradBufferOverData(), g);
            }
            if (bias != null && bias.requiresGrad()) {
                ConvKernel.biasGrad(dy, bias.gradBuffer(), g.n(), g.f(), g.l());
            }
        }, bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias});
    }

    // ---------------------------------------------------------------- matrix view

    /**
     * Returns the dense matrix M of this convolution without bias for one H x W image:
     * {@code forward(x) - bias = M vec(x)}, with x of shape (1, C_in, H, W) and both sides
     * flattened row-major. The padding mode is included (reflect, replicate and circular padding
     * add weights on the entries of the mirrored, repeated or wrapped pixels).
     *
     * <p>Shape: (C_out H_out W_out, C_in H W).
     */
    public Tensor matrix(int h, int w) {
        int[] out = outputSize(h, w);
        Pad2d.check("Conv2d", h, w, padding[0], padding[1], padding[2], padding[3], paddingMode);
        int rows = Shape.numel(outChannels, out[0], out[1]);
        int cols = Shape.numel(inChannels, h, w);
        Shape.numel(rows, cols);
        ConvGeometry g = new ConvGeometry(1, inChannels, h, w, outChannels, groups, kernel[0], kernel[1], stride[0],
                stride[1], padding[0], padding[2], dilation[0], dilation[1], out[0], out[1]);
        return Tensor.of(ConvMatrix.build(weight.data(), g, paddingMode), rows, cols);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Conv2d(").append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(ConvArgs.tuple(kernel))
                .append(", stride=").append(ConvArgs.tuple(stride));
        if (same) {
            sb.append(", padding=same");
        } else if (padding[0] != 0 || padding[2] != 0) {
            sb.append(", padding=").append(ConvArgs.tuple(new int[] {padding[0], padding[2]}));
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            sb.append(", dilation=").append(ConvArgs.tuple(dilation));
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (bias == null) {
            sb.append(", bias=False");
        }
        if (paddingMode != PaddingMode.ZEROS) {
            sb.append(", padding_mode=").append(paddingMode.pyTorchName());
        }
        return sb.append(')').toString();
    }
}
