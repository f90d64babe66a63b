package org.fcn4j.loss;

import java.util.Arrays;

import org.fcn4j.autograd.Backward;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Cross-entropy of logits against class indices, PyTorch's {@code nn.CrossEntropyLoss} (1.13
 * semantics, label smoothing included). For a counted element i with label y and
 * {@code log p_ic = x_ic - logsumexp_c(x_ic)}:
 *
 * <pre>
 *   l_i = (1 - eps) w_y (-log p_iy) + (eps / C) sum_c w_c (-log p_ic)
 * </pre>
 *
 * with w the class weights (all 1 by default) and eps the label smoothing. Elements whose label is
 * the ignore index give 0 and are not counted. MEAN returns {@code sum_i l_i / sum_i w_(y_i)}
 * over the counted elements, SUM returns {@code sum_i l_i}, NONE returns l with the target's shape.
 *
 * <p>Minimising it makes softmax(x) the conditional class probabilities (shrunk towards uniform
 * by eps).
 *
 * <p>NOTE: the weighted mean divides by the sum of the weights of the counted elements, not by
 * their number. Without label smoothing it is the w_y-weighted average of -log p_iy, so
 * multiplying every weight by a constant leaves it unchanged. With every element ignored, MEAN
 * is NaN (0 / 0), as in PyTorch.
 *
 * <p>NOTE: the log-sum-exp subtracts the maximum logit of each element, so logits of 1e4 stay
 * finite.
 *
 * <p>Arguments (each has a {@code with...} method): weight (default none, else C positive
 * values), ignoreIndex (default -100; Pascal VOC uses 255), labelSmoothing in [0, 1] (default 0),
 * reduction (default MEAN).
 *
 * <p>Shape: logits (N, C) or (N, C, H, W) (any (N, C, d1, ..., dk)); target (N) or (N, H, W)
 * (the logits' shape without the class axis) as a float tensor of class indices, or as int[] /
 * long[] with that shape; output a scalar, or the target's shape with Reduction.NONE. The
 * gradient flows to the logits only.
 */
public final class CrossEntropyLoss implements Loss {
    private static final String NAME = "CrossEntropyLoss";

    private final float[] weight;  // (C), or null for weights of 1
    private final int ignoreIndex;
    private final double labelSmoothing;
    private final Reduction reduction;

    /** Unweighted, ignore index -100, no label smoothing, MEAN. */
    public CrossEntropyLoss() {
        this(null, -100, 0.0, Reduction.MEAN);
    }

    private CrossEntropyLoss(float[] weight, int ignoreIndex, double labelSmoothing, Reduction reduction) {
        if (weight != null) {
            for (int c = 0; c < weight.length; c++) {
                if (!(weight[c] >= 0) || Float.isInfinite(weight[c])) {
                    throw new IllegalArgumentException(NAME + ": class weight " + c + " must be finite and >= 0, got "
                            + weight[c]);
                }
            }
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException(NAME + ": labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        if (reduction == null) {
            throw new IllegalArgumentException(NAME + ": reduction must be MEAN, SUM or NONE, got null");
        }
        this.weight = weight == null ? null : weight.clone();
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        this.reduction = reduction;
    }

    /** Rescales the loss of each class; one weight per class, as PyTorch's {@code weight}. */
    public CrossEntropyLoss withWeight(float... weight) {
        return new CrossEntropyLoss(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** Elements with this label give no loss and no gradient, and are not counted by MEAN. */
    public CrossEntropyLoss withIgnoreIndex(int ignoreIndex) {
        return new CrossEntropyLoss(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** Mixes the one-hot target with the uniform distribution: (1 - eps) onehot + eps / C. */
    public CrossEntropyLoss withLabelSmoothing(double labelSmoothing) {
        return new CrossEntropyLoss(weight, ignoreIndex, labelSmoothing, reduction);
    }

    public CrossEntropyLoss withReduction(Reduction reduction) {
        return new CrossEntropyLoss(weight, ignoreIndex, labelSmoothing, reduction);
    }

    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** Target: a float tensor of class indices of shape (N) or (N, H, W). */
    @Override
    public Tensor forward(Tensor logits, Tensor target) {
        return compute(logits, ClassTargets.of(NAME, logits.shape(), target, ignoreIndex));
    }

    /** Target: class indices, row-major, of shape {@code targetShape} ((N) or (N, H, W)). */
    public Tensor forward(Tensor logits, int[] target, int... targetShape) {
        return compute(logits, ClassTargets.of(NAME, logits.shape(), target, targetShape, ignoreIndex));
    }

    /** Target: class indices, row-major, of shape {@code targetShape} ((N) or (N, H, W)). */
    public Tensor forward(Tensor logits, long[] target, int... targetShape) {
        return compute(logits, ClassTargets.of(NAME, logits.shape(), target, targetShape, ignoreIndex));
    }

    private Tensor compute(Tensor logits, int[] labels) {
        int[] shape = logits.shape();
        int n = shape[0];
        int c = shape[1];
        int s = labels.length / Math.max(n, 1);  // pixels per image: H * W, or 1 for (N, C) logits
        if (weight != null && weight.length != c) {
            throw new IllegalArgumentException(NAME + ": expected " + c + " class weights for logits of shape "
                    + Shape.str(shape) + ", got " + weight.length);
        }
        float[] x = logits.data();              // (N, C, S)
        double[] lse = new double[n * s];       // (N, S) log-sum-exp of each element's logits
        float[] loss = new float[n * s];        // (N, S) l_i, 0 where ignored
        double[] countedWeight = new double[n]; // per image: sum of w_(y_i) over counted elements
        double smoothSum = weightSum(c);        // sum_c w_c, the smoothing term's weight
        double eps = labelSmoothing;

        // Forward: per image, planes of S contiguous values per class, so the loops stride by one.
        Parallel.forEach(n, b -> {
            int base = b * c * s;
            float[] max = new float[s];
            double[] sumExp = new double[s];
            double[] wx = new double[s];  // sum_c w_c x_ic
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
            for (int k = 0; k < c; k++) {
                int off = base + k * s;
                for (int p = 0; p < s; p++) {
                    max[p] = Math.max(max[p], x[off + p]);
                }
            }
            for (int k = 0; k < c; k++) {
                int off = base + k * s;
                double wk = w(k);
                for (int p = 0; p < s; p++) {
                    sumExp[p] += Math.exp(x[off + p] - max[p]);
                    wx[p] += wk * x[off + p];
                }
            }
            double counted = 0;
            for (int p = 0; p < s; p++) {
                int i = b * s + p;
                double l = max[p] + Math.log(sumExp[p]);
                lse[i] = l;
                int y = labels[i];
                if (y == ignoreIndex) {
                    continue;
                }
                double wy = w(y);
                double nll = l - x[base + y * s + p];
                double smooth = l * smoothSum - wx[p];
                loss[i] = (float) ((1 - eps) * wy * nll + eps / c * smooth);
                counted += wy;
            }
            countedWeight[b] = counted;
        });

        int[] outShape = ClassTargets.expectedShape(NAME, shape);
        if (reduction == Reduction.NONE) {
            Backward backward = dOut -> backwardInto(logits, labels, lse, dOut, 0f);
            return Tensor.result(NAME, loss, outShape, backward, logits);
        }
        double total = 0;
        double denominator = 0;
        for (int b = 0; b < n; b++) {
            denominator += countedWeight[b];
        }
        for (float l : loss) {
            total += l;
        }
        double scale = reduction == Reduction.MEAN ? 1.0 / denominator : 1.0;
        Backward backward = dOut -> backwardInto(logits, labels, lse, null, (float) (dOut[0] * scale));
        return Tensor.result(NAME, new float[] {(float) (total * scale)}, new int[0], backward, logits);
    }

    /**
     * dl_i/dx_ij = (1 - eps) w_y (p_ij - [j = y]) + (eps / C) (p_ij sum_c w_c - w_j), times dOut_i
     * (or the common factor g when dOut is null).
     */
    private void backwardInto(Tensor logits, int[] labels, double[] lse, float[] dOut, float g) {
        if (!logits.requiresGrad()) {
            return;
        }
        int[] shape = logits.shape();
        int n = shape[0];
        int c = shape[1];
        int s = labels.length / Math.max(n, 1);
        float[] x = logits.data();  // (N, C, S)
        float[] dx = logits.gradBuffer();
        double eps = labelSmoothing;
        double smoothSum = weightSum(c);
        Parallel.forEach(n, b -> {
            int base = b * c * s;
            for (int k = 0; k < c; k++) {
                int off = base + k * s;
                double wk = w(k);
                for (int p = 0; p < s; p++) {
                    int i = b * s + p;
                    int y = labels[i];
                    if (y == ignoreIndex) {
                        continue;
                    }
                    double gi = dOut == null ? g : dOut[i];
                    double prob = Math.exp(x[off + p] - lse[i]);
                    double wy = w(y);
                    double d = (1 - eps) * wy * (prob - (k == y ? 1 : 0)) + eps / c * (prob * smoothSum - wk);
                    dx[off + p] += (float) (gi * d);
                }
            }
        });
    }

    private double weightSum(int c) {
        double sum = 0;
        for (int k = 0; k < c; k++) {
            sum += w(k);
        }
        return sum;
    }

    private double w(int k) {
        return weight == null ? 1.0 : weight[k];
    }

    @Override
    public String toString() {
        return NAME + "(weight=" + (weight == null ? "none" : Arrays.toString(weight)) + ", ignoreIndex="
                + ignoreIndex + ", labelSmoothing=" + labelSmoothing + ", reduction=" + reduction + ")";
    }
}
