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
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * A fully convolutional network in the spirit of FCN-8s (Long, Shelhamer and Darrell, "Fully
 * Convolutional Networks for Semantic Segmentation", CVPR 2015), small and trained from scratch.
 *
 * <p>Encoder: five stages {@code stage1..stage5}, each (Conv 3x3 -> norm -> ReLU) x 2 followed by
 * MaxPool2d(2), so their outputs have strides 2, 4, 8, 16 and 32; widths are the configuration's
 * four widths and then its bottleneck. Scores: a Conv2d 1x1 to the classes on the outputs of
 * stride 32 ({@code score32}), 16 ({@code score16}) and 8 ({@code score8}). Fusion: the stride-32
 * scores are upsampled by 2 ({@code up32}, ConvTranspose2d 4x4 stride 2 padding 1) and added to the
 * stride-16 scores, the sum upsampled by 2 ({@code up16}) and added to the stride-8 scores, and
 * that sum upsampled by 8 ({@code up8}, ConvTranspose2d 16x16 stride 8 padding 4) to the input size.
 * NOTE: the original initialises the upsampling kernels to bilinear interpolation and the encoder
 * from VGG16; here every layer uses PyTorch's default initialisation.
 *
 * <p>Shape: input (N, C_in, H, W), any H, W (padded by reflection to a multiple of 32 and
 * cropped back); output (N, C_out, H, W).
 */
public final class FCN extends Module {
    private final ModelConfig config;
    private final Sequential[] stages = new Sequential[5];
    private final Conv2d score8;
    private final Conv2d score16;
    private final Conv2d score32;
    private final ConvTranspose2d up32;
    private final ConvTranspose2d up16;
    private final ConvTranspose2d up8;
    private final Dropout dropout;

    public FCN(ModelConfig config, Generator rng) {
        if (!config.type().equals("fcn")) {
            throw new IllegalArgumentException("FCN needs a configuration of type fcn, got " + config.type());
        }
        this.config = config;
        int[] widths = new int[5];
        for (int i = 0; i < 4; i++) {
            widths[i] = config.widths().get(i);
        }
        widths[4] = config.bottleneck();
        int in = config.inChannels();
        for (int i = 0; i < 5; i++) {
            List<Module> layers = new ArrayList<>();
            ConvBlock.addConv(layers, in, widths[i], config.norm(), rng);
            ConvBlock.addConv(layers, widths[i], widths[i], config.norm(), rng);
            layers.add(new MaxPool2d(2));
            stages[i] = registerModule("stage" + (i + 1), new Sequential(layers.toArray(new Module[0])));
            in = widths[i];
        }
        int k = config.outChannels();
        score32 = registerModule("score32", new Conv2d(widths[4], k, 1, rng));
        score16 = registerModule("score16", new Conv2d(widths[3], k, 1, rng));
        score8 = registerModule("score8", new Conv2d(widths[2], k, 1, rng));
        up32 = registerModule("up32", new ConvTranspose2d(k, k, 4, ConvTranspose2d.options().stride(2).padding(1), rng));
        up16 = registerModule("up16", new ConvTranspose2d(k, k, 4, ConvTranspose2d.options().stride(2).padding(1), rng));
        up8 = registerModule("up8", new ConvTranspose2d(k, k, 16, ConvTranspose2d.options().stride(8).padding(4), rng));
        dropout = config.dropout() > 0 ? new Dropout(config.dropout(), rng) : null;
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
            throw new IllegalArgumentException("FCN: expected input of shape (N, " + config.inChannels()
                    + ", H, W), got " + Shape.str(s));
        }
        SpatialPadding padding = new SpatialPadding(s[2], s[3], 32);
        Tensor x = padding.pad(input);

        // Encoder: outputs at strides 2, 4, 8, 16, 32.
        Tensor[] features = new Tensor[5];
        for (int i = 0; i < 5; i++) {
            x = stages[i].forward(x);
            features[i] = x;
        }
        Tensor deepest = dropout == null ? features[4] : dropout.forward(features[4]);

        // Skip fusion from stride 32 to stride 8, then back to the input resolution.
        Tensor fused = Functional.add(up32.forward(score32.forward(deepest)), score16.forward(features[3]));
        fused = Functional.add(up16.forward(fused), score8.forward(features[2]));
        return padding.crop(up8.forward(fused));
    }

    /**
     * Runs one (1, C, H, W) zero image through the network in evaluation mode and lists each block's
     * output shape and parameter count, in forward order.
     */
    public List<LayerSummary> summarize(int channels, int height, int width) {
        List<LayerSummary> rows = new ArrayList<>();
        boolean wasTraining = isTraining();
        eval();
        try (var _ = GradMode.noGrad()) {
            SpatialPadding padding = new SpatialPadding(height, width, 32);
            Tensor x = padding.pad(Tensor.zeros(1, channels, height, width));
            rows.add(new LayerSummary("input", padding.needed() ? "padded by reflection" : "", x.shape(), 0));
            Tensor[] features = new Tensor[5];
            for (int i = 0; i < 5; i++) {
                x = stages[i].forward(x);
                features[i] = x;
                rows.add(row("stage" + (i + 1), "double conv + MaxPool2d(2), stride " + (2 << i), x, stages[i]));
            }
            Tensor s32 = score32.forward(features[4]);
            rows.add(row("score32", "Conv2d 1x1", s32, score32));
            Tensor u32 = up32.forward(s32);
            rows.add(row("up32", "ConvTranspose2d x2", u32, up32));
            Tensor s16 = score16.forward(features[3]);
            rows.add(row("score16", "Conv2d 1x1, added", s16, score16));
            Tensor u16 = up16.forward(Functional.add(u32, s16));
            rows.add(row("up16", "ConvTranspose2d x2", u16, up16));
            Tensor s8 = score8.forward(features[2]);
            rows.add(row("score8", "Conv2d 1x1, added", s8, score8));
            Tensor out = padding.crop(up8.forward(Functional.add(u16, s8)));
            rows.add(row("up8", "ConvTranspose2d x8", out, up8));
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
        return "FCN(" + config.toJson() + ")";
    }
}
