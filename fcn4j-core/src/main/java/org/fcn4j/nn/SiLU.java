package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Sigmoid linear unit (also called swish), element-wise.
 *
 * <pre>
 *   y = x * sigmoid(x) = x / (1 + exp(-x))
 * </pre>
 * Shape: input (*), any shape; output the same shape.
 */
public final class SiLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return ActivationKernels.silu(input);
    }

    @Override
    public String toString() {
        return "SiLU()";
    }
}
