package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.autograd.GradCheck;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

class ActivationLayersTest {
    private final Generator rng = new Generator(99);

    /** Values away from 0, where ReLU and LeakyReLU have their kink. */
    private Tensor awayFromZero(int... shape) {
        Tensor x = Tensor.randn(rng, shape);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i] + Math.copySign(0.1f, d[i]);
        }
        return x.requiresGrad(true);
    }

    @Test
    void erfMatchesReferenceValues() {
        // Reference values from Python 3 math.erf (the C library erf, double precision).
        double[][] cases = {{0.0, 0.0}, {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149},
            {2.0, 0.9953222650189527}, {3.0, 0.9999779095030014}, {-1.5, -0.9661051464753108}};
        for (double[] c : cases) {
            assertEquals(c[1], ActivationKernels.erf(c[0]), 1e-14, "erf(" + c[0] + ")");
        }
        assertEquals(1.0, ActivationKernels.erf(7.0));
        assertEquals(-1.0, ActivationKernels.erf(-30.0));
    }

    @Test
    void erfcKeepsRelativeAccuracyInTail() {
        // Reference values from Python 3 math.erfc.
        double[][] cases = {{0.3, 0.6713732405408726}, {1.9, 0.0072095707647425325}, {2.0, 0.004677734981047265},
            {3.0, 2.2090496998585438e-05}, {5.0, 1.5374597944280351e-12}, {10.0, 2.088487583762545e-45}};
        for (double[] c : cases) {
            double relative = Math.abs(ActivationKernels.erfc(c[0]) - c[1]) / c[1];
            assertTrue(relative < 1e-12, "erfc(" + c[0] + ") relative error " + relative);
        }
        assertEquals(0.0, ActivationKernels.erfc(40.0));
        double phi = ActivationKernels.normalCdf(-8.0);
        assertTrue(Math.abs(phi - 6.220960574271819e-16) < 1e-27, "Phi(-8) = " + phi);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = awayFromZero(2, 3, 2, 2);
        GradCheck.check("ReLU", in -> new ReLU().forward(in[0]), x);
        GradCheck.check("Sigmoid", in -> new Sigmoid().forward(in[0]), x);
        GradCheck.check("Tanh", in -> new Tanh().forward(in[0]), x);
        GradCheck.check("LeakyReLU(0.2)", in -> new LeakyReLU(0.2f).forward(in[0]), x);
        GradCheck.check("GELU exact", in -> new GELU().forward(in[0]), x);
        GradCheck.check("GELU tanh", in -> new GELU(true).forward(in[0]), x);
        GradCheck.check("SiLU", in -> new SiLU().forward(in[0]), x);
        GradCheck.check("Softmax dim 1", in -> new Softmax().forward(in[0]), x);
        GradCheck.check("Softmax dim -1", in -> new Softmax(-1).forward(in[0]), x);
        GradCheck.check("LogSoftmax dim 1", in -> new LogSoftmax().forward(in[0]), x);
        GradCheck.check("LogSoftmax dim 0", in -> new LogSoftmax(0).forward(in[0]), x);
    }

    @Test
    void softmaxIsStableForLargeInputs() {
        Tensor x = Tensor.of(new float[] {1000f, 0f, -1000f, 1001f}, 1, 4, 1, 1);
        Tensor y = new Softmax().forward(x);
        Tensor ly = new LogSoftmax().forward(x);
        float e = (float) (1 / (1 + Math.E));
        Approx.assertClose("softmax of +-1000", new float[] {e, 0f, 0f, 1 - e}, y.data(), 1e-6, 0);
        for (float v : ly.data()) {
            assertTrue(Float.isFinite(v), "log-softmax stays finite, got " + v);
        }
        assertEquals(-2000f - (float) Math.log1p(Math.exp(-1)) - 1, ly.data()[2], 1e-3);
    }

    @Test
    void dropoutScalesKeptValuesAndIsIdentityInEvaluation() {
        Dropout d = new Dropout(0.3, new Generator(5));
        Tensor x = Tensor.ones(100, 100).requiresGrad(true);
        Tensor y = d.forward(x);
        int zeros = 0;
        for (float v : y.data()) {
            assertTrue(v == 0f || Math.abs(v - 1 / 0.7f) < 1e-6, "kept values are scaled by 1 / (1 - p), got " + v);
            zeros += v == 0f ? 1 : 0;
        }
        // 10000 draws with p = 0.3: the standard deviation of the count is about 46.
        assertTrue(Math.abs(zeros - 3000) < 230, "dropped " + zeros + " of 10000 with p = 0.3");
        y.sum().backward();
        assertArrayEquals(y.data(), x.grad().data(), "the gradient goes through the same mask");

        Tensor again = new Dropout(0.3, new Generator(5)).forward(Tensor.ones(100, 100));
        assertArrayEquals(y.data(), again.data(), "the same seed gives the same mask");
        d.eval();
        assertSame(x, d.forward(x), "evaluation is the identity");
        Approx.assertClose("p = 1 drops everything", new float[4],
                new Dropout(1, new Generator(1)).forward(Tensor.ones(4)).data(), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5, new Generator(1)));
    }

    @Test
    void dropout2dDropsWholeChannels() {
        Tensor y = new Dropout2d(0.5, new Generator(3)).forward(Tensor.ones(4, 8, 3, 3));
        float[] d = y.data();
        int dropped = 0;
        for (int p = 0; p < 32; p++) {
            float first = d[p * 9];
            for (int i = 1; i < 9; i++) {
                assertEquals(first, d[p * 9 + i], "channel " + p + " is dropped or kept as a whole");
            }
            assertTrue(first == 0f || first == 2f, "kept channels are scaled by 2, got " + first);
            dropped += first == 0f ? 1 : 0;
        }
        assertTrue(dropped > 0 && dropped < 32, "dropped " + dropped + " of 32 channels with p = 0.5");
    }

    @Test
    void branchHelpers() {
        Tensor a = Tensor.randn(rng, 2, 3, 4, 4).requiresGrad(true);
        Tensor b = Tensor.randn(rng, 2, 5, 4, 4).requiresGrad(true);
        Tensor cat = Functional.concatChannels(a, b);
        assertArrayEquals(new int[] {2, 8, 4, 4}, cat.shape());
        assertEquals(b.get(1, 2, 3, 0), cat.get(1, 5, 3, 0));
        cat.sum().backward();
        Approx.assertClose("gradient through concatChannels", Tensor.ones(2, 5, 4, 4), b.grad(), 0, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.concatChannels(a, Tensor.ones(2, 3, 5, 4)));
        assertTrue(e.getMessage().contains("(2, 3, 5, 4)"), e.getMessage());

        Tensor sum = Functional.add(a, a, a);
        Approx.assertClose("add of three branches", a.mul(3f), sum, 1e-6, 0);
        assertThrows(IllegalArgumentException.class, () -> Functional.add(a, b));
    }
}
