package org.fcn4j.loss;

import java.util.Arrays;

import org.fcn4j.autograd.Backward;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Shared fused forward/backward of the regression losses, which are all a function of the
 * residual {@code d = input - target} and, for the multi-quantile pinball loss, of the channel.
 *
 * <p>Forward sums in double; the backward pass writes dLoss/dInput and, when the target requires
 * a gradient, dLoss/dTarget, which is -dLoss/dInput except at SmoothL1Loss's beta-0 kink (as
 * PyTorch does for these losses).
 */
abstract class PointwiseLoss implements Loss {
    final Reduction reduction;

    PointwiseLoss(Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException("reduction must be MEAN, SUM or NONE, got null");
        }
        this.reduction = reduction;
    }

    /** The loss of one element, given the residual d = input - target. */
    abstract double value(double d, int channel);

    /** dValue/dd; at a kink, the mean of the one-sided derivatives (PyTorch's rule for abs and maximum). */
    abstract double slope(double d, int channel);

    /**
     * dValue/dTarget, which is -slope except where a loss follows PyTorch's own rule at a kink
     * (SmoothL1Loss with beta 0).
     */
    double targetSlope(double d, int channel) {
        return -slope(d, channel);
    }

    /** Number of channels on axis 1 that carry different parameters; 1 when the loss has none. */
    int channels() {
        return 1;
    }

    /** The class name, for error messages. */
    String name() {
        return getClass().getSimpleName();
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        int[] shape = input.shape();
        int[] targetIndex = targetIndex(shape, target.shape());
        int k = channels();
        if (k > 1 && (shape.length < 2 || shape[1] != k)) {
            throw new IllegalArgumentException(name() + ": expected an input of shape (N, " + k + ", ...) with one "
                    + "channel per quantile level, got " + Shape.str(shape));
        }
        int inner = k == 1 ? 1 : Shape.numel(Arrays.copyOfRange(shape, 2, shape.length));

        float[] x = input.data();   // input shape
        float[] y = target.data();  // input shape, or the channel-broadcast target of the multi-quantile loss
        int n = x.length;

        if (reduction == Reduction.NONE) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                int c = k == 1 ? 0 : (i / inner) % k;
                out[i] = (float) value(x[i] - y[targetIndex == null ? i : targetIndex[i]], c);
            }
            Backward backward = dOut -> backwardInto(input, target, targetIndex, inner, dOut, 0f);
            return Tensor.result(name(), out, shape, backward, input, target);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int c = k == 1 ? 0 : (i / inner) % k;
            sum += value(x[i] - y[targetIndex == null ? i : targetIndex[i]], c);
        }
        // NOTE: the mean of zero elements is NaN, as in PyTorch.
        double scale = reduction == Reduction.MEAN ? 1.0 / n : 1.0;
        float loss = (float) (sum * scale);
        Backward backward = dOut -> backwardInto(input, target, targetIndex, inner, null, (float) (dOut[0] * scale));
        return Tensor.result(name(), new float[] {loss}, new int[0], backward, input, target);
    }

    /** dOut per element when it is non-null, else the same factor {@code g} for every element. */
    private void backwardInto(Tensor input, Tensor target, int[] targetIndex, int inner, float[] dOut, float g) {
        float[] x = input.data();
        float[] y = target.data();
        int k = channels();
        float[] dx = input.requiresGrad() ? input.gradBuffer() : null;
        float[] dy = target.requiresGrad() ? target.gradBuffer() : null;
        for (int i = 0; i < x.length; i++) {
            int c = k == 1 ? 0 : (i / inner) % k;
            int j = targetIndex == null ? i : targetIndex[i];
            double seed = dOut == null ? g : dOut[i];
            double d = x[i] - y[j];
            if (dx != null) {
                dx[i] += (float) (seed * slope(d, c));
            }
            if (dy != null) {
                dy[j] += (float) (seed * targetSlope(d, c));
            }
        }
    }

    /**
     * Null when the target has the input's shape; for a multi-channel loss, also accepts a target
     * with one channel on axis 1, broadcast over the input's channels.
     */
    private int[] targetIndex(int[] inputShape, int[] targetShape) {
        if (Arrays.equals(inputShape, targetShape)) {
            return null;
        }
        if (channels() > 1 && targetShape.length == inputShape.length && targetShape[1] == 1) {
            int[] expect = inputShape.clone();
            expect[1] = 1;
            if (Arrays.equals(expect, targetShape)) {
                return Shape.broadcastIndex(inputShape, targetShape);
            }
        }
        String also = channels() > 1 ? " (or with 1 channel on axis 1)" : "";
        throw new IllegalArgumentException(name() + ": expected a target of the input's shape " + Shape.str(inputShape)
                + also + ", got " + Shape.str(targetShape));
    }

    @Override
    public String toString() {
        return name() + "(reduction=" + reduction + ")";
    }
}
