package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Rectified linear unit, element-wise.
 *
 * <pre>
 *   y = max(0, x)
 * </pre>
 * NOTE: the gradient at x = 0 is 0, as in PyTorch.
 *
 * <p>Shape: input (*), any shape; output the same shape.
 */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }

    @Override
    public String toString() {
        return "ReLU()";
    }
}
