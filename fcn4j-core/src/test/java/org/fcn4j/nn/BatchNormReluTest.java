package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** BatchNorm2d.forwardReLU against BatchNorm2d then ReLU: values, running statistics and gradients. */
class BatchNormReluTest {

    @Test
    void fusedEqualsBatchNormThenRelu() {
        Generator rng = new Generator(5);
        int[][] shapes = {{2, 3, 5, 7}, {4, 1, 1, 3}, {1, 4, 8, 8}, {3, 17, 2, 5}};
        for (int[] s : shapes) {
            String name = "BatchNorm2d(" + s[1] + ") + ReLU on " + java.util.Arrays.toString(s);
            BatchNorm2d fused = new BatchNorm2d(s[1]);
            BatchNorm2d plain = new BatchNorm2d(s[1]);
            Tensor gamma = Tensor.randn(rng, s[1]);
            Tensor beta = Tensor.randn(rng, s[1]);
            for (BatchNorm2d bn : new BatchNorm2d[] {fused, plain}) {
                System.arraycopy(gamma.data(), 0, bn.weight().data(), 0, s[1]);
                System.arraycopy(beta.data(), 0, bn.bias().data(), 0, s[1]);
            }
            Tensor x = Tensor.randn(rng, s).requiresGrad(true);
            Tensor x2 = x.detach().copy().requiresGrad(true);
            Tensor seed = Tensor.randn(rng, s);

            // Training mode: batch statistics, running statistics updated.
            Tensor yf = fused.forwardReLU(x);
            Tensor yp = new ReLU().forward(plain.forward(x2));
            assertArrayEquals(yp.data(), yf.data(), name + ": forward, training");
            assertArrayEquals(plain.runningMean().data(), fused.runningMean().data(), name + ": running_mean");
            assertArrayEquals(plain.runningVar().data(), fused.runningVar().data(), name + ": running_var");
            yf.retainGrad();
            yf.backward(seed);
            yp.backward(seed);
            assertArrayEquals(x2.grad().data(), x.grad().data(), name + ": input gradient");
            assertArrayEquals(plain.weight().grad().data(), fused.weight().grad().data(), name + ": weight gradient");
            assertArrayEquals(plain.bias().grad().data(), fused.bias().grad().data(), name + ": bias gradient");
            assertArrayEquals(seed.data(), yf.grad().data(), name + ": the output's retained gradient is not masked");

            // Evaluation mode: running statistics.
            fused.eval();
            plain.eval();
            try (var scope = GradMode.noGrad()) {
                assertArrayEquals(new ReLU().forward(plain.forward(x2)).data(), fused.forwardReLU(x).data(),
                        name + ": forward, evaluation");
            }
        }
    }

    @Test
    void fusedInsideAGraphEqualsBatchNormThenRelu() {
        // Here the fused output is intermediate, so its backward masks the dropped gradient in place.
        Generator rng = new Generator(6);
        int[][] shapes = {{2, 3, 5, 7}, {1, 4, 8, 8}, {3, 17, 2, 5}};
        for (int[] s : shapes) {
            String name = "BatchNorm2d(" + s[1] + ") + ReLU inside a graph, on " + java.util.Arrays.toString(s);
            BatchNorm2d fused = new BatchNorm2d(s[1]);
            BatchNorm2d plain = new BatchNorm2d(s[1]);
            Tensor x = Tensor.randn(rng, s).requiresGrad(true);
            Tensor x2 = x.detach().copy().requiresGrad(true);
            Tensor r = Tensor.randn(rng, s);
            fused.forwardReLU(x).mul(r).sum().backward();
            new ReLU().forward(plain.forward(x2)).mul(r).sum().backward();
            assertArrayEquals(x2.grad().data(), x.grad().data(), name + ": input gradient");
            assertArrayEquals(plain.weight().grad().data(), fused.weight().grad().data(), name + ": weight gradient");
            assertArrayEquals(plain.bias().grad().data(), fused.bias().grad().data(), name + ": bias gradient");
        }
    }

    @Test
    void backwardDoesNotReadTheOutput() {
        // The U-Net hands a skip's storage to later layers before the backward pass, so the fused
        // backward must recompute the ReLU's mask from its input. A zero and a negative gamma make
        // whole channels clipped or flipped.
        Generator rng = new Generator(7);
        int[][] shapes = {{2, 3, 5, 7}, {1, 4, 8, 8}, {3, 17, 2, 5}};
        for (int[] s : shapes) {
            String name = "BatchNorm2d(" + s[1] + ") + ReLU with its output overwritten, on "
                    + java.util.Arrays.toString(s);
            BatchNorm2d fused = new BatchNorm2d(s[1]);
            BatchNorm2d plain = new BatchNorm2d(s[1]);
            Tensor gamma = Tensor.randn(rng, s[1]);
            gamma.data()[0] = 0f;
            gamma.data()[s[1] - 1] = -Math.abs(gamma.data()[s[1] - 1]) - 0.5f;
            for (BatchNorm2d bn : new BatchNorm2d[] {fused, plain}) {
                System.arraycopy(gamma.data(), 0, bn.weight().data(), 0, s[1]);
            }
            Tensor x = Tensor.randn(rng, s).requiresGrad(true);
            Tensor x2 = x.detach().copy().requiresGrad(true);
            Tensor r = Tensor.randn(rng, s);
            Tensor yf = fused.forwardReLU(x);
            Tensor product = yf.mul(r);
            Tensor yp = new ReLU().forward(plain.forward(x2));
            assertArrayEquals(yp.data(), yf.data(), name + ": forward");
            java.util.Arrays.fill(yf.data(), Float.NaN);
            product.sum().backward();
            yp.mul(r).sum().backward();
            assertArrayEquals(x2.grad().data(), x.grad().data(), name + ": input gradient");
            assertArrayEquals(plain.weight().grad().data(), fused.weight().grad().data(), name + ": weight gradient");
            assertArrayEquals(plain.bias().grad().data(), fused.bias().grad().data(), name + ": bias gradient");
        }
    }
    /**
     * The input gradient of a computed input is written over an array from the gradient pool,
     * which still contains the previous step's values: two identical steps give identical gradients.
     */
    @Test
    void pooledGradientIsOverwritten() {
        Generator rng = new Generator(6);
        int[] s = {2, 3, 6, 5};
        BatchNorm2d bn = new BatchNorm2d(s[1]);
        Tensor x = Tensor.randn(rng, s);
        Tensor seed = Tensor.randn(rng, s);
        float[][] grads = new float[2][];
        for (int step = 0; step < 2; step++) {
            Tensor leaf = x.detach().copy().requiresGrad(true);
            Tensor scaled = leaf.mul(2f); // computed: its gradient comes from the pool and goes back
            bn.forwardReLU(scaled).backward(seed);
            grads[step] = leaf.grad().data().clone();
        }
        assertArrayEquals(grads[0], grads[1], "input gradient of the second step");
    }
}
