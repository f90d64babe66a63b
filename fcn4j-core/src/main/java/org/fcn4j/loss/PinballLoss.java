package org.fcn4j.loss;

import java.util.Arrays;

/**
 * Pinball (quantile) loss at level q: with the residual r = y_i - x_i,
 * {@code l_i = max(q r, (q - 1) r)}, that is q r when the target is above the prediction and
 * (1 - q)(-r) when it is below.
 *
 * <p>Minimising its expectation makes the output the conditional q-quantile of Y given X = x:
 * the derivative of the expected loss, {@code P(Y < x) - q}, is zero where {@code P(Y < x) = q}. At q = 0.5 it is
 * half the L1 loss. PyTorch has no built-in counterpart.
 *
 * <p>The multi-quantile form {@link #multiQuantile(double...)} trains channel k of an input of
 * shape (N, K, ...) at level q_k, against a target of the same shape or with one channel that is
 * shared by the K outputs.
 *
 * <p>NOTE: at r = 0 the gradient is q - 0.5, the mean of the one-sided derivatives.
 *
 * <p>Arguments: q in the open interval (0, 1), or one level per channel; reduction (default MEAN,
 * dividing by the element count of the input).
 *
 * <p>Shape: input any shape, (N, K, ...) for the multi-quantile form; target the input's shape,
 * or (N, 1, ...) for the multi-quantile form; output a scalar, or the input's shape with
 * Reduction.NONE. Gradients flow to the input and to the target.
 */
public final class PinballLoss extends PointwiseLoss {
    private final double[] levels;

    public PinballLoss(double q) {
        this(q, Reduction.MEAN);
    }

    public PinballLoss(double q, Reduction reduction) {
        this(reduction, new double[] {q}, false);
    }

    private PinballLoss(Reduction reduction, double[] levels, boolean multi) {
        super(reduction);
        if (levels.length == 0) {
            throw new IllegalArgumentException("PinballLoss: give at least one quantile level");
        }
        for (int k = 0; k < levels.length; k++) {
            double q = levels[k];
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("PinballLoss: quantile level" + (multi ? " " + k : "")
                        + " must be in the open interval (0, 1), got " + q);
            }
        }
        this.levels = levels.clone();
    }

    /** The loss whose channel k (axis 1) is trained at level {@code levels[k]}, with Reduction.MEAN. */
    public static PinballLoss multiQuantile(double... levels) {
        return new PinballLoss(Reduction.MEAN, levels, true);
    }

    /** The same levels with another reduction. */
    public PinballLoss withReduction(Reduction reduction) {
        return new PinballLoss(reduction, levels, levels.length > 1);
    }

    /** The quantile levels, one per channel (one value for the single-level loss). */
    public double[] levels() {
        return levels.clone();
    }

    @Override
    int channels() {
        return levels.length;
    }

    @Override
    double value(double d, int channel) {
        double q = levels[channel];
        double r = -d;
        return Math.max(q * r, (q - 1) * r);
    }

    @Override
    double slope(double d, int channel) {
        double q = levels[channel];
        if (d > 0) {
            return 1 - q;
        }
        return d < 0 ? -q : 0.5 - q;
    }

    @Override
    public String toString() {
        return "PinballLoss(q=" + (levels.length == 1 ? String.valueOf(levels[0]) : Arrays.toString(levels))
                + ", reduction=" + reduction + ")";
    }
}
