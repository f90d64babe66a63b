package org.fcn4j.loss;

/**
 * Mean squared error, PyTorch's {@code nn.MSELoss}: {@code l_i = (x_i - y_i)^2}.
 *
 * <p>Minimising its expectation makes the output the conditional mean E[Y | X = x].
 *
 * <p>Arguments: reduction (default MEAN, dividing by the element count).
 *
 * <p>Shape: input any shape; target the input's shape; output a scalar, or the input's shape
 * with Reduction.NONE. Gradients flow to the input and to the target.
 */
public final class MSELoss extends PointwiseLoss {
    public MSELoss() {
        this(Reduction.MEAN);
    }

    public MSELoss(Reduction reduction) {
        super(reduction);
    }

    @Override
    double value(double d, int channel) {
        return d * d;
    }

    @Override
    double slope(double d, int channel) {
        return 2 * d;
    }
}
