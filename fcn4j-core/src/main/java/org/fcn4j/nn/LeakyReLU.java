package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Leaky rectified linear unit, element-wise.
 *
 * <pre>
 *   y = x              if x > 0
 *   y = slope * x      otherwise
 * </pre>
 * Arguments: {@code negativeSlope} (default 0.01).
 *
 * <p>Shape: input (*), any shape; output the same shape.
 */
public final class LeakyReLU extends Module {
    private final float negativeSlope;

    /** LeakyReLU with slope 0.01. */
    public LeakyReLU() {
        this(0.01f);
    }

    public LeakyReLU(float negativeSlope) {
        if (!Float.isFinite(negativeSlope)) {
            throw new IllegalArgumentException("LeakyReLU: negativeSlope must be finite, got " + negativeSlope);
        }
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor input) {
        return ActivationKernels.leakyRelu(input, negativeSlope);
    }

    @Override
    public String toString() {
        return "LeakyReLU(negative_slope=" + negativeSlope + ")";
    }
}
