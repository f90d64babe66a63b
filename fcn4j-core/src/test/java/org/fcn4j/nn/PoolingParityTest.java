package org.fcn4j.nn;

import java.util.List;
import java.util.stream.Stream;

import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * MaxPool2d, AvgPool2d and AdaptiveAvgPool2d against PyTorch 1.13 (fixtures/pooling.txt, written
 * by tools/fixtures/gen_layers.py) over a grid of kernels, strides, paddings, dilations, ceil
 * mode and count_include_pad. Interpolation is checked against fixtures/resize.txt.
 */
class PoolingParityTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> poolingMatchesPyTorch() {
        List<Fixtures.Case> cases = Fixtures.load("pooling.txt");
        if (cases.size() < 100) {
            throw new AssertionError("pooling.txt contains only " + cases.size() + " cases; regenerate it");
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> checkPooling(c)));
    }

    private static void checkPooling(Fixtures.Case c) {
        String layer = c.attr("layer");
        Module m = switch (layer) {
            case "MaxPool2d" -> maxPool(c);
            case "AvgPool2d" -> avgPool(c);
            case "AdaptiveAvgPool2d" -> new AdaptiveAvgPool2d(c.attrInts("output_size")[0],
                    c.attrInts("output_size")[1]);
            default -> throw new AssertionError(c.name() + ": unknown layer " + layer);
        };
        ParityChecks.forwardBackward(m + " on " + c.attr("shape"), m, c, "", ATOL, RTOL);
    }

    static AvgPool2d avgPool(Fixtures.Case c) {
        AvgPool2d.Options o = AvgPool2d.options().stride(c.attrInts("stride")).padding(c.attrInts("padding"))
                .ceilMode(ParityChecks.bool(c, "ceil_mode"))
                .countIncludePad(ParityChecks.bool(c, "count_include_pad"));
        int divisor = c.attrInt("divisor_override");
        return new AvgPool2d(c.attrInts("kernel"), divisor > 0 ? o.divisorOverride(divisor) : o);
    }

    static MaxPool2d maxPool(Fixtures.Case c) {
        return new MaxPool2d(c.attrInts("kernel"), MaxPool2d.options().stride(c.attrInts("stride"))
                .padding(c.attrInts("padding")).dilation(c.attrInts("dilation")).ceilMode(ParityChecks.bool(c, "ceil_mode")));
    }

    @TestFactory
    Stream<DynamicTest> interpolateMatchesPyTorch() {
        List<Fixtures.Case> cases = Fixtures.load("resize.txt");
        if (cases.size() < 40) {
            throw new AssertionError("resize.txt contains only " + cases.size() + " cases; regenerate it");
        }
        return cases.stream().filter(c -> c.has("dy"))
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> checkInterpolate(c)));
    }

    private static void checkInterpolate(Fixtures.Case c) {
        Module m = upsample(c);
        ParityChecks.forwardBackward(m + " on " + c.attr("shape"), m, c, "", ATOL, RTOL);
    }

    static Upsample upsample(Fixtures.Case c) {
        Upsample.Mode mode = Upsample.Mode.valueOf(c.attr("mode").toUpperCase(java.util.Locale.ROOT));
        boolean alignCorners = ParityChecks.bool(c, "align_corners");
        if (c.has("size")) {
            int[] size = c.attrInts("size");
            return Upsample.toSize(size[0], size[1], mode, alignCorners);
        }
        String[] parts = c.attr("scale_factor").split(",");
        return Upsample.byScale(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), mode, alignCorners);
    }

    @TestFactory
    Stream<DynamicTest> maxPoolIndicesMatchPyTorch() {
        return Fixtures.load("pooling.txt").stream().filter(c -> c.has("indices"))
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    MaxPool2d m = maxPool(c);
                    // A one-hot upstream gradient lands on the saved argmax of its window.
                    Tensor x = c.tensor("x").requiresGrad(true);
                    Tensor y = m.forward(x);
                    long[] expected = c.longs("indices");
                    int planeOut = y.size(2) * y.size(3);
                    int planeIn = x.size(2) * x.size(3);
                    for (int o = 0; o < expected.length; o++) {
                        float[] seed = new float[y.numel()];
                        seed[o] = 1f;
                        x.dropGrad();
                        m.forward(x).backward(Tensor.of(seed, y.shape()));
                        int hit = -1;
                        float[] g = x.grad().data();
                        for (int i = 0; i < g.length; i++) {
                            if (g[i] != 0f) {
                                hit = i;
                            }
                        }
                        int plane = o / planeOut;
                        if (hit != plane * planeIn + expected[o]) {
                            throw new AssertionError(m + ": window " + o + " picked input " + (hit - plane * planeIn)
                                    + ", PyTorch picked " + expected[o]);
                        }
                    }
                }));
    }
}
