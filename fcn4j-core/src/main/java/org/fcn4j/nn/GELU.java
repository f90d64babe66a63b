package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Gaussian error linear unit, element-wise.
 *
 * <pre>
 *   exact (default): y = x * Phi(x) = x * (1 + erf(x / sqrt(2))) / 2
 *   tanh:            y = x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) / 2
 * </pre>
 * Phi is the standard normal distribution function; the exact form is PyTorch's default
 * ({@code approximate='none'}).
 *
 * <p>Arguments: {@code tanhApproximation} (default false).
 *
 * <p>Shape: input (*), any shape; output the same shape.
 */
public final class GELU extends Module {
    private final boolean tanhApproximation;

    /** Creates the exact (erf) form. */
    public GELU() {
        this(false);
    }

    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public Tensor forward(Tensor input) {
        return ActivationKernels.gelu(input, tanhApproximation);
    }

    @Override
    public String toString() {
        return "GELU(approximate='" + (tanhApproximation ? "tanh" : "none") + "')";
    }
}
