package org.fcn4j.nn;

import org.fcn4j.tensor.Arena;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * 2-D transposed convolution over an (N, C_in, H, W) input, as PyTorch's
 * {@code torch.nn.ConvTranspose2d}: the adjoint of the {@link Conv2d} that has the same weight,
 * stride, padding, dilation and groups and maps the output size back to the input size. Each input
 * pixel scatters a copy of the kernel, scaled by its value, into the output:
 * <pre>
 * out(N_i, C_out_j, oh, ow) = bias(C_out_j) + sum over input channels k of group(j), kh, kw, and
 *     (ih, iw) with oh = ih stride[0] - padding[0] + kh dilation[0], ow = iw stride[1] - padding[1] + kw dilation[1],
 *     of input(N_i, k, ih, iw) weight(k, C_out_j - group offset, kh, kw)
 * </pre>
 * With zero bias and one image, {@code out = M^T vec(input)} where M is
 * {@code Conv2d.matrix(H_out, W_out)} for a Conv2d holding this layer's weight; {@link #matrix(int, int)}
 * returns that transpose. This is how a U-Net upsamples (kernel 2, stride 2).
 *
 * <p>NOTE: fcn4j runs Conv2d's input-gradient kernel (matrix product then col2im) as the forward
 * pass and Conv2d's forward kernel as the input gradient. Padding removes {@code padding} rows and
 * columns from each border of the full output, and output_padding adds rows and columns at the
 * bottom and right only; padding is always zeros, as in PyTorch.
 *
 * <p>Arguments (defaults in brackets, set through {@link #options()}):
 * <ul>
 * <li>inChannels, outChannels: C_in and C_out, both divisible by groups;</li>
 * <li>kernelSize: one int or an (h, w) pair;</li>
 * <li>stride [1], padding [0], dilation [1]: one int or an (h, w) pair;</li>
 * <li>outputPadding [0]: one int or an (h, w) pair, added to one side of the output to pick among
 * the several output sizes that a strided Conv2d maps to the same input size; each value must be
 * smaller than the stride or the dilation of its axis, else the constructor rejects it;</li>
 * <li>groups [1], bias [true].</li>
 * </ul>
 *
 * <p>Shape:
 * <pre>
 * input:  (N, C_in, H_in, W_in) or (C_in, H_in, W_in)
 * weight: (C_in, C_out / groups, kH, kW)
 * bias:   (C_out)
 * output: (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
 *   H_out = (H_in - 1) stride[0] - 2 padding[0] + dilation[0] (kH - 1) + output_padding[0] + 1
 *   W_out = (W_in - 1) stride[1] - 2 padding[1] + dilation[1] (kW - 1) + output_padding[1] + 1
 * </pre>
 * Initialisation: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in =
 * (C_out / groups) kH kW, computed from the weight's shape as PyTorch does ({@link Init#convDefault}).
 */
public final class ConvTranspose2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;        // (kH, kW)
    private final int[] stride;        // (sH, sW)
    private final int[] padding;       // (pH, pW)
    private final int[] outputPadding; // (opH, opW)
    private final int[] dilation;      // (dH, dW)
    private final int groups;
    private final Tensor weight;       // (C_in, C_out / groups, kH, kW)
    private final Tensor bias;         // (C_out), or null

    /** ConvTranspose2d with stride 1, no padding, dilation 1, one group and a bias. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, Generator rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, options(), rng);
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, Options options, Generator rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, options, rng);
    }

    /** kernelSize is one int or an (h, w) pair. */
    public ConvTranspose2d(int inChannels, int outChannels, int[] kernelSize, Options options, Generator rng) {
        String layer = "ConvTranspose2d";
        ConvArgs.checkChannels(layer, inChannels, outChannels, options.groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = ConvArgs.pair(layer, "kernel_size", 1, kernelSize);
        this.stride = ConvArgs.pair(layer, "stride", 1, options.stride);
        this.padding = ConvArgs.pair(layer, "padding", 0, options.padding);
        this.outputPadding = ConvArgs.pair(layer, "output_padding", 0, options.outputPadding);
        this.dilation = ConvArgs.pair(layer, "dilation", 1, options.dilation);
        this.groups = options.groups;
        for (int a = 0; a < 2; a++) {
            if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
                throw new IllegalArgumentException("ConvTranspose2d: output_padding " + ConvArgs.tuple(outputPadding)
                        + " must be smaller than either the stride " + ConvArgs.tuple(stride) + " or the dilation "
                        + ConvArgs.tuple(dilation) + " on each axis (" + (a == 0 ? "height" : "width")
                        + " fails)");
            }
        }
        if (rng == null) {
            throw new IllegalArgumentException("ConvTranspose2d: a Generator is required to initialise the weights");
        }

        this.weight = registerParameter("weight",
                Tensor.zeros(inChannels, outChannels / groups, kernel[0], kernel[1]));
        this.bias = options.bias ? registerParameter("bias", Tensor.zeros(outChannels)) : null;
        Init.convDefault(weight, bias, rng);
    }

    /** Returns the default options: stride 1, padding 0, output padding 0, dilation 1, groups 1, bias. */
    public static Options options() {
        return Options.DEFAULTS;
    }

    /**
     * ConvTranspose2d's optional arguments, immutable: each method returns a modified copy, e.g.
     * {@code ConvTranspose2d.options().stride(2)}. Values are checked when the layer is built.
     */
    public static final class Options {
        static final Options DEFAULTS = new Options(new int[] {1}, new int[] {0}, new int[] {0}, new int[] {1}, 1,
                true);

        final int[] stride;
        final int[] padding;
        final int[] outputPadding;
        final int[] dilation;
        final int groups;
        final boolean bias;

        private Options(int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups, boolean bias) {
            this.stride = stride;
            this.padding = padding;
            this.outputPadding = outputPadding;
            this.dilation = dilation;
            this.groups = groups;
            this.bias = bias;
        }

        public Options stride(int... hw) {
            return new Options(ConvArgs.copy(hw), padding, outputPadding, dilation, groups, bias);
        }

        public Options padding(int... hw) {
            return new Options(stride, ConvArgs.copy(hw), outputPadding, dilation, groups, bias);
        }

        public Options outputPadding(int... hw) {
            return new Options(stride, padding, ConvArgs.copy(hw), dilation, groups, bias);
        }

        public Options dilation(int... hw) {
            return new Options(stride, padding, outputPadding, ConvArgs.copy(hw), groups, bias);
        }

        public Options groups(int groups) {
            return new Options(stride, padding, outputPadding, dilation, groups, bias);
        }

        public Options bias(boolean bias) {
            return new Options(stride, padding, outputPadding, dilation, groups, bias);
        }
    }

    // ---------------------------------------------------------------- accessors

    /** (C_in, C_out / groups, kH, kW). */
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

    public int[] kernelSize() {
        return kernel.clone();
    }

    public int[] stride() {
        return stride.clone();
    }

    public int[] padding() {
        return padding.clone();
    }

    public int[] outputPadding() {
        return outputPadding.clone();
    }

    public int[] dilation() {
        return dilation.clone();
    }

    public int groups() {
        return groups;
    }

    /** Returns (H_out, W_out) for an H x W input, with this layer's output padding. */
    public int[] outputSize(int h, int w) {
        return outputSize(h, w, outputPadding);
    }

    private int[] outputSize(int h, int w, int[] extra) {
        int[] out = unchecked(h, w, extra);
        if (h < 1 || w < 1 || out[0] < 1 || out[1] < 1) {
            throw new IllegalArgumentException("ConvTranspose2d: an input of " + h + " x " + w + " gives an output of "
                    + out[0] + " x " + out[1] + "; the padding " + ConvArgs.tuple(padding) + " is too large for "
                    + "this input and kernel");
        }
        return out;
    }

    // The output size before any check: the minimum size of an output_size request may be 0 or less.
    private int[] unchecked(int h, int w, int[] extra) {
        int[] in = {h, w};
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            out[a] = (in[a] - 1) * stride[a] - 2 * padding[a] + dilation[a] * (kernel[a] - 1) + extra[a] + 1;
        }
        return out;
    }

    // ---------------------------------------------------------------- forward and backward

    /** Applies the layer to a batch (N, C_in, H, W), or one unbatched image (C_in, H, W) as PyTorch allows. */
    @Override
    public Tensor forward(Tensor input) {
        if (isUnbatched(input)) {
            return unbatch(forward(batchOfOne(input)));
        }
        return run(input, outputPadding);
    }

    private boolean isUnbatched(Tensor input) {
        return input.dim() == 3 && input.size(0) == inChannels;
    }

    private static Tensor batchOfOne(Tensor input) {
        return input.reshape(1, input.size(0), input.size(1), input.size(2));
    }

    private static Tensor unbatch(Tensor y) {
        return y.reshape(y.size(1), y.size(2), y.size(3));
    }

    /**
     * Computes the output at a requested size (H_out, W_out), as PyTorch's
     * {@code forward(input, output_size)}: the output padding becomes
     * {@code size - minimum size}, and the size must lie between the minimum (output padding 0) and
     * the minimum plus stride - 1.
     */
    public Tensor forward(Tensor input, int[] outputSize) {
        if (isUnbatched(input)) {
            return unbatch(forward(batchOfOne(input), outputSize));
        }
        int[] shape = checkInput(input);
        if (outputSize == null || outputSize.length != 2) {
            throw new IllegalArgumentException("ConvTranspose2d: output size must be (H_out, W_out), got "
                    + (outputSize == null ? "null" : Shape.str(outputSize)));
        }
        int[] min = unchecked(shape[2], shape[3], new int[2]);
        int[] extra = new int[2];
        for (int a = 0; a < 2; a++) {
            int max = min[a] + stride[a] - 1;
            if (outputSize[a] < min[a] || outputSize[a] > max) {
                throw new IllegalArgumentException("ConvTranspose2d: requested output size " + Shape.str(outputSize)
                        + ", but valid sizes range from " + ConvArgs.tuple(min) + " to "
                        + ConvArgs.tuple(new int[] {min[0] + stride[0] - 1, min[1] + stride[1] - 1})
                        + " for an input of " + Shape.str(shape));
            }
            extra[a] = outputSize[a] - min[a];
        }
        return run(input, extra);
    }

    private int[] checkInput(Tensor input) {
        int[] shape = input.shape();
        if (shape.length != 4 || shape[1] != inChannels) {
            throw new IllegalArgumentException("ConvTranspose2d: expected input of shape (N, " + inChannels
                    + ", H, W) or (" + inChannels + ", H, W), got " + Shape.str(shape));
        }
        return shape;
    }

    private Tensor run(Tensor input, int[] extra) {
        int[] shape = checkInput(input);
        int[] out = outputSize(shape[2], shape[3], extra);
        ConvGeometry g = geometry(shape[0], shape[2], shape[3], out);
        float[] xd = input.data();
        float[] wd = weight.data();
        float[] y = Arena.floats(Shape.numel(g.n(), g.c(), g.h(), g.w())); // (N, C_out, H_out, W_out)
        ConvKernel.backwardData(xd, wd, y, g);
        int l = g.h() * g.w();
        if (bias != null) {
            ConvKernel.addBias(y, bias.data(), g.n(), g.c(), l);
        }

        // Backward keeps the input and the weight (by reference), nothing else.
        Tensor w = weight;
        Tensor b = bias;
        return Tensor.result("conv_transpose2d", y, new int[] {g.n(), g.c(), g.h(), g.w()}, dy -> {
            if (input.requiresGrad()) {
                ConvKernel.forward(dy, wd, input.gradBuffer(), g, true);
            }
            if (w.requiresGrad()) {
                ConvKernel.backwardWeight(dy, xd, w.gradBuffer(), g);
            }
            if (b != null && b.requiresGrad()) {
                ConvKernel.biasGrad(dy, b.gradBuffer(), g.n(), g.c(), l);
            }
        }, b == null ? new Tensor[] {input, w} : new Tensor[] {input, w, b});
    }

    // The Conv2d this layer is the transpose of: from the output (C_out, H_out, W_out) to the input.
    private ConvGeometry geometry(int n, int h, int w, int[] out) {
        return new ConvGeometry(n, outChannels, out[0], out[1], inChannels, groups, kernel[0], kernel[1], stride[0],
                stride[1], padding[0], padding[1], dilation[0], dilation[1], h, w);
    }

    // ---------------------------------------------------------------- matrix view

    /**
     * Returns the dense matrix A of this layer without bias for one H x W input:
     * {@code forward(y) - bias = A vec(y)}, y of shape (1, C_in, H, W), both sides flattened row-major.
     * A is the transpose of the matrix of the Conv2d with this weight, stride, padding, dilation and
     * groups, applied to an H_out x W_out image.
     *
     * <p>Shape: (C_out H_out W_out, C_in H W).
     */
    public Tensor matrix(int h, int w) {
        int[] out = outputSize(h, w);
        int rows = Shape.numel(outChannels, out[0], out[1]);
        int cols = Shape.numel(inChannels, h, w);
        Shape.numel(rows, cols);
        float[] conv = ConvMatrix.build(weight.data(), geometry(1, h, w, out), PaddingMode.ZEROS); // (cols, rows)
        return Tensor.of(ConvMatrix.transpose(conv, cols, rows), rows, cols);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ConvTranspose2d(").append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(ConvArgs.tuple(kernel))
                .append(", stride=").append(ConvArgs.tuple(stride));
        if (padding[0] != 0 || padding[1] != 0) {
            sb.append(", padding=").append(ConvArgs.tuple(padding));
        }
        if (outputPadding[0] != 0 || outputPadding[1] != 0) {
            sb.append(", output_padding=").append(ConvArgs.tuple(outputPadding));
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
        return sb.append(')').toString();
    }
}
