package org.fcn4j.loss;

import java.util.Arrays;

import org.fcn4j.autograd.Backward;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Focal loss (Lin et al., 2017), a cross-entropy that down-weights well-classified elements.
 * For a logit x and a target t in [0, 1], with s the sigmoid:
 *
 * <pre>
 *   ce  = -[t log s(x) + (1 - t) log(1 - s(x))]       (binary cross-entropy on logits)
 *   p_t = s(x) t + (1 - s(x)) (1 - t)
 *   a_t = alpha t + (1 - alpha)(1 - t)                (1 when alpha &lt; 0)
 *   f(x, t) = a_t (1 - p_t)^gamma ce
 * </pre>
 *
 * <p>{@link #binary()} is torchvision's {@code ops.sigmoid_focal_loss}: f over every element of an
 * input and a target of the same shape; defaults gamma 2, alpha 0.25.
 *
 * <p>{@link #multiclass()} is segmentation_models_pytorch's {@code FocalLoss(mode="multiclass")}:
 * one-vs-rest on each channel, with t = [y_i = c], summed over the classes. For a counted pixel i,
 * {@code l_i = sum_c f(x_ic, [y_i = c])}; MEAN returns the mean of l_i over counted pixels (the
 * sum over classes of per-class means, as smp), SUM their sum, NONE l with the target's shape and
 * 0 at ignored pixels. Defaults gamma 2, no alpha weighting, ignore index -100. NOTE: with MEAN
 * and every pixel ignored, the loss and every gradient are NaN (0 / 0), as in smp.
 *
 * <p>NOTE: with 0 &lt; gamma &lt; 1, PyTorch 1.13 in float32 (torchvision's function, and smp's
 * formula) returns a NaN gradient for an element whose sigmoid rounds to exactly 1 or 0 on the
 * side of its target (|x| above about 16.6), because pow's backward computes inf * 0 there.
 * fcn4j computes in double and returns the finite limit, a gradient near 0, as PyTorch does in
 * float64.
 *
 * <p>gamma = 0 and alpha &lt; 0 give plain binary cross-entropy. Larger gamma moves the fit away
 * from calibrated probabilities towards getting hard, rare elements right.
 *
 * <p>NOTE: p_t follows torchvision's definition. smp's binary form uses exp(-ce) instead; the
 * two agree for targets 0 and 1 (the multi-class form only has those), not for soft targets.
 *
 * <p>Arguments (each has a {@code with...} method): gamma >= 0, alpha in [0, 1] or negative for
 * none, ignoreIndex (multi-class form only), reduction.
 *
 * <p>Shape: binary: input any shape, target (float, values in [0, 1]) the input's shape, output
 * a scalar or the input's shape with Reduction.NONE. Multi-class: logits (N, C, H, W) (any
 * (N, C, d1, ..., dk)), target (N, H, W) class indices, output a scalar or (N, H, W). The
 * gradient flows to the input, and in the binary form also to a target that requires one, as in
 * PyTorch.
 */
public final class FocalLoss implements Loss {
    private static final String NAME = "FocalLoss";

    private final boolean multiclass;
    private final double gamma;
    private final double alpha;
    private final int ignoreIndex;
    private final Reduction reduction;

    private FocalLoss(boolean multiclass, double gamma, double alpha, int ignoreIndex, Reduction reduction) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException(NAME + ": gamma must be a finite value >= 0, got " + gamma);
        }
        if (!(alpha <= 1) || Double.isNaN(alpha)) {
            throw new IllegalArgumentException(NAME + ": alpha must be in [0, 1], or negative for no weighting, got "
                    + alpha);
        }
        if (reduction == null) {
            throw new IllegalArgumentException(NAME + ": reduction must be MEAN, SUM or NONE, got null");
        }
        this.multiclass = multiclass;
        this.gamma = gamma;
        this.alpha = alpha;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
    }

    /** torchvision's sigmoid focal loss: gamma 2, alpha 0.25, MEAN. */
    public static FocalLoss binary() {
        return new FocalLoss(false, 2.0, 0.25, -100, Reduction.MEAN);
    }

    /** smp's multi-class focal loss: gamma 2, no alpha, ignore index -100, MEAN over counted pixels. */
    public static FocalLoss multiclass() {
        return new FocalLoss(true, 2.0, -1.0, -100, Reduction.MEAN);
    }

    public FocalLoss withGamma(double gamma) {
        return new FocalLoss(multiclass, gamma, alpha, ignoreIndex, reduction);
    }

    /** Weight of positive targets in [0, 1]; negatives get 1 - alpha. A negative value turns weighting off. */
    public FocalLoss withAlpha(double alpha) {
        return new FocalLoss(multiclass, gamma, alpha, ignoreIndex, reduction);
    }

    public FocalLoss withIgnoreIndex(int ignoreIndex) {
        if (!multiclass) {
            throw new IllegalStateException(NAME + ": ignoreIndex applies to the multi-class form only");
        }
        return new FocalLoss(true, gamma, alpha, ignoreIndex, reduction);
    }

    public FocalLoss withReduction(Reduction reduction) {
        return new FocalLoss(multiclass, gamma, alpha, ignoreIndex, reduction);
    }

    /** Binary form: a float target of the input's shape. Multi-class form: class indices of shape (N, H, W). */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        if (multiclass) {
            return multiclass(input, ClassTargets.of(NAME, input.shape(), target, ignoreIndex));
        }
        return binary(input, target);
    }

    /** Multi-class form with integer labels of shape {@code targetShape}. */
    public Tensor forward(Tensor logits, int[] target, int... targetShape) {
        requireMulticlass();
        return multiclass(logits, ClassTargets.of(NAME, logits.shape(), target, targetShape, ignoreIndex));
    }

    /** Multi-class form with integer labels of shape {@code targetShape}. */
    public Tensor forward(Tensor logits, long[] target, int... targetShape) {
        requireMulticlass();
        return multiclass(logits, ClassTargets.of(NAME, logits.shape(), target, targetShape, ignoreIndex));
    }

    private void requireMulticlass() {
        if (!multiclass) {
            throw new IllegalStateException(NAME + ": integer class labels need FocalLoss.multiclass(); the binary "
                    + "form takes a float target of the input's shape");
        }
    }

    private Tensor binary(Tensor input, Tensor target) {
        int[] shape = input.shape();
        if (!Arrays.equals(shape, target.shape())) {
            throw new IllegalArgumentException(NAME + ": expected a target of the input's shape " + Shape.str(shape)
                    + ", got " + Shape.str(target.shape()));
        }
        float[] x = input.data();
        float[] t = target.data();
        float[] out = new float[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double l = value(x[i], t[i]);
            out[i] = (float) l;
            sum += l;
        }
        if (reduction == Reduction.NONE) {
            return Tensor.result(NAME, out, shape, dOut -> binaryBackward(input, target, dOut, 0), input, target);
        }
        double scale = reduction == Reduction.MEAN ? 1.0 / x.length : 1.0;
        Backward backward = dOut -> binaryBackward(input, target, null, dOut[0] * scale);
        return Tensor.result(NAME, new float[] {(float) (sum * scale)}, new int[0], backward, input, target);
    }

    /** Gradients of the binary form: of the input, and of the target when it requires one (as PyTorch). */
    private void binaryBackward(Tensor input, Tensor target, float[] dOut, double g) {
        float[] x = input.data();
        float[] t = target.data();
        if (input.requiresGrad()) {
            float[] dx = input.gradBuffer();
            for (int i = 0; i < x.length; i++) {
                dx[i] += (float) ((dOut == null ? g : dOut[i]) * slope(x[i], t[i]));
            }
        }
        if (target.requiresGrad()) {
            float[] dt = target.gradBuffer();
            for (int i = 0; i < x.length; i++) {
                dt[i] += (float) ((dOut == null ? g : dOut[i]) * targetSlope(x[i], t[i]));
            }
        }
    }

    /**
     * df/dt = da_t/dt (1 - p_t)^gamma ce + a_t [gamma (1 - p_t)^(gamma - 1) (1 - 2 s(x)) ce
     * - (1 - p_t)^gamma x], since dp_t/dt = 2 s(x) - 1 and dce/dt = -x.
     */
    private double targetSlope(double x, double t) {
        double e = Math.exp(-Math.abs(x));
        double p = x >= 0 ? 1 / (1 + e) : e / (1 + e);
        double ce = Math.max(x, 0) - x * t + Math.log1p(e);
        double m = 1 - (p * t + (1 - p) * (1 - t));
        double modulator;
        double dModulator;
        if (gamma == 0) {
            modulator = 1;
            dModulator = 0;
        } else if (m > 0) {
            double mPow = pow(m, gamma - 1);
            modulator = mPow * m;
            dModulator = gamma * mPow * (1 - 2 * p);
        } else {
            // As in slope: 1 - p_t reached 0, and the term vanishes for gamma > 1.
            modulator = 0;
            dModulator = gamma == 1 ? 1 - 2 * p : 0;
        }
        double dWeight = alpha < 0 ? 0 : 2 * alpha - 1;
        return dWeight * modulator * ce + weight(t) * (dModulator * ce - modulator * x);
    }

    private Tensor multiclass(Tensor logits, int[] labels) {
        int[] shape = logits.shape();
        int n = shape[0];
        int c = shape[1];
        int s = labels.length / Math.max(n, 1);
        float[] x = logits.data();  // (N, C, S)
        float[] out = new float[labels.length];  // (N, S)
        double[] imageSum = new double[n];
        long[] imageCounted = new long[n];
        Parallel.forEach(n, b -> {
            for (int q = 0; q < s; q++) {
                int y = labels[b * s + q];
                if (y == ignoreIndex) {
                    continue;
                }
                double l = 0;
                for (int k = 0; k < c; k++) {
                    l += value(x[(b * c + k) * s + q], k == y ? 1 : 0);
                }
                out[b * s + q] = (float) l;
                imageSum[b] += l;
                imageCounted[b]++;
            }
        });
        double sum = 0;
        long counted = 0;
        for (int b = 0; b < n; b++) {
            sum += imageSum[b];
            counted += imageCounted[b];
        }
        int[] outShape = ClassTargets.expectedShape(NAME, shape);
        if (reduction == Reduction.NONE) {
            return Tensor.result(NAME, out, outShape, dOut -> multiclassBackward(logits, labels, dOut, 0), logits);
        }
        if (reduction == Reduction.MEAN && counted == 0) {
            // NOTE: every pixel ignored: the mean is 0 / 0, and smp's formula, differentiated by
            // PyTorch, gives NaN for the loss and for every logit's gradient.
            Backward undefined = dOut -> {
                if (logits.requiresGrad()) {
                    float[] dx = logits.gradBuffer();
                    for (int i = 0; i < dx.length; i++) {
                        dx[i] += Float.NaN;
                    }
                }
            };
            return Tensor.result(NAME, new float[] {Float.NaN}, new int[0], undefined, logits);
        }
        double scale = reduction == Reduction.MEAN ? 1.0 / counted : 1.0;
        Backward backward = dOut -> multiclassBackward(logits, labels, null, dOut[0] * scale);
        return Tensor.result(NAME, new float[] {(float) (sum * scale)}, new int[0], backward, logits);
    }

    private void multiclassBackward(Tensor logits, int[] labels, float[] dOut, double g) {
        if (!logits.requiresGrad()) {
            return;
        }
        int[] shape = logits.shape();
        int n = shape[0];
        int c = shape[1];
        int s = labels.length / Math.max(n, 1);
        float[] x = logits.data();
        float[] dx = logits.gradBuffer();
        Parallel.forEach(n, b -> {
            for (int q = 0; q < s; q++) {
                int i = b * s + q;
                int y = labels[i];
                if (y == ignoreIndex) {
                    continue;
                }
                double gi = dOut == null ? g : dOut[i];
                for (int k = 0; k < c; k++) {
                    int at = (b * c + k) * s + q;
                    dx[at] += (float) (gi * slope(x[at], k == y ? 1 : 0));
                }
            }
        });
    }

    /** f(x, t) for one element. */
    private double value(double x, double t) {
        // One exp serves the sigmoid and the softplus: e = exp(-|x|) never overflows.
        double e = Math.exp(-Math.abs(x));
        double p = x >= 0 ? 1 / (1 + e) : e / (1 + e);
        double ce = Math.max(x, 0) - x * t + Math.log1p(e);
        double m = 1 - (p * t + (1 - p) * (1 - t));
        return weight(t) * pow(m, gamma) * ce;
    }

    /**
     * df/dx = a_t [gamma (1 - p_t)^(gamma - 1) (-dp_t/dx) ce + (1 - p_t)^gamma (s(x) - t)], with
     * dp_t/dx = s(x)(1 - s(x))(2t - 1).
     */
    private double slope(double x, double t) {
        double e = Math.exp(-Math.abs(x));
        double p = x >= 0 ? 1 / (1 + e) : e / (1 + e);
        double ce = Math.max(x, 0) - x * t + Math.log1p(e);
        double m = 1 - (p * t + (1 - p) * (1 - t));
        double dModulator;
        double modulator;
        if (gamma == 0) {
            dModulator = 0;
            modulator = 1;
        } else if (m > 0) {
            double mPow = pow(m, gamma - 1);
            dModulator = -gamma * mPow * p * (1 - p) * (2 * t - 1);
            modulator = mPow * m;
        } else {
            // 1 - p_t reached 0 in double precision: the term vanishes for gamma > 1.
            dModulator = gamma == 1 ? -p * (1 - p) * (2 * t - 1) : 0;
            modulator = 0;
        }
        return weight(t) * (dModulator * ce + modulator * (p - t));
    }

    /** m^g, with the common integer exponents (gamma 2 gives g 2 and g - 1 = 1) done by multiplication. */
    private static double pow(double m, double g) {
        if (g == 1) {
            return m;
        }
        if (g == 2) {
            return m * m;
        }
        return g == 0 ? 1 : Math.pow(m, g);
    }

    private double weight(double t) {
        return alpha < 0 ? 1 : alpha * t + (1 - alpha) * (1 - t);
    }

    @Override
    public String toString() {
        return NAME + "(" + (multiclass ? "multiclass" : "binary") + ", gamma=" + gamma + ", alpha="
                + (alpha < 0 ? "none" : String.valueOf(alpha)) + (multiclass ? ", ignoreIndex=" + ignoreIndex : "")
                + ", reduction=" + reduction + ")";
    }
}
