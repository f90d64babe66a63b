package org.fcn4j.nn;

import java.util.List;
import java.util.stream.Stream;

import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * BatchNorm2d, InstanceNorm2d, LayerNorm and GroupNorm against PyTorch 1.13 (fixtures/norms.txt,
 * written by tools/fixtures/gen_layers.py): two training steps with their running statistics,
 * then an evaluation pass, each forward and backward.
 */
class NormParityTest {
    // float32 values of order 1, reductions over at most a few hundred values.
    private static final double ATOL = 2e-5;
    private static final double RTOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> normsMatchPyTorch() {
        List<Fixtures.Case> cases = Fixtures.load("norms.txt");
        if (cases.size() < 50) {
            throw new AssertionError("norms.txt contains only " + cases.size() + " cases; regenerate it");
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    static Module build(Fixtures.Case c) {
        String layer = c.attr("layer");
        double eps = c.attrDouble("eps");
        return switch (layer) {
            case "BatchNorm2d" -> new BatchNorm2d(c.attrInt("C"), eps,
                    c.attr("momentum").equals("null") ? null : c.attrDouble("momentum"), ParityChecks.bool(c, "affine"),
                    ParityChecks.bool(c, "track_running_stats"));
            case "InstanceNorm2d" -> new InstanceNorm2d(c.attrInt("C"), eps, c.attrDouble("momentum"),
                    ParityChecks.bool(c, "affine"), ParityChecks.bool(c, "track_running_stats"));
            case "LayerNorm" -> new LayerNorm(c.attrInts("normalized_shape"), eps,
                    ParityChecks.bool(c, "elementwise_affine"));
            case "GroupNorm" -> new GroupNorm(c.attrInt("G"), c.attrInt("C"), eps, ParityChecks.bool(c, "affine"));
            default -> throw new AssertionError(c.name() + ": unknown layer " + layer);
        };
    }

    private static void check(Fixtures.Case c) {
        Module m = build(c);
        String context = m + " on " + c.attr("shape");
        ParityChecks.loadParameters(m, c);
        boolean tracked = ParityChecks.bool(c, "tracked");

        m.train();
        ParityChecks.forwardBackward(context + ", training step 1", m, c, "", ATOL, RTOL);
        if (tracked) {
            checkRunning(context + ", after training step 1", m, c, "1");
            ParityChecks.forwardBackward(context + ", training step 2", m, c, "2", ATOL, RTOL);
            checkRunning(context + ", after training step 2", m, c, "2");
        }
        m.eval();
        ParityChecks.forwardBackward(context + ", evaluation", m, c, "e", ATOL, RTOL);
    }

    static void checkRunning(String context, Module m, Fixtures.Case c, String step) {
        var buffers = m.namedBuffers();
        Approx.assertClose(context + ", running_mean", c.tensor("running_mean" + step), buffers.get("running_mean"),
                1e-6, 1e-5);
        Approx.assertClose(context + ", running_var", c.tensor("running_var" + step), buffers.get("running_var"),
                1e-6, 1e-5);
        long expected = c.longs("num_batches_tracked" + step)[0];
        Tensor actual = buffers.get("num_batches_tracked");
        if (actual.item() != expected) {
            throw new AssertionError(context + ", num_batches_tracked: expected " + expected + ", got "
                    + actual.item());
        }
    }
}
