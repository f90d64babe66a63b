package org.fcn4j.loss;

/**
 * Smooth L1 loss, PyTorch's {@code nn.SmoothL1Loss}: with d = x_i - y_i,
 * {@code l_i = 0.5 d^2 / beta} if {@code |d| < beta}, else {@code |d| - 0.5 beta}.
 *
 * <p>Quadratic near zero, linear in the tails: the fit sits between the conditional mean and
 * median, closer to the median when residuals are large compared with beta.
 *
 * <p>NOTE: beta = 0 gives exactly L1Loss. SmoothL1Loss(beta) equals HuberLoss(beta) / beta.
 *
 * <p>Arguments: beta (default 1.0, must be >= 0), reduction (default MEAN).
 *
 * <p>Shape: input any shape; target the input's shape; output a scalar, or the input's shape
 * with Reduction.NONE. Gradients flow to the input and to the target.
 */
public final class SmoothL1Loss extends PointwiseLoss {
    private final double beta;

    public SmoothL1Loss() {
        this(1.0, Reduction.MEAN);
    }

    public SmoothL1Loss(double beta) {
        this(beta, Reduction.MEAN);
    }

    public SmoothL1Loss(double beta, Reduction reduction) {
        super(reduction);
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("SmoothL1Loss: beta must be a finite value >= 0, got " + beta);
        }
        this.beta = beta;
    }

    @Override
    double value(double d, int channel) {
        double a = Math.abs(d);
        return a < beta ? 0.5 * d * d / beta : a - 0.5 * beta;
    }

    @Override
    double slope(double d, int channel) {
        return Math.abs(d) < beta ? d / beta : Math.signum(d);
    }

    @Override
    public String toString() {
        return "SmoothL1Loss(beta=" + beta + ", reduction=" + reduction + ")";
    }
}
