package org.fcn4j.nn;

import java.util.Map;

import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.fcn4j.tensor.Tensor;

/** One forward and backward pass of a module against a fixture, pass by pass. */
final class ParityChecks {
    private ParityChecks() {
    }

    /**
     * Runs {@code module} on the fixture tensor {@code x + suffix}, backpropagates
     * {@code dy + suffix} and compares y, dx and every parameter gradient present in the case.
     */
    static void forwardBackward(String context, Module module, Fixtures.Case c, String suffix, double atol,
            double rtol) {
        module.zeroGrad();
        Tensor x = c.tensor("x" + suffix).requiresGrad(true);
        Tensor y = module.forward(x);
        Approx.assertClose(context + ", forward" + suffix, c.tensor("y" + suffix), y, atol, rtol);
        y.backward(c.tensor("dy" + suffix));
        Approx.assertClose(context + ", input gradient" + suffix, c.tensor("dx" + suffix), x.grad(), atol, rtol);
        for (Map.Entry<String, Tensor> p : module.namedParameters().entrySet()) {
            String key = "d" + p.getKey() + suffix;
            if (!c.has(key)) {
                throw new AssertionError(context + ": the fixture has no " + key + " for parameter " + p.getKey());
            }
            Tensor grad = p.getValue().grad();
            if (grad == null) {
                throw new AssertionError(context + ", gradient of " + p.getKey() + suffix + ": no gradient reached it");
            }
            Approx.assertClose(context + ", gradient of " + p.getKey() + suffix, c.tensor(key), grad, atol, rtol);
        }
    }

    /** Copies the case's parameter values (weight, bias) into the module. */
    static void loadParameters(Module module, Fixtures.Case c) {
        for (Map.Entry<String, Tensor> p : module.namedParameters().entrySet()) {
            Tensor value = c.tensor(p.getKey());
            System.arraycopy(value.data(), 0, p.getValue().data(), 0, value.numel());
        }
    }

    static boolean bool(Fixtures.Case c, String key) {
        return Boolean.parseBoolean(c.attr(key));
    }
}
