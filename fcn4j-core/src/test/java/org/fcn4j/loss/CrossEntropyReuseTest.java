package org.fcn4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * CrossEntropyLoss keeps its work buffers from call to call. Whatever the order of the calls, each
 * result and gradient must equal that of a fresh instance.
 */
class CrossEntropyReuseTest {
    private final Generator rng = new Generator(21);

    private static int[] labels(Generator rng, int count, int classes, int ignoreIndex) {
        int[] y = new int[count];
        for (int i = 0; i < count; i++) {
            y[i] = i % 5 == 0 ? ignoreIndex : rng.nextInt(classes);
        }
        return y;
    }

    // Returns the loss value and logits gradient of one call on a fresh instance (every with...
    // method returns a new one).
    private static float[][] fresh(CrossEntropyLoss config, Tensor logits, int[] y) {
        Tensor x = logits.detach().requiresGrad(true);
        Tensor l = config.withIgnoreIndex(config.ignoreIndex()).forward(x, y, 2, 3, 3);
        l.backward();
        return new float[][] {l.data().clone(), x.grad().data().clone()};
    }

    @Test
    void reusedBuffersGiveFreshResults() {
        CrossEntropyLoss loss = new CrossEntropyLoss().withIgnoreIndex(255).withLabelSmoothing(0.1);
        Tensor a = Tensor.randn(rng, 2, 4, 3, 3);
        Tensor b = Tensor.randn(rng, 2, 4, 3, 3);
        int[] ya = labels(rng, 18, 4, 255);
        int[] yb = labels(rng, 18, 4, 255);

        // Two graphs alive at once: the second call cannot take the buffers of the first.
        Tensor xa = a.detach().requiresGrad(true);
        Tensor xb = b.detach().requiresGrad(true);
        Tensor la = loss.forward(xa, ya, 2, 3, 3);
        Tensor lb = loss.forward(xb, yb, 2, 3, 3);
        lb.backward();
        la.backward();
        assertArrayEquals(fresh(loss, a, ya)[0], la.data(), "first loss, computed before the second");
        assertArrayEquals(fresh(loss, a, ya)[1], xa.grad().data(), "first gradient, after the second backward");
        assertArrayEquals(fresh(loss, b, yb)[1], xb.grad().data(), "second gradient");

        // A graph kept for a second backward pass, with another call in between.
        Tensor xc = a.detach().requiresGrad(true);
        Tensor lc = loss.forward(xc, ya, 2, 3, 3);
        lc.backward(Tensor.scalar(1f), true);
        loss.forward(b.detach().requiresGrad(true), yb, 2, 3, 3).backward();
        lc.backward();
        float[] twice = fresh(loss, a, ya)[1].clone();
        for (int i = 0; i < twice.length; i++) {
            twice[i] *= 2;
        }
        assertArrayEquals(twice, xc.grad().data(), 1e-6f, "retained graph, backward twice around another call");

        // Without gradients, then with: the buffers come back after a call that records no graph.
        float expected = fresh(loss, b, yb)[0][0];
        try (var _ = GradMode.noGrad()) {
            assertEquals(expected, loss.forward(b, yb, 2, 3, 3).item(), "no-grad call");
        }
        Tensor xd = b.detach().requiresGrad(true);
        loss.forward(xd, yb, 2, 3, 3).backward();
        assertArrayEquals(fresh(loss, b, yb)[1], xd.grad().data(), "gradient after a no-grad call");
    }
}
