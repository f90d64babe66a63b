package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

/**
 * Small cases of the layer mismatches that tools/fixtures/gen_random.py found outside the fixture
 * grids. Expected values are PyTorch 1.13's, and each comment names the PyTorch call behind them.
 */
class ParityRegressionTest {

    /**
     * A tap left of every window (kernel 5 dilated 2, padding 3, 3 columns, 1 output column) made
     * im2col and col2im address a run of length 0 before the plane, which threw.
     * nn.Conv2d(1, 1, (1, 5), padding=(0, 3), dilation=(1, 2), bias=False), weight 1..5.
     */
    @Test
    void convolutionWithATapOutsideEveryWindow() {
        Conv2d conv = new Conv2d(1, 1, new int[] {1, 5}, Conv2d.options().padding(0, 3).dilation(1, 2).bias(false),
                new Generator(1));
        System.arraycopy(new float[] {1, 2, 3, 4, 5}, 0, conv.weight().data(), 0, 5);
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 1, 1, 3).requiresGrad(true);
        Tensor y = conv.forward(x);
        assertArrayEquals(new int[] {1, 1, 1, 1}, y.shape(), "Conv2d output shape");
        Approx.assertClose("Conv2d forward", new float[] {6}, y.data(), 0, 0);
        y.backward(Tensor.ones(1, 1, 1, 1));
        Approx.assertClose("Conv2d input gradient", new float[] {0, 3, 0}, x.grad().data(), 0, 0);
        Approx.assertClose("Conv2d weight gradient", new float[] {0, 0, 2, 0, 0}, conv.weight().grad().data(), 0, 0);

