package org.fcn4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.function.Function;

import org.fcn4j.autograd.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * A finite-difference gradient check for every differentiable operation of {@link Tensor}. Inputs
 * are drawn away from kinks (ReLU and abs at zero, clamp bounds, max ties) so that a central
 * difference with h = 1e-2 stays on one side of them.
 */
class TensorGradCheckTest {
    private final Generator rng = new Generator(7);

    private Tensor normal(int... shape) {
        return Tensor.randn(rng, shape).requiresGrad(true);
    }

    private Tensor uniform(float low, float high, int... shape) {
        return Tensor.uniform(rng, low, high, shape).requiresGrad(true);
    }

    /** Normal values pushed at least 0.1 away from zero, for ops with a kink there. */
    private Tensor awayFromZero(int... shape) {
        Tensor t = Tensor.randn(rng, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = d[i] >= 0 ? d[i] + 0.1f : d[i] - 0.1f;
        }
        return t.requiresGrad(true);
    }

    /** Distinct values in shuffled order, at least 0.1 apart, so max has no near-ties. */
    private Tensor distinct(int... shape) {
        int n = Shape.numel(shape);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        rng.shuffle(order);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = 0.1f * order[i] - 0.05f * n;
        }
        return Tensor.of(d, shape).requiresGrad(true);
    }

    private static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(name, f, inputs);
    }

    @Test
    void binaryOpsSameShape() {
        Tensor x = normal(3, 4);
        Tensor y = normal(3, 4);
        Tensor d = uniform(0.5f, 2f, 3, 4);
        check("add", in -> in[0].add(in[1]), x, y);
        check("sub", in -> in[0].sub(in[1]), x, y);
        check("mul", in -> in[0].mul(in[1]), x, y);
        check("div", in -> in[0].div(in[1]), x, d);
        check("mul by itself", in -> in[0].mul(in[0]), x);
    }

    @Test
    void binaryOpsPerChannelBroadcast() {
        Tensor x = normal(2, 3, 4, 5);
        Tensor c4 = normal(1, 3, 1, 1);
        Tensor c3 = normal(3, 1, 1);
        Tensor d = uniform(0.5f, 2f, 1, 3, 1, 1);
        for (Tensor c : new Tensor[] {c4, c3}) {
            String shape = Shape.str(c.shape());
            check("add " + shape, in -> in[0].add(in[1]), x, c);
            check("sub " + shape, in -> in[0].sub(in[1]), x, c);
            check("mul " + shape, in -> in[0].mul(in[1]), x, c);
            check("channel - x " + shape, in -> in[1].sub(in[0]), x, c);
        }
        check("div per channel", in -> in[0].div(in[1]), x, d);
        check("per channel / x", in -> in[1].div(in[0]), uniform(0.5f, 2f, 2, 3, 2, 2), c4);
        // Both operands broadcast: (2, 1, 4) with (3, 1) gives (2, 3, 4).
        check("two-sided broadcast", in -> in[0].mul(in[1]), normal(2, 1, 4), normal(3, 1));
    }

    @Test
    void binaryOpsScalarTensorBroadcast() {
        Tensor x = normal(2, 3, 4);
        Tensor s = Tensor.scalar(1.3f).requiresGrad(true);
        Tensor one = Tensor.full(0.7f, 1).requiresGrad(true);
        check("add scalar tensor", in -> in[0].add(in[1]), x, s);
        check("sub scalar tensor", in -> in[0].sub(in[1]), x, s);
        check("mul scalar tensor", in -> in[0].mul(in[1]), x, s);
        check("div scalar tensor", in -> in[0].div(in[1]), x, s);
        check("scalar tensor / x", in -> in[1].div(in[0]), uniform(0.5f, 2f, 2, 3), s);
        check("mul (1,) tensor", in -> in[0].mul(in[1]), x, one);
    }

    @Test
    void floatScalarOps() {
        Tensor x = normal(3, 5);
        check("add(float)", in -> in[0].add(2.5f), x);
        check("sub(float)", in -> in[0].sub(-1.5f), x);
        check("mul(float)", in -> in[0].mul(-3f), x);
        check("div(float)", in -> in[0].div(4f), x);
        check("neg", in -> in[0].neg(), x);
    }

    @Test
    void unaryOps() {
        Tensor x = normal(3, 7);
        Tensor positive = uniform(0.5f, 3f, 3, 7);
        Tensor kinked = awayFromZero(3, 7);
        check("exp", in -> in[0].exp(), x);
        check("log", in -> in[0].log(), positive);
        check("sqrt", in -> in[0].sqrt(), positive);
        check("abs", in -> in[0].abs(), kinked);
        check("square", in -> in[0].square(), x);
        check("relu", in -> in[0].relu(), kinked);
        check("sigmoid", in -> in[0].sigmoid(), x);
        check("tanh", in -> in[0].tanh(), x);
    }

    @Test
    void powAndClamp() {
        Tensor positive = uniform(0.5f, 2f, 4, 5);
        Tensor x = normal(4, 5);
        check("pow 2", in -> in[0].pow(2f), x);
        check("pow 3", in -> in[0].pow(3f), x);
        check("pow 0.5", in -> in[0].pow(0.5f), positive);
        check("pow -1", in -> in[0].pow(-1f), positive);
        check("pow 2.5", in -> in[0].pow(2.5f), positive);

        // Values at least 0.1 from the bounds, on both sides of them.
        float[] v = {-2f, -1.2f, -0.85f, -0.5f, 0f, 0.3f, 0.55f, 0.9f, 1.5f, 3f};
        Tensor c = Tensor.of(v.clone(), 2, 5).requiresGrad(true);
        check("clamp", in -> in[0].clamp(-1f, 0.75f), c);
    }

    @Test
    void reductions() {
        Tensor x = normal(2, 3, 4);
        check("sum all", in -> in[0].sum(), x);
        check("sum (0, 2) keepDim", in -> in[0].sum(new int[] {0, 2}, true), x);
        check("sum -1", in -> in[0].sum(new int[] {-1}, false), x);
        check("mean all", in -> in[0].mean(), x);
        check("mean 1", in -> in[0].mean(new int[] {1}, false), x);
        check("mean (0, 1) keepDim", in -> in[0].mean(new int[] {0, 1}, true), x);
        check("var 2 unbiased", in -> in[0].var(new int[] {2}, true, false), x);
        check("var (0, 2) biased keepDim", in -> in[0].var(new int[] {0, 2}, false, true), x);
        check("var all biased", in -> in[0].var(new int[] {0, 1, 2}, false, false), x);

        Tensor y = distinct(2, 3, 4);
        check("max all", in -> in[0].max(), y);
        check("max 1", in -> in[0].max(new int[] {1}, false), y);
        check("max (0, 2) keepDim", in -> in[0].max(new int[] {0, 2}, true), y);
        check("max -1", in -> in[0].max(new int[] {-1}, false), y);
    }

    @Test
    void matmulForms() {
        check("matmul (3, 5) x (5, 2)", in -> in[0].matmul(in[1]), normal(3, 5), normal(5, 2));
        check("matmul batched (2, 3, 4) x (2, 4, 5)", in -> in[0].matmul(in[1]), normal(2, 3, 4), normal(2, 4, 5));
        check("matmul shared right (3, 2, 4) x (4, 3)", in -> in[0].matmul(in[1]), normal(3, 2, 4), normal(4, 3));
        // Large enough for the blocked kernel, whose backward uses both transposed forms.
        GradCheck.check("matmul (9, 33) x (33, 17)", in -> in[0].matmul(in[1]), 1e-2, 2e-3, 1e-2,
                normal(9, 33), normal(33, 17));
        check("matmul with constant right", in -> in[0].matmul(in[1]), normal(3, 4),
                Tensor.randn(rng, 4, 2));
    }

    @Test
    void layoutOps() {
        Tensor x = normal(2, 3, 4);
        check("reshape", in -> in[0].reshape(4, -1), x);
        check("reshape then mul", in -> in[0].reshape(6, 4).mul(in[0].reshape(6, 4)), x);
        check("permute (2, 0, 1)", in -> in[0].permute(2, 0, 1), x);
        check("permute (0, 2, 1)", in -> in[0].permute(0, 2, 1), x);
        check("transpose", in -> in[0].transpose(), x);
        check("slice axis 1", in -> in[0].slice(1, 1, 3), x);
        check("slice axis -1", in -> in[0].slice(-1, 0, 2), x);
        check("slice axis 0", in -> in[0].slice(0, 1, 2), x);

        Tensor y = normal(2, 5, 4);
        Tensor z = normal(2, 1, 4);
        check("concat axis 1", in -> Tensor.concat(1, in[0], in[1], in[2]), x, y, z);
        check("concat axis 0", in -> Tensor.concat(0, in[0], in[1]), normal(1, 3), normal(2, 3));
        check("concat axis -1", in -> Tensor.concat(-1, in[0], in[1]), normal(2, 2), normal(2, 3));
        check("concat with a constant", in -> Tensor.concat(1, in[0], in[1]), x, Tensor.randn(rng, 2, 2, 4));
        // The second part of the gradient adds to the first, which the backward pass wrote.
        check("concat of a tensor with itself", in -> Tensor.concat(1, in[0], in[1], in[0]), x, y);
        check("concat after another use", in -> Tensor.concat(1, in[0].mul(in[0]), in[0]), x);
    }

    /**
     * The first gradient of a concatenation's input is written, and -0 arrives as +0, as it did when
     * it was added to a zeroed array. The consumer here writes -0 as the concatenation's gradient,
     * as a normalisation layer's backward pass may.
     */
    @Test
    void concatGradientOfMinusZeroIsPlusZero() {
        Tensor a = Tensor.ones(2, 3).requiresGrad(true);
        Tensor b = Tensor.ones(2, 2).requiresGrad(true);
        Tensor joined = Tensor.concat(1, a, b);
        Tensor consumer = Tensor.result("writes_minus_zero", joined.data().clone(), joined.shape(),
                dOut -> Arrays.fill(joined.gradBufferToOverwrite(), -0f), joined);
        consumer.sum().backward();
        for (float g : a.grad().data()) {
            assertEquals(0, Float.floatToRawIntBits(g), "a's gradient bits");
        }
        for (float g : b.grad().data()) {
            assertEquals(0, Float.floatToRawIntBits(g), "b's gradient bits");
        }
    }

    @Test
    void composedExpression() {
        // A normalisation-like chain: (x - mean) / sqrt(var + eps) * gamma + beta.
        Tensor x = normal(2, 3, 4, 4);
        Tensor gamma = normal(1, 3, 1, 1);
        Tensor beta = normal(1, 3, 1, 1);
        int[] axes = {0, 2, 3};
        check("batch-norm chain", in -> {
            Tensor mean = in[0].mean(axes, true);
            Tensor var = in[0].var(axes, false, true);
            return in[0].sub(mean).div(var.add(1e-5f).sqrt()).mul(in[1]).add(in[2]);
        }, x, gamma, beta);
    }
}
