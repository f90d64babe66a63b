package org.fcn4j.nn;

import java.util.List;
import java.util.stream.Stream;

import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Activations, softmax and log-softmax against PyTorch 1.13 (fixtures/activations.txt, written
 * by tools/fixtures/gen_layers.py), on inputs of scale 2 and of scale 30 (for overflow).
 */
class ActivationParityTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> activationsMatchPyTorch() {
        List<Fixtures.Case> cases = Fixtures.load("activations.txt");
        if (cases.size() < 20) {
            throw new AssertionError("activations.txt contains only " + cases.size() + " cases; regenerate it");
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Fixtures.Case c) {
        Module m = build(c);
        ParityChecks.forwardBackward(m + " on " + c.attr("shape"), m, c, "", ATOL, RTOL);
    }

    static Module build(Fixtures.Case c) {
        String layer = c.attr("layer");
        return switch (layer) {
            case "ReLU" -> new ReLU();
            case "LeakyReLU" -> new LeakyReLU((float) c.attrDouble("negative_slope"));
            case "GELU" -> new GELU(c.attr("approximate").equals("tanh"));
            case "SiLU" -> new SiLU();
            case "Sigmoid" -> new Sigmoid();
            case "Tanh" -> new Tanh();
            case "Softmax" -> new Softmax(c.attrInt("dim"));
            case "LogSoftmax" -> new LogSoftmax(c.attrInt("dim"));
            default -> throw new AssertionError(c.name() + ": unknown layer " + layer);
        };
    }
}
