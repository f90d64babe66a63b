package org.fcn4j.nn;

import org.fcn4j.autograd.GradCheck;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of the input, weight and bias gradients of small convolutions. */
class ConvGradCheckTest {
    private final Generator rng = new Generator(7);

    private void check(Conv2d conv, int n, int h, int w) {
        Tensor x = Tensor.randn(rng, n, conv.inChannels(), h, w).requiresGrad(true);
        Tensor[] inputs = conv.bias() == null ? new Tensor[] {x, conv.weight()}
                : new Tensor[] {x, conv.weight(), conv.bias()};
        GradCheck.check(conv.toString(), in -> conv.forward(in[0]), inputs);
    }

    private void check(ConvTranspose2d conv, int n, int h, int w, int[] outputSize) {
        Tensor x = Tensor.randn(rng, n, conv.inChannels(), h, w).requiresGrad(true);
        Tensor[] inputs = conv.bias() == null ? new Tensor[] {x, conv.weight()}
                : new Tensor[] {x, conv.weight(), conv.bias()};
        GradCheck.check(conv.toString(), in -> outputSize == null ? conv.forward(in[0])
                : conv.forward(in[0], outputSize), inputs);
    }

    @Test
    void conv2dPaddingModes() {
        for (PaddingMode mode : PaddingMode.values()) {
            check(new Conv2d(2, 3, 3, Conv2d.options().padding(2, 1).paddingMode(mode), rng), 2, 5, 4);
        }
    }

    @Test
    void conv2dStrideDilationGroups() {
        check(new Conv2d(2, 2, 3, Conv2d.options().stride(2).padding(1), rng), 1, 7, 6);
        check(new Conv2d(2, 3, new int[] {2, 3}, Conv2d.options().dilation(2, 1).stride(1, 2), rng), 2, 6, 7);
        check(new Conv2d(4, 2, 3, Conv2d.options().groups(2).padding(1).bias(false), rng), 1, 5, 5);
        check(new Conv2d(3, 6, 3, Conv2d.options().groups(3).padding(1).paddingMode("circular"), rng), 1, 4, 5);
    }

    @Test
    void conv2dSameAndPointwise() {
        check(new Conv2d(2, 2, 4, Conv2d.options().padding("same"), rng), 1, 5, 6);
        check(new Conv2d(2, 2, 2, Conv2d.options().padding("same").dilation(3).paddingMode("reflect"), rng), 1, 5, 5);
        check(new Conv2d(3, 2, 1, rng), 2, 3, 4);
    }

    @Test
    void convTranspose2d() {
        check(new ConvTranspose2d(2, 3, 2, ConvTranspose2d.options().stride(2), rng), 2, 3, 3, null);
        check(new ConvTranspose2d(2, 2, 3, ConvTranspose2d.options().stride(3, 2).padding(1).outputPadding(2, 1),
                rng), 1, 3, 2, null);
        check(new ConvTranspose2d(4, 2, 3, ConvTranspose2d.options().groups(2).dilation(2).outputPadding(1)
                .bias(false), rng), 1, 3, 3, null);
        check(new ConvTranspose2d(2, 2, 3, ConvTranspose2d.options().stride(2).padding(1), rng), 1, 3, 3,
                new int[] {6, 5});
        check(new ConvTranspose2d(3, 2, 1, rng), 1, 3, 2, null);
    }
}
