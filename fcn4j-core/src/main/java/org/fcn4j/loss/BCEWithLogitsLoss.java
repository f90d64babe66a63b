package org.fcn4j.loss;

import java.util.Arrays;

import org.fcn4j.autograd.Backward;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Binary cross-entropy on logits, PyTorch's {@code nn.BCEWithLogitsLoss}: with the sigmoid s,
 *
 * <pre>
 *   l_i = -[pos_weight y_i log s(x_i) + (1 - y_i) log(1 - s(x_i))]
 * </pre>
 *
 * computed as {@code (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x)}, with
 * {@code softplus(-x) = log1p(exp(-|x|)) + max(-x, 0)}, so large logits of either sign stay finite.
 *
 * <p>Minimising it makes s(x) the conditional probability P(Y = 1 | X = x); pos_weight > 1 shifts
 * the fit towards the positive class (recall over precision).
 *
 * <p>Arguments: posWeight (default none, i.e. 1; a tensor broadcast against the input, e.g. shape
 * (C, 1, 1) for one weight per channel of an (N, C, H, W) input), reduction (default MEAN).
 *
 * <p>Shape: input any shape; target the input's shape, values in [0, 1] (soft labels allowed);
 * output a scalar, or the input's shape with Reduction.NONE. Gradients flow to the input and, when
 * it requires one, to the target, as in PyTorch.
 */
public final class BCEWithLogitsLoss implements Loss {
    private static final String NAME = "BCEWithLogitsLoss";

    private final Tensor posWeight;  // broadcastable to the input, or null
    private final Reduction reduction;

    public BCEWithLogitsLoss() {
        this(null, Reduction.MEAN);
    }

    public BCEWithLogitsLoss(Tensor posWeight, Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException(NAME + ": reduction must be MEAN, SUM or NONE, got null");
        }
        this.posWeight = posWeight == null ? null : posWeight.detach();
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        int[] shape = input.shape();
        if (!Arrays.equals(shape, target.shape())) {
            throw new IllegalArgumentException(NAME + ": expected a target of the input's shape " + Shape.str(shape)
                    + ", got " + Shape.str(target.shape()));
        }
        int[] pwIndex = null;
        if (posWeight != null) {
            int[] b;
            try {
                b = Shape.broadcast(shape, posWeight.shape());
            } catch (IllegalArgumentException e) {
                b = null;
            }
            if (!Arrays.equals(b, shape)) {
                throw new IllegalArgumentException(NAME + ": pos_weight of shape " + Shape.str(posWeight.shape())
                        + " does not broadcast to the input's shape " + Shape.str(shape));
            }
            pwIndex = Shape.broadcastIndex(shape, posWeight.shape());
        }
        float[] x = input.data();
        float[] y = target.data();
        float[] pw = posWeight == null ? null : posWeight.data();
        int[] pwi = pwIndex;
        int n = x.length;

        float[] out = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double logWeight = pw == null ? 1 : 1 + (pw[pwi[i]] - 1.0) * y[i];
            double softplusNeg = Math.log1p(Math.exp(-Math.abs(x[i]))) + Math.max(-x[i], 0.0);
            double l = (1 - y[i]) * (double) x[i] + logWeight * softplusNeg;
            out[i] = (float) l;
            sum += l;
        }

        if (reduction == Reduction.NONE) {
            Backward backward = dOut -> {
                backwardInto(input, y, pw, pwi, dOut, 0f);
                targetBackwardInto(input, target, pw, pwi, dOut, 0f);
            };
            return Tensor.result(NAME, out, shape, backward, input, target);
        }
        double scale = reduction == Reduction.MEAN ? 1.0 / n : 1.0;
        Backward backward = dOut -> {
            backwardInto(input, y, pw, pwi, null, (float) (dOut[0] * scale));
            targetBackwardInto(input, target, pw, pwi, null, (float) (dOut[0] * scale));
        };
        return Tensor.result(NAME, new float[] {(float) (sum * scale)}, new int[0], backward, input, target);
    }

    /** dl/dy = (pos_weight - 1) softplus(-x) - x, PyTorch's log s(-x) - pos_weight log s(x). */
    private static void targetBackwardInto(Tensor input, Tensor target, float[] pw, int[] pwi, float[] dOut,
            float g) {
        if (!target.requiresGrad()) {
            return;
        }
        float[] x = input.data();
        float[] dy = target.gradBuffer();
        for (int i = 0; i < x.length; i++) {
            double softplusNeg = Math.log1p(Math.exp(-Math.abs(x[i]))) + Math.max(-x[i], 0.0);
            double slope = (pw == null ? 0 : (pw[pwi[i]] - 1.0) * softplusNeg) - x[i];
            dy[i] += (float) ((dOut == null ? g : dOut[i]) * slope);
        }
    }

    /** dl/dx = (1 - y) - (1 + (pos_weight - 1) y) s(-x). */
    private static void backwardInto(Tensor input, float[] y, float[] pw, int[] pwi, float[] dOut, float g) {
        if (!input.requiresGrad()) {
            return;
        }
        float[] x = input.data();
        float[] dx = input.gradBuffer();
        for (int i = 0; i < x.length; i++) {
            double logWeight = pw == null ? 1 : 1 + (pw[pwi[i]] - 1.0) * y[i];
            double sigNeg = sigmoid(-x[i]);
            dx[i] += (float) ((dOut == null ? g : dOut[i]) * ((1 - y[i]) - logWeight * sigNeg));
        }
    }

    static double sigmoid(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }

    @Override
    public String toString() {
        return NAME + "(posWeight=" + (posWeight == null ? "none" : posWeight) + ", reduction=" + reduction + ")";
    }
}
