package org.fcn4j.loss;

/**
 * Huber loss, PyTorch's {@code nn.HuberLoss}: with d = x_i - y_i,
 * {@code l_i = 0.5 d^2} if {@code |d| < delta}, else {@code delta (|d| - 0.5 delta)}.
 *
 * <p>Quadratic near zero, linear in the tails: a mean that is robust to outliers.
 *
 * <p>NOTE: unlike SmoothL1Loss, the quadratic part is not divided by delta, so the slope in the
 * tails is delta, not 1.
 *
 * <p>Arguments: delta (default 1.0, must be > 0), reduction (default MEAN).
 *
 * <p>Shape: input any shape; target the input's shape; output a scalar, or the input's shape
 * with Reduction.NONE. Gradients flow to the input and to the target.
 */
public final class HuberLoss extends PointwiseLoss {
    private final double delta;

    public HuberLoss() {
        this(1.0, Reduction.MEAN);
    }

    public HuberLoss(double delta) {
        this(delta, Reduction.MEAN);
    }

    public HuberLoss(double delta, Reduction reduction) {
        super(reduction);
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("HuberLoss: delta must be a finite value > 0, got " + delta);
        }
        this.delta = delta;
    }

    @Override
    double value(double d, int channel) {
        double a = Math.abs(d);
        return a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
    }

    @Override
    double slope(double d, int channel) {
        return Math.abs(d) < delta ? d : delta * Math.signum(d);
    }

    @Override
    public String toString() {
        return "HuberLoss(delta=" + delta + ", reduction=" + reduction + ")";
    }
}
