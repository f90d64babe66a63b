package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Logistic sigmoid, element-wise.
 *
 * <pre>
 *   y = 1 / (1 + exp(-x))
 * </pre>
 * Shape: input (*), any shape; output the same shape.
 */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }

    @Override
    public String toString() {
        return "Sigmoid()";
    }
}
