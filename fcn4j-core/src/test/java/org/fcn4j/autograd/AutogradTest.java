package org.fcn4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The semantics of backward(): accumulation, detach, no-grad scopes, graph freeing and errors. */
class AutogradTest {

    private static Tensor leaf(float... values) {
        return Tensor.vector(values).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateUntilZeroGrad() {
        Tensor x = leaf(1f, 2f, 3f);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2f, 4f, 6f}, x.grad().data(), "first pass: d(sum x^2)/dx = 2x");
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {5f, 7f, 9f}, x.grad().data(), "second pass adds 3 to each element");
        x.zeroGrad();
        assertArrayEquals(new float[] {0f, 0f, 0f}, x.grad().data(), "zeroGrad");
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2f, 4f, 6f}, x.grad().data(), "after zeroGrad the pass starts from zero");
    }

    @Test
    void sharedSubexpressionIsVisitedOnce() {
        // y = x^2 is used twice: dL/dx = 2 * (2x) for L = sum(y + y); a node visited twice would give 8x.
        Tensor x = leaf(1f, -2f);
        Tensor y = x.square();
        y.add(y).sum().backward();
        assertArrayEquals(new float[] {4f, -8f}, x.grad().data());
    }

    @Test
    void intermediateGradientsAreDroppedUnlessRetained() {
        Tensor x = leaf(1f, 2f);
        Tensor y = x.mul(2f);
        Tensor z = x.mul(3f).retainGrad();
        y.add(z).sum().backward();
        assertNull(y.grad(), "an intermediate gradient is released after backward");
        assertArrayEquals(new float[] {1f, 1f}, z.grad().data(), "retainGrad keeps it");
        assertArrayEquals(new float[] {5f, 5f}, x.grad().data());
    }

    @Test
    void detachSharesStorageAndStopsGradient() {
        Tensor x = leaf(1f, 2f);
        Tensor d = x.detach();
        assertSame(x.data(), d.data(), "detach shares storage");
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());

        // L = sum(x * detach(x)): only the first factor carries a gradient, so dL/dx = x.
        x.mul(x.detach()).sum().backward();
        assertArrayEquals(new float[] {1f, 2f}, x.grad().data());
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = leaf(1f, 2f);
        Tensor inside;
        try (var _ = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            try (var _ = GradMode.noGrad()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled(), "leaving a nested scope keeps the outer one");
            inside = x.mul(2f).exp().sum();
        }
        assertTrue(GradMode.isEnabled(), "leaving the outermost scope restores recording");
        assertFalse(inside.requiresGrad());
        assertNull(inside.gradFn());
        IllegalStateException e = assertThrows(IllegalStateException.class, inside::backward);
        assertTrue(e.getMessage().contains("does not require a gradient"), e.getMessage());

        Tensor outside = x.mul(2f).sum();
        assertNotNull(outside.gradFn(), "recording resumes after the scope");
    }

    @Test
    void backwardOnNonScalarNeedsSeed() {
        Tensor x = leaf(1f, 2f, 3f);
        Tensor y = x.mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("backward() without a seed gradient needs a scalar, got shape (3,)"),
                e.getMessage());

        y.backward(Tensor.vector(1f, 0f, -1f));
        assertArrayEquals(new float[] {2f, 0f, -2f}, x.grad().data(), "backward with a seed");

        Tensor z = x.mul(2f);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> z.backward(Tensor.zeros(2)));
        assertTrue(bad.getMessage().contains("expected shape (3,), got (2,)"), bad.getMessage());
    }

    @Test
    void secondBackwardThroughFreedGraphFails() {
        Tensor x = leaf(1f, 2f);
        Tensor loss = x.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("backward through a freed graph"), e.getMessage());
        assertTrue(e.getMessage().contains("backward(seed, true)"), "the message names the fix: " + e.getMessage());
    }

    @Test
    void retainedGraphAllowsSecondBackward() {
        Tensor x = leaf(0f, 1f);
        Tensor loss = x.exp().sum();
        loss.backward(Tensor.scalar(1f), true);
        loss.backward(Tensor.scalar(1f), false);
        float e = (float) Math.E;
        assertArrayEquals(new float[] {2f, 2f * e}, x.grad().data(), 1e-6f, "two passes accumulate");
        assertThrows(IllegalStateException.class, loss::backward, "the second pass did not retain the graph");
    }

    @Test
    void powZeroHasZeroGradientAtZero() {
        Tensor x = leaf(0f, 2f);
        x.pow(0f).sum().backward();
        assertArrayEquals(new float[] {0f, 0f}, x.grad().data(), "d(x^0)/dx = 0 everywhere, also at x = 0");
    }

    @Test
    void leafWithoutRequiresGradGetsNoGradient() {
        Tensor x = leaf(1f, 2f);
        Tensor c = Tensor.vector(3f, 4f);
        x.mul(c).sum().backward();
        assertNull(c.grad());
        assertArrayEquals(new float[] {3f, 4f}, x.grad().data());
    }

    @Test
    void requiresGradFalseOnComputedTensorIsRejected() {
        Tensor y = leaf(1f).mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertTrue(e.getMessage().contains("use detach()"), e.getMessage());
    }

    @Test
    void gradCheckCatchesAWrongRule() {
        // A rule that forgets the factor 2 of d(x^2)/dx must be reported, with the op's name.
        Tensor x = leaf(0.5f, -1f, 2f);
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check("wrong square", in -> {
            float[] v = in[0].data();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] * v[i];
            }
            return Tensor.result("wrong square", out, in[0].shape(), dOut -> {
                float[] dx = in[0].gradBuffer();
                for (int i = 0; i < dx.length; i++) {
                    dx[i] += v[i] * dOut[i];
                }
            }, in[0]);
        }, x));
        assertTrue(e.getMessage().startsWith("wrong square: gradient of input 0 at element 0"), e.getMessage());
    }

    @Test
    void gradCheckRequiresAGradientInput() {
        Tensor c = Tensor.vector(1f, 2f);
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check("constant", in -> in[0].exp(), c));
        assertEquals("constant: the output does not require a gradient; mark an input with requiresGrad(true)",
                e.getMessage());
    }
}
