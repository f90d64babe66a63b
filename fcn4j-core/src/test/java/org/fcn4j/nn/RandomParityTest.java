package org.fcn4j.nn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.fcn4j.loss.BCEWithLogitsLoss;
import org.fcn4j.loss.CrossEntropyLoss;
import org.fcn4j.loss.DiceLoss;
import org.fcn4j.loss.FocalLoss;
import org.fcn4j.loss.HuberLoss;
import org.fcn4j.loss.L1Loss;
import org.fcn4j.loss.Loss;
import org.fcn4j.loss.MSELoss;
import org.fcn4j.loss.PinballLoss;
import org.fcn4j.loss.Reduction;
import org.fcn4j.loss.SmoothL1Loss;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Random configurations of every layer and loss against PyTorch 1.13, drawn by
 * tools/fixtures/gen_random.py: the committed draw fixtures/random.txt, and any other draw given
 * with {@code -Dfcn4j.parity.file=PATH} (skipped when the property is absent), e.g.
 *
 * <pre>
 *   /usr/bin/python3 tools/fixtures/gen_random.py --seed 7 --output /tmp/random-parity.txt
 *   ./mvnw -B -q -ntp -pl fcn4j-core test -Dtest=RandomParityTest -Dfcn4j.parity.file=/tmp/random-parity.txt
 * </pre>
 *
 * Every pass is compared: forward, input gradient, each parameter gradient and the running
 * statistics after each training step (cases with attribute relu run BatchNorm2d.forwardReLU).
 * Values are compared within
 * {@code atol * max(1, max |expected|) + 3 noise + rtol |expected|}: the cases mix magnitudes from
 * 1e-3 to 1e3, float32 rounding scales with the largest value of the tensor, and noise, PyTorch's
 * own float32 error against its float64 result (stored by the generator), covers ill-conditioned
 * cases such as a normalisation with eps 1e-12.
 */
class RandomParityTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL = 2e-5;
    // Convolutions and their gradients sum up to a few hundred products per value.
    private static final double CONV_ATOL = 1e-4;
    private static final double NOISE_FACTOR = 3;

    @TestFactory
    Stream<DynamicTest> committedDrawMatchesPyTorch() {
        List<Fixtures.Case> cases = Fixtures.load("random.txt");
        if (cases.size() < 100) {
            throw new AssertionError("random.txt contains only " + cases.size() + " cases; regenerate it");
        }
        return tests(cases);
    }

    @TestFactory
    Stream<DynamicTest> drawFromPropertyMatchesPyTorch() {
        String file = System.getProperty("fcn4j.parity.file");
        assumeTrue(file != null && !file.isBlank(), "no -Dfcn4j.parity.file given");
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new AssertionError("-Dfcn4j.parity.file=" + file + ": file not found; write one with "
                    + "tools/fixtures/gen_random.py --output " + file);
        }
        return tests(Fixtures.load(path));
    }

    private static Stream<DynamicTest> tests(List<Fixtures.Case> cases) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            try {
                check(c);
            } catch (RuntimeException e) {
                throw new AssertionError(c.name() + " " + c.attrs() + ": " + e, e);
            }
        }));
    }

    static void check(Fixtures.Case c) {
        if (c.has("kind")) {
            checkLoss(c);
            return;
        }
        String layer = c.attr("layer");
        switch (layer) {
            case "Conv2d", "ConvTranspose2d" -> checkConv(c);
            case "BatchNorm2d", "InstanceNorm2d", "LayerNorm", "GroupNorm" -> checkNorm(c);
            case "MaxPool2d" -> checkModule(c, PoolingParityTest.maxPool(c), ATOL);
            case "AvgPool2d" -> checkModule(c, PoolingParityTest.avgPool(c), ATOL);
            case "AdaptiveAvgPool2d" -> checkModule(c, new AdaptiveAvgPool2d(c.attrInts("output_size")[0],
                    c.attrInts("output_size")[1]), ATOL);
            case "Upsample" -> checkModule(c, PoolingParityTest.upsample(c), ATOL);
            case "Pad" -> checkModule(c, new Module() {
                @Override
                public Tensor forward(Tensor input) {
                    return Functional.pad(input, c.attrInt("top"), c.attrInt("bottom"), c.attrInt("left"),
                            c.attrInt("right"), PaddingMode.parse(c.attr("mode")));
                }

                @Override
                public String toString() {
                    return "Functional.pad";
                }
            }, ATOL);
            default -> checkModule(c, ActivationParityTest.build(c), ATOL);
        }
    }

    // ---------------------------------------------------------------- layers

    private static String describe(Fixtures.Case c, Module m, String suffix) {
        return c.name() + " " + m + " on " + Arrays.toString(c.tensor("x" + suffix).shape()) + " " + c.attrs();
    }

    private static void checkModule(Fixtures.Case c, Module m, double atol) {
        ParityChecks.loadParameters(m, c);
        pass(describe(c, m, ""), m, c, "", atol, null);
        accumulates(describe(c, m, ""), m, c, null, atol);
    }

    /**
     * Checks that a second backward pass through a second forward of the same input adds to the
     * gradients (x used twice, as in a residual block), giving twice the fixture's gradients.
     */
    private static void accumulates(String context, Module m, Fixtures.Case c, int[] outputSize, double atol) {
        m.zeroGrad();
        Tensor x = c.tensor("x").requiresGrad(true);
        for (int i = 0; i < 2; i++) {
            Tensor y = outputSize == null ? m.forward(x) : ((ConvTranspose2d) m).forward(x, outputSize);
            y.backward(c.tensor("dy"));
        }
        close(context + ", input gradient accumulated over two passes", c, "dx", x.grad().mul(0.5f), 2 * atol);
        for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
            close(context + ", gradient of " + p.getKey() + " accumulated over two passes", c, "d" + p.getKey(),
                    p.getValue().grad().mul(0.5f), 2 * atol);
        }
    }

    private static void checkConv(Fixtures.Case c) {
        boolean transposed = c.attr("layer").equals("ConvTranspose2d");
        Module m = transposed ? ConvParityTest.transposed(c) : ConvParityTest.conv(c);
        ParityChecks.loadParameters(m, c);
        int[] outputSize = transposed && c.has("output_size") ? c.attrInts("output_size") : null;
        pass(describe(c, m, ""), m, c, "", CONV_ATOL, outputSize);
        accumulates(describe(c, m, ""), m, c, outputSize, CONV_ATOL);
    }

    private static void checkNorm(Fixtures.Case c) {
        Module m = NormParityTest.build(c);
        ParityChecks.loadParameters(m, c);
        String context = describe(c, m, "");
        boolean tracked = ParityChecks.bool(c, "tracked");
        int steps = c.attrInt("steps");
        m.train();
        for (int i = 1; i <= steps; i++) {
            String suffix = i == 1 ? "" : Integer.toString(i);
            pass(context + ", training step " + i, m, c, suffix, ATOL, null);
            if (tracked) {
                NormParityTest.checkRunning(context + ", after training step " + i, m, c, Integer.toString(i));
            }
        }
        m.eval();
        pass(context + ", evaluation", m, c, "e", ATOL, null);
    }

    /** Checks the forward pass, input gradient and parameter gradients of the pass whose tensors end in suffix. */
    private static void pass(String context, Module m, Fixtures.Case c, String suffix, double atol,
            int[] outputSize) {
        m.zeroGrad();
        Tensor x = c.tensor("x" + suffix).requiresGrad(true);
        Tensor y;
        if (outputSize != null) {
            y = ((ConvTranspose2d) m).forward(x, outputSize);
        } else if (c.has("relu")) {
            y = ((BatchNorm2d) m).forwardReLU(x);
        } else {
            y = m.forward(x);
        }
        close(context + ", forward" + suffix, c, "y" + suffix, y, atol);
        y.backward(c.tensor("dy" + suffix));
        close(context + ", input gradient" + suffix, c, "dx" + suffix, x.grad(), atol);
        for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
            String key = "d" + p.getKey() + suffix;
            if (p.getValue().grad() == null) {
                throw new AssertionError(context + ", gradient of " + p.getKey() + suffix + ": no gradient reached it");
            }
            close(context + ", gradient of " + p.getKey() + suffix, c, key, p.getValue().grad(), atol);
        }
    }

    /**
     * Compares {@code actual} with the case's tensor {@code key}. The tolerance covers the float32
     * rounding of the largest value, plus {@value #NOISE_FACTOR} times PyTorch's own distance from
     * its float64 result.
     */
    private static void close(String context, Fixtures.Case c, String key, Tensor actual, double atol) {
        Tensor expected = c.tensor(key);
        double noise = c.has("noise." + key) ? c.attrDouble("noise." + key) : 0;
        float largest = 1f;
        for (float v : expected.data()) {
            if (Float.isFinite(v)) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        Approx.assertClose(context, expected, actual, atol * largest + NOISE_FACTOR * noise, RTOL);
    }

    // ---------------------------------------------------------------- losses

    private static void checkLoss(Fixtures.Case c) {
        String kind = c.attr("kind");
        Reduction r = Reduction.valueOf(c.attr("reduction").toUpperCase(Locale.ROOT));
        Tensor x = c.tensor("input").requiresGrad(true);
        String context = c.name() + " " + kind + " on " + Arrays.toString(x.shape()) + " " + c.attrs();
        int[] xs = x.shape();
        int[] classShape = xs.length < 2 ? new int[0] : new int[xs.length - 1];
        if (xs.length >= 2) {
            classShape[0] = xs[0];
            System.arraycopy(xs, 2, classShape, 1, xs.length - 2);
        }
        Tensor target = null;
        Tensor out = switch (kind) {
            case "mse", "l1", "smooth_l1", "huber", "pinball", "pinball_multi" -> {
                target = c.tensor("target").requiresGrad(true);
                Loss loss = switch (kind) {
                    case "mse" -> new MSELoss(r);
                    case "l1" -> new L1Loss(r);
                    case "smooth_l1" -> new SmoothL1Loss(c.attrDouble("beta"), r);
                    case "huber" -> new HuberLoss(c.attrDouble("delta"), r);
                    case "pinball" -> new PinballLoss(c.attrDouble("q"), r);
                    default -> PinballLoss.multiQuantile(doubles(c.attr("levels"))).withReduction(r);
                };
                yield loss.forward(x, target);
            }
            case "cross_entropy" -> {
                CrossEntropyLoss ce = new CrossEntropyLoss().withReduction(r).withIgnoreIndex(c.attrInt("ignore_index"))
                        .withLabelSmoothing(c.attrDouble("label_smoothing"));
                if (c.has("weight")) {
                    ce = ce.withWeight(c.tensor("weight").data());
                }
                yield ce.forward(x, c.longs("target"), classShape);
            }
            case "dice" -> new DiceLoss().withReduction(r).withSmooth(c.attrDouble("smooth"))
                    .withEps(c.attrDouble("eps")).withIgnoreIndex(c.attrInt("ignore_index"))
                    .withLogLoss(c.attrInt("log_loss") == 1).forward(x, c.longs("target"), classShape);
            case "focal_multiclass" -> FocalLoss.multiclass().withReduction(r).withGamma(c.attrDouble("gamma"))
                    .withAlpha(c.attrDouble("alpha")).withIgnoreIndex(c.attrInt("ignore_index"))
                    .forward(x, c.longs("target"), classShape);
            case "focal_binary" -> {
                if (c.has("grad_target")) {
                    target = c.tensor("target").requiresGrad(true);
                }
                yield FocalLoss.binary().withReduction(r).withGamma(c.attrDouble("gamma"))
                        .withAlpha(c.attrDouble("alpha")).forward(x, target == null ? c.tensor("target") : target);
            }
            case "bce" -> {
                if (c.has("grad_target")) {
                    target = c.tensor("target").requiresGrad(true);
                }
                yield new BCEWithLogitsLoss(c.has("pos_weight") ? c.tensor("pos_weight") : null, r)
                        .forward(x, target == null ? c.tensor("target") : target);
            }
            default -> throw new AssertionError(c.name() + ": unknown loss kind " + kind);
        };
        close(context + ", forward", c, "loss", out, ATOL);
        if (out.dim() == 0) {
            out.backward();
        } else {
            out.backward(c.tensor("gout"));
        }
        close(context + ", input gradient", c, "grad_input", x.grad(), ATOL);
        if (target != null) {
            close(context + ", target gradient", c, "grad_target", target.grad(), ATOL);
        }
    }

    private static double[] doubles(String csv) {
        return Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
