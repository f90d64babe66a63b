package org.fcn4j.loss;

/**
 * Mean absolute error, PyTorch's {@code nn.L1Loss}: {@code l_i = |x_i - y_i|}.
 *
 * <p>Minimising its expectation makes the output the conditional median of Y given X = x.
 *
 * <p>NOTE: the gradient at x_i = y_i is 0, as PyTorch's sign(0).
 *
 * <p>Arguments: reduction (default MEAN).
 *
 * <p>Shape: input any shape; target the input's shape; output a scalar, or the input's shape
 * with Reduction.NONE. Gradients flow to the input and to the target.
 */
public final class L1Loss extends PointwiseLoss {
    public L1Loss() {
        this(Reduction.MEAN);
    }

    public L1Loss(Reduction reduction) {
        super(reduction);
    }

    @Override
    double value(double d, int channel) {
        return Math.abs(d);
    }

    @Override
    double slope(double d, int channel) {
        return Math.signum(d);
    }
}