        // nn.ConvTranspose2d with the same arguments: the adjoint, 1 column to 3.
        ConvTranspose2d up = new ConvTranspose2d(1, 1, new int[] {1, 5},
                ConvTranspose2d.options().padding(0, 3).dilation(1, 2).bias(false), new Generator(1));
        System.arraycopy(new float[] {1, 2, 3, 4, 5}, 0, up.weight().data(), 0, 5);
        Tensor z = Tensor.of(new float[] {2}, 1, 1, 1, 1).requiresGrad(true);
        Tensor u = up.forward(z);
        Approx.assertClose("ConvTranspose2d forward", Tensor.of(new float[] {0, 6, 0}, 1, 1, 1, 3), u, 0, 0);
        u.backward(Tensor.of(new float[] {1, 2, 3}, 1, 1, 1, 3));
        Approx.assertClose("ConvTranspose2d input gradient", new float[] {6}, z.grad().data(), 0, 0);
        Approx.assertClose("ConvTranspose2d weight gradient", new float[] {0, 0, 4, 0, 0}, up.weight().grad().data(),
                0, 0);
    }

    /**
     * An output_size request is valid when it lies in [minimum, minimum + stride - 1], even when the
     * minimum itself (output padding 0) is 0: here 1 x 5 gives at least 0 x 12, and 2 x 14 was
     * rejected. nn.ConvTranspose2d(1, 1, 2, stride=3, padding=1, bias=False), weight 1..4,
     * input 1..5, output_size (2, 14), dy 0..27.
     */
    @Test
    void convTransposeOutputSizeAboveAnEmptyMinimum() {
        ConvTranspose2d up = new ConvTranspose2d(1, 1, 2, ConvTranspose2d.options().stride(3).padding(1).bias(false),
                new Generator(1));
        System.arraycopy(new float[] {1, 2, 3, 4}, 0, up.weight().data(), 0, 4);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5}, 1, 1, 1, 5).requiresGrad(true);
        Tensor y = up.forward(x, new int[] {2, 14});
        float[] expected = new float[28];
        System.arraycopy(new float[] {4, 0, 6, 8, 0, 9, 12, 0, 12, 16, 0, 15, 20, 0}, 0, expected, 0, 14);
        Approx.assertClose("ConvTranspose2d output_size (2, 14)", Tensor.of(expected, 1, 1, 2, 14), y, 0, 0);
        float[] dy = new float[28];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = i;
        }
        y.backward(Tensor.of(dy, 1, 1, 2, 14));
        Approx.assertClose("input gradient", new float[] {0, 18, 39, 60, 81}, x.grad().data(), 0, 0);
        Approx.assertClose("weight gradient", new float[] {0, 0, 106, 120}, up.weight().grad().data(), 0, 0);
    }

    /**
     * PyTorch 1.13's nearest forward keeps a same-size axis (and halves a doubled one) only for
     * one-channel inputs; its backward always does.
     * F.interpolate(x, scale_factor=(1.1, 1.0), mode="nearest") on 5 x 1 planes of 0..4.
     */
    @Test
    void nearestScaleFactorDependsOnTheChannelCount() {
        Upsample up = Upsample.byScale(1.1, 1.0, Upsample.Mode.NEAREST, false);
        float[] rows = {0, 1, 2, 3, 4};
        Tensor one = up.forward(Tensor.of(rows, 1, 1, 5, 1));
        Approx.assertClose("nearest x1.1, 1 channel", new float[] {0, 1, 2, 3, 4}, one.data(), 0, 0);

        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 0, 1, 2, 3, 4}, 1, 2, 5, 1).requiresGrad(true);
        Tensor two = up.forward(x);
        Approx.assertClose("nearest x1.1, 2 channels", new float[] {0, 0, 1, 2, 3, 0, 0, 1, 2, 3}, two.data(), 0, 0);
        two.backward(Tensor.of(new float[] {0, 2, 4, 6, 8, 0, 2, 4, 6, 8}, 1, 2, 5, 1));
        Approx.assertClose("nearest x1.1, 2 channels, input gradient", new float[] {0, 2, 4, 6, 8, 0, 2, 4, 6, 8},
                x.grad().data(), 0, 0);

        // 2 rows by 2.4 give 4: rows 0, 0, 0, 1 for two channels, 0, 0, 1, 1 for one.
        Upsample by24 = Upsample.byScale(2.4, 1.0, Upsample.Mode.NEAREST, false);
        Approx.assertClose("nearest x2.4, 1 channel", new float[] {5, 5, 7, 7},
                by24.forward(Tensor.of(new float[] {5, 7}, 1, 1, 2, 1)).data(), 0, 0);
        Approx.assertClose("nearest x2.4, 2 channels", new float[] {5, 5, 5, 7, 1, 1, 1, 3},
                by24.forward(Tensor.of(new float[] {5, 7, 1, 3}, 1, 2, 2, 1)).data(), 0, 0);
    }

    /**
     * A LayerNorm row of one value has a zero input gradient. The float32 combination of
     * invStd * dy and the mean term left 6e-5 with eps 1e-5.
     * nn.LayerNorm(1) with weight 1.5, bias 0.25 on [[100.5], [-3.3]], dy [[0.7], [-1.9]]: dx 0, 0.
     */
    @Test
    void layerNormOfOneValueHasZeroInputGradient() {
        LayerNorm ln = new LayerNorm(new int[] {1}, 1e-5, true);
        ln.weight().data()[0] = 1.5f;
        ln.bias().data()[0] = 0.25f;
        Tensor x = Tensor.of(new float[] {100.5f, -3.3f}, 2, 1).requiresGrad(true);
        ln.forward(x).backward(Tensor.of(new float[] {0.7f, -1.9f}, 2, 1));
        Approx.assertClose("LayerNorm(1) input gradient", new float[] {0, 0}, x.grad().data(), 1e-9, 0);
    }

    /**
     * The same cancellation in the plane kernel: GroupNorm with one value per group.
     * nn.GroupNorm(1, 1, eps=1e-12) with weight 0.9135 on [[-0.61], [5.56], [3.25]], dy
     * [[-0.375], [-0.875], [-0.375]]: dx 0, 0, 0 (fcn4j gave 0.0625 in float32).
     */
    @Test
    void groupNormOfOneValuePerGroupHasZeroInputGradient() {
        GroupNorm gn = new GroupNorm(1, 1, 1e-12, true);
        gn.weight().data()[0] = 0.913499773f;
        gn.bias().data()[0] = 0.493238628f;
        Tensor x = Tensor.of(new float[] {-0.609664857f, 5.56278229f, 3.25298643f}, 3, 1).requiresGrad(true);
        gn.forward(x).backward(Tensor.of(new float[] {-0.375f, -0.875f, -0.375f}, 3, 1));
        Approx.assertClose("GroupNorm(1, 1) input gradient", new float[] {0, 0, 0}, x.grad().data(), 1e-9, 0);
    }

    /**
     * An empty batch in training mode: PyTorch 1.13 returns an empty output, keeps the running
     * statistics, counts the step in num_batches_tracked and gives zero parameter gradients.
     * fcn4j rejected it as "one value per channel".
     */
    @Test
    void batchNormOfAnEmptyBatch() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Tensor x = Tensor.zeros(0, 2, 3, 3).requiresGrad(true);
        Tensor y = bn.forward(x);
        assertArrayEquals(new int[] {0, 2, 3, 3}, y.shape(), "output shape");
        y.backward(Tensor.zeros(0, 2, 3, 3));
        assertEquals(1f, bn.numBatchesTracked().item(), "num_batches_tracked");
        Approx.assertClose("running_mean", new float[] {0, 0}, bn.runningMean().data(), 0, 0);
        Approx.assertClose("running_var", new float[] {1, 1}, bn.runningVar().data(), 0, 0);
        Approx.assertClose("weight gradient", new float[] {0, 0}, bn.weight().grad().data(), 0, 0);
        Approx.assertClose("bias gradient", new float[] {0, 0}, bn.bias().grad().data(), 0, 0);
    }

    /** Pooling layers take an unbatched (C, H, W) input as PyTorch's do, and give (C, H_out, W_out). */
    @Test
    void poolingAcceptsUnbatchedInput() {
        Generator rng = new Generator(3);
        Tensor x = Tensor.randn(rng, 2, 5, 7);
        Module[] layers = {
            new MaxPool2d(new int[] {3, 2}, MaxPool2d.options().stride(2, 1).padding(1, 0).ceilMode(true)),
            new AvgPool2d(new int[] {2, 3}, AvgPool2d.options().padding(1, 1).countIncludePad(false)),
            new AdaptiveAvgPool2d(3, 4),
        };
        for (Module m : layers) {
            Tensor unbatched = x.copy().requiresGrad(true);
            Tensor batched = x.copy().reshape(1, 2, 5, 7).requiresGrad(true);
            Tensor y3 = m.forward(unbatched);
            Tensor y4 = m.forward(batched);
            assertEquals(3, y3.dim(), m + ": rank of the unbatched output");
            Approx.assertClose(m + " unbatched forward", y4.data(), y3.data(), 0, 0);
            Tensor dy = Tensor.randn(rng, y3.shape());
            y3.backward(dy);
            y4.backward(dy.reshape(y4.shape()));
            Approx.assertClose(m + " unbatched input gradient", batched.grad().data(), unbatched.grad().data(), 0, 0);
        }
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(2).forward(Tensor.ones(4, 4)));
        assertTrue(rank.getMessage().contains("(C, H, W), got (4, 4)"), rank.getMessage());
    }

    /** A softmax axis outside the input's rank is rejected with the layer and the valid range, as PyTorch's IndexError. */
    @Test
    void softmaxDimOutOfRangeNamesTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LogSoftmax(4).forward(Tensor.ones(1, 2, 3, 3)));
        assertEquals("LogSoftmax(dim=4): dim must be in [-4, 3] for input of shape (1, 2, 3, 3)", e.getMessage());
    }
}
