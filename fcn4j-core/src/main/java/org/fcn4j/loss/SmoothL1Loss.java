package org.fcn4j.loss;

/**
 * Smooth L1 loss, PyTorch's {@code nn.SmoothL1Loss}: with d = x_i - y_i,
 * {@code l_i = 0.5 d^2 / beta} if {@code |d| < beta}, else {@code |d| - 0.5 beta}.
 *
 * <p>Quadratic near zero, linear in the tails: the fit sits between the conditional mean and
 * median, closer to the median when residuals are large compared with beta.
 *
 * <p>NOTE: beta = 0 gives L1Loss, except for the gradient where x_i = y_i: PyTorch 1.13 (and
 * fcn4j) gives -1 to both the input and the target there, where L1Loss gives 0.
 * SmoothL1Loss(beta) equals HuberLoss(beta) / beta.
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

    /**
     * d / beta inside the quadratic part, else sign(d). NOTE: with beta = 0 and d = 0, PyTorch 1.13
     * takes the branch d &lt;= -beta and returns -1, not 0 as L1Loss does; fcn4j matches it.
     */
    @Override
    double slope(double d, int channel) {
        if (beta == 0 && d == 0) {
            return -1;
        }
        return Math.abs(d) < beta ? d / beta : Math.signum(d);
    }

    /**
     * PyTorch computes the target's gradient with the roles of input and target swapped, which is
     * -slope(d) except at beta = 0, d = 0, where it is -1 as well.
     */
    @Override
    double targetSlope(double d, int channel) {
        return beta == 0 && d == 0 ? -1 : -slope(d, channel);
    }

    @Override
    public String toString() {
        return "SmoothL1Loss(beta=" + beta + ", reduction=" + reduction + ")";
    }
}
