package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Tensor.allowGradOverData on a concatenation read only by a Conv2d, as in the U-Net's decoder. The
 * convolution then writes the concatenation's gradient over its values, with the same gradients as
 * without, except when the graph is kept for a second backward pass.
 */
class GradOverDataTest {
    private static final int[][] CASES = {
        // N, C_a, C_b, H, W, C_out, kernel, padding
        {2, 3, 2, 6, 5, 4, 3, 1},
        {1, 1, 4, 7, 7, 3, 3, 0},
        {3, 2, 2, 20, 17, 5, 3, 1}, // wide enough for the implicit products
        {2, 5, 3, 4, 4, 2, 1, 0},
    };

    /** Gradients of a, b, the weight and the bias, and the concatenation's gradient. */
    private record Grads(float[] a, float[] b, float[] weight, float[] bias, float[] joined) {
    }

    private static Grads run(int[] c, boolean overData, boolean retainGraph) {
        Generator rng = new Generator(11);
        Tensor a = Tensor.randn(rng, c[0], c[1], c[3], c[4]).requiresGrad(true);
        Tensor b = Tensor.randn(rng, c[0], c[2], c[3], c[4]).requiresGrad(true);
        Conv2d conv = new Conv2d(c[1] + c[2], c[5], c[6], Conv2d.options().padding(c[7]), rng);
        Tensor joined = Functional.concatChannels(a, b);
        float[] values = joined.data().clone();
        if (overData) {
            joined.allowGradOverData();
        } else {
            joined.retainGrad();
        }
        Tensor y = conv.forward(joined);
        Tensor r = Tensor.randn(rng, y.shape());
        Tensor loss = y.mul(r).sum();
        loss.backward(Tensor.scalar(1f), retainGraph);
        float[] dJoined = overData ? joined.data().clone() : joined.grad().data().clone();
        if (retainGraph) {
            assertArrayEquals(values, joined.data(), "the kept graph's concatenation must keep its values");
            loss.backward(Tensor.scalar(1f), false);
        }
        return new Grads(a.grad().data(), b.grad().data(), conv.weight().grad().data(), conv.bias().grad().data(),
                dJoined);
    }

    @Test
    void sameGradientsAsSeparateStorage() {
        for (int[] c : CASES) {
            String name = "concat (" + c[1] + " + " + c[2] + " channels) -> Conv2d(k=" + c[6] + ", p=" + c[7]
                    + ") on " + c[0] + " x " + c[3] + " x " + c[4];
            Grads plain = run(c, false, false);
            Grads over = run(c, true, false);
            assertArrayEquals(plain.joined(), over.joined(),
                    name + ": the concatenation's storage must hold its gradient after backward");
            assertArrayEquals(plain.a(), over.a(), name + ": gradient of the first branch");
            assertArrayEquals(plain.b(), over.b(), name + ": gradient of the second branch");
            assertArrayEquals(plain.weight(), over.weight(), name + ": weight gradient");
            assertArrayEquals(plain.bias(), over.bias(), name + ": bias gradient");
        }
    }

    @Test
    void keptGraphKeepsValues() {
        for (int[] c : CASES) {
            String name = "concat -> Conv2d on " + java.util.Arrays.toString(c) + ", two backward passes";
            Grads once = run(c, false, false);
            Grads twice = run(c, true, true);
            for (int i = 0; i < once.weight().length; i++) {
                once.weight()[i] *= 2;
            }
            for (int i = 0; i < once.a().length; i++) {
                once.a()[i] *= 2;
            }
            assertArrayEquals(once.weight(), twice.weight(), name + ": weight gradient, accumulated twice");
            assertArrayEquals(once.a(), twice.a(), name + ": gradient of the first branch, accumulated twice");
        }
    }

    @Test
    void leafRejected() {
        Tensor leaf = Tensor.zeros(1, 2, 3, 3).requiresGrad(true);
        assertThrows(IllegalStateException.class, leaf::allowGradOverData);
    }
}
