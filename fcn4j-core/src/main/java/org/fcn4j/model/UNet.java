package org.fcn4j.model;

import java.util.ArrayList;
import java.util.List;

import org.fcn4j.autograd.GradMode;

import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvTranspose2d;
import org.fcn4j.nn.Dropout;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.MaxPool2d;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Sequential;
import org.fcn4j.nn.Upsample;
import org.fcn4j.tensor.Arena;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.tensor.Generator;

/**
 * U-Net (Ronneberger, Fischer and Brox, "U-Net: Convolutional Networks for Biomedical Image
 * Segmentation", MICCAI 2015) with "same" convolutions, configurable widths, normalisation and
 * upsampling.
 *
 * <p>Levels i = 0..D-1 of widths c_i: encoder {@code down<i+1>} = (Conv 3x3 -> norm -> ReLU) x 2,
 * then MaxPool2d(2); bottleneck at H / 2^D with {@code bottleneck} channels; decoder
 * {@code up<i+1>} upsamples by 2 to c_i channels (ConvTranspose2d 2x2 stride 2, or
 * bilinear / nearest Upsample followed by Conv2d 3x3), concatenates the encoder output of level i
 * (upsampled first, skip second) and {@code dec<i+1>} applies the double convolution
 * 2 c_i -> c_i -> c_i; {@code head} is a Conv2d 1x1 to the output channels, with no activation.
 * Optional dropout acts on the bottleneck output.
 *
 * <p>NOTE: inputs whose height or width is not a multiple of 2^D are padded by reflection and the
 * output is cropped back, so any image size works; the padding is seen by the network.
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C_in, H, W), any H, W &gt;= 1
 *   output: (N, C_out, H, W)
 * </pre>
 * Defaults ({@link ModelConfig#courseUNet}): widths 16, 32, 64, 128, bottleneck 128, BatchNorm,
 * transposed convolutions, no dropout.
 */
public final class UNet extends Module {
    private final ModelConfig config;
    private final ConvBlock[] down;
    private final ConvBlock bottleneck;
    private final Module[] up;
    private final ConvBlock[] dec;
    private final Conv2d head;
    private final MaxPool2d pool = new MaxPool2d(2);
    private final Dropout dropout;
    private final Arena arena = new Arena();
    private volatile Tensor lastInner; // the head's input in the last arena pass, whose graph shows whether that pass is done

    /**
     * Builds the network; initial weights are PyTorch's defaults drawn from {@code rng}, and the
     * same generator draws the dropout masks.
     */
    public UNet(ModelConfig config, Generator rng) {
        if (!config.type().equals("unet")) {
            throw new IllegalArgumentException("UNet needs a configuration of type unet, got " + config.type());
        }
        this.config = config;
        List<Integer> c = config.widths();
        int depth = c.size();
        down = new ConvBlock[depth];
        up = new Module[depth];
        dec = new ConvBlock[depth];
        for (int i = 0; i < depth; i++) {
            int in = i == 0 ? config.inChannels() : c.get(i - 1);
            down[i] = registerModule("down" + (i + 1), new ConvBlock(in, c.get(i), config.norm(), rng));
        }
        bottleneck = registerModule("bottleneck", new ConvBlock(c.get(depth - 1), config.bottleneck(), config.norm(),
                rng));
        for (int i = depth - 1; i >= 0; i--) {
            int from = i == depth - 1 ? config.bottleneck() : c.get(i + 1);
            up[i] = registerModule("up" + (i + 1), upsampler(from, c.get(i), config.upsampling(), rng));
            dec[i] = registerModule("dec" + (i + 1), new ConvBlock(2 * c.get(i), c.get(i), config.norm(), rng));
        }
        head = registerModule("head", new Conv2d(c.get(0), config.outChannels(), 1, rng));
        dropout = config.dropout() > 0 ? new Dropout(config.dropout(), rng) : null;
    }

    private static Module upsampler(int in, int out, String mode, Generator rng) {
        if (mode.equals("transpose")) {
            return new ConvTranspose2d(in, out, 2, ConvTranspose2d.options().stride(2), rng);
        }
        Upsample.Mode m = mode.equals("bilinear") ? Upsample.Mode.BILINEAR : Upsample.Mode.NEAREST;
        return new Sequential(Upsample.byScale(2, m, false), new Conv2d(in, out, 3, Conv2d.options().padding(1), rng));
    }

    public ModelConfig config() {
        return config;
    }

