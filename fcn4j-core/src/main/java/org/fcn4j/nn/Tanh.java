package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Hyperbolic tangent, element-wise.
 *
 * <pre>
 *   y = (exp(x) - exp(-x)) / (exp(x) + exp(-x))
 * </pre>
 * Shape: input (*), any shape; output the same shape.
 */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }

    @Override
    public String toString() {
        return "Tanh()";
    }
}
