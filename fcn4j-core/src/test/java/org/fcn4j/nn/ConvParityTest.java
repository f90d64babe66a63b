package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Conv2d and ConvTranspose2d against PyTorch 1.13 (fixtures/conv.txt, tools/fixtures/gen_conv.py):
 * forward, input gradient, weight gradient and bias gradient of every case, element-wise within
 * atol + 1e-4 |expected|, with atol growing with the length of the float32 sum behind each value.
 */
class ConvParityTest {
    private static final double RTOL = 1e-4;
    // Per summed term: float32 rounding of sums of products of order-one values.
    private static final double ATOL_PER_TERM = 2e-7;

    private static final List<Fixtures.Case> CASES = Fixtures.load("conv.txt");

    @Test
    void fixtureCoversBothLayersAndAllModes() {
        long convs = CASES.stream().filter(c -> c.attr("layer").equals("Conv2d")).count();
        long transposed = CASES.stream().filter(c -> c.attr("layer").equals("ConvTranspose2d")).count();
        assertTrue(convs >= 100, "Conv2d cases: " + convs);
        assertTrue(transposed >= 40, "ConvTranspose2d cases: " + transposed);
        for (String mode : new String[] {"zeros", "reflect", "replicate", "circular"}) {
            assertTrue(CASES.stream().anyMatch(c -> c.attrs().getOrDefault("padding_mode", "").equals(mode)), mode);
        }
        assertTrue(CASES.stream().anyMatch(c -> c.attr("padding").equals("same")), "padding same");
        assertTrue(CASES.stream().anyMatch(c -> c.has("output_size")), "explicit output size");
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Fixtures.Case c) {
        boolean transposed = c.attr("layer").equals("ConvTranspose2d");
        Module layer = transposed ? transposed(c) : conv(c);
        String context = c.name() + " " + layer;
        Tensor weight = layer.namedParameters().get("weight");
        Tensor bias = layer.namedParameters().get("bias");
        copy(c.tensor("weight"), weight, context);
        if (c.attrInt("bias") == 1) {
            copy(c.tensor("bias"), bias, context);
        } else {
            assertEquals(null, bias, context + ": bias registered although bias=False");
        }

        Tensor x = c.tensor("x").requiresGrad(true);
        Tensor y;
        if (c.has("output_size")) {
            y = ((ConvTranspose2d) layer).forward(x, c.attrInts("output_size"));
        } else {
            y = layer.forward(x);
        }

        int[] k = c.attrInts("kernel");
        int in = c.attrInt("in");
        int out = c.attrInt("out");
        int groups = c.attrInt("groups");
        int taps = k[0] * k[1];
        // Terms per output value, for both layers: the forward pass sums at most (C_in / groups) kH kW
        // products, the input gradient at most (C_out / groups) kH kW.
        int forwardTerms = in / groups * taps;
        int dataTerms = out / groups * taps;
        Approx.assertClose(context + ", forward", c.tensor("y"), y, atol(forwardTerms), RTOL);

        y.backward(c.tensor("gy"));
        int[] ys = y.shape();
        int[] xs = x.shape();
        int weightTerms = transposed ? xs[0] * xs[2] * xs[3] : ys[0] * ys[2] * ys[3];
        Approx.assertClose(context + ", input gradient", c.tensor("dx"), x.grad(), atol(dataTerms), RTOL);
        Approx.assertClose(context + ", weight gradient", c.tensor("dweight"), weight.grad(), atol(weightTerms),
                RTOL);
        if (bias != null) {
            Approx.assertClose(context + ", bias gradient", c.tensor("dbias"), bias.grad(),
                    atol(ys[0] * ys[2] * ys[3]), RTOL);
        }
    }

    private static double atol(int terms) {
        return ATOL_PER_TERM * Math.max(1, terms) + 1e-6;
    }

    private static void copy(Tensor from, Tensor to, String context) {
        assertArrayEquals(to.shape(), from.shape(), context + ": parameter shape");
        System.arraycopy(from.data(), 0, to.data(), 0, to.numel());
    }

    static Conv2d conv(Fixtures.Case c) {
        Conv2d.Options o = Conv2d.options()
                .stride(c.attrInts("stride"))
                .dilation(c.attrInts("dilation"))
                .groups(c.attrInt("groups"))
                .bias(c.attrInt("bias") == 1)
                .paddingMode(c.attr("padding_mode"));
        o = c.attr("padding").equals("same") ? o.padding("same") : o.padding(c.attrInts("padding"));
        return new Conv2d(c.attrInt("in"), c.attrInt("out"), c.attrInts("kernel"), o, new Generator(1));
    }

    static ConvTranspose2d transposed(Fixtures.Case c) {
        ConvTranspose2d.Options o = ConvTranspose2d.options()
                .stride(c.attrInts("stride"))
                .padding(c.attrInts("padding"))
                .outputPadding(c.attrInts("output_padding"))
                .dilation(c.attrInts("dilation"))
                .groups(c.attrInt("groups"))
                .bias(c.attrInt("bias") == 1);
        return new ConvTranspose2d(c.attrInt("in"), c.attrInt("out"), c.attrInts("kernel"), o, new Generator(1));
    }
}