    @Override
    public Module train(boolean mode) {
        super.train(mode);
        if (dropout != null) {
            dropout.train(mode);
        }
        return this;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] s = input.shape();
        if (s.length != 4 || s[1] != config.inChannels()) {
            throw new IllegalArgumentException("UNet: expected input of shape (N, " + config.inChannels()
                    + ", H, W), got " + Shape.str(s));
        }
        int depth = down.length;
        SpatialPadding padding = new SpatialPadding(s[2], s[3], 1 << depth);
        Tensor x;

        // Everything up to the head stays inside the model, so its storage comes from the arena,
        // reused when the previous pass's graph can no longer be read.
        try (var scope = arena.open(this::previousPassReleased)) {
            x = padding.pad(input);

            // Encoder: keep each level's output for the skip connection.
            Tensor[] skips = new Tensor[depth];
            for (int i = 0; i < depth; i++) {
                skips[i] = down[i].forward(x);
                x = pool.forward(skips[i]);
            }

            x = bottleneck.forward(x);
            if (dropout != null) {
                x = dropout.forward(x);
            }

            // Decoder: upsample, join the skip (upsampled first), double convolution. Once the
            // concatenation has copied them, nothing reads the upsampled tensor or the skip: the
            // upsampler's backward reads its input, the concatenation's none, the pooling's its
            // indices, and a double convolution's last ReLU its input (ConvBlock). So their storage
            // goes to the next convolutions' outputs. The joined tensor's only reader is the first
            // convolution, so its gradient may be written over it.
            for (int i = depth - 1; i >= 0; i--) {
                Tensor upsampled = up[i].forward(x);
                Tensor joined = Functional.concatChannels(upsampled, skips[i]);
                Arena.release(upsampled.data());
                Arena.release(skips[i].data());
                if (joined.gradFn() != null) {
                    joined.allowGradOverData();
                }
                x = dec[i].forward(joined);
            }
            if (scope.owns()) {
                lastInner = x;
            }

            // The head's output is returned, so it must not come from the arena. The head reads x,
            // which does, so the arena stays taken until the head is done: another thread's pass
            // would otherwise overwrite x.
            try (var _ = Arena.suspend()) {
                x = head.forward(x);
            }
        }

        return padding.crop(x);
    }

    // True when no one can read the previous pass's intermediate tensors: it recorded no graph, or
    // a backward pass freed it (without retainGraph).
    private boolean previousPassReleased() {
        return lastInner == null || lastInner.gradFn() == null || lastInner.gradFn().isFreed();
    }

    /**
     * Runs one (1, C, H, W) zero image through the network in evaluation mode and lists each block's
     * output shape and parameter count, in forward order; the bottleneck row gives its spatial size.
     */
    public List<LayerSummary> summarize(int channels, int height, int width) {
        List<LayerSummary> rows = new ArrayList<>();
        boolean wasTraining = isTraining();
        eval();
        try (var _ = GradMode.noGrad()) {
            SpatialPadding padding = new SpatialPadding(height, width, 1 << down.length);
            Tensor x = padding.pad(Tensor.zeros(1, channels, height, width));
            rows.add(new LayerSummary("input", padding.needed() ? "padded by reflection" : "", x.shape(), 0));
            Tensor[] skips = new Tensor[down.length];
            for (int i = 0; i < down.length; i++) {
                skips[i] = down[i].forward(x);
                rows.add(row("down" + (i + 1), "double conv", skips[i], down[i]));
                x = pool.forward(skips[i]);
                rows.add(new LayerSummary("pool" + (i + 1), "MaxPool2d(2)", x.shape(), 0));
            }
            x = bottleneck.forward(x);
            rows.add(row("bottleneck", "double conv", x, bottleneck));
            for (int i = down.length - 1; i >= 0; i--) {
                x = up[i].forward(x);
                rows.add(row("up" + (i + 1), config.upsampling(), x, up[i]));
                x = dec[i].forward(Functional.concatChannels(x, skips[i]));
                rows.add(row("dec" + (i + 1), "concat skip + double conv", x, dec[i]));
            }
            x = padding.crop(head.forward(x));
            rows.add(row("head", "Conv2d 1x1", x, head));
        } finally {
            train(wasTraining);
        }
        return rows;
    }

    private static LayerSummary row(String name, String what, Tensor out, Module m) {
        return new LayerSummary(name, what, out.shape(), m.parameterCount());
    }

    @Override
    public String toString() {
        return "UNet(" + config.toJson() + ")";
    }
}
