package org.fcn4j.loss;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

import org.fcn4j.autograd.Autograd;
import org.fcn4j.autograd.Backward;
import org.fcn4j.autograd.GradMode;
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

    // Buffers that one call at a time borrows, so that a training loop does not allocate them at
    // every step (about 4 MB per step of the standard unet-bench). Allocated at every step, they
    // could still be live when the step's young collection fell, which then promoted them: likely
    // a cause of the standard runs whose old generation grew by 6.5 MB per step.
    private final Reused<double[]> lseBuffer = new Reused<>(double[]::new, a -> a.length);
    private final Reused<float[]> lossBuffer = new Reused<>(float[]::new, a -> a.length);
    private final Reused<float[]> maxBuffer = new Reused<>(float[]::new, a -> a.length);
    private final Reused<double[]> sumExpBuffer = new Reused<>(double[]::new, a -> a.length);
    private final Reused<double[]> wxBuffer = new Reused<>(double[]::new, a -> a.length);

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
        boolean recording = GradMode.isEnabled() && logits.requiresGrad();
        double[] lse = lseBuffer.take(n * s);   // (N, S) log-sum-exp of each element's logits
        // (N, S) l_i, 0 where ignored. Without reduction it is the result, so it is new.
        float[] loss = reduction == Reduction.NONE ? new float[n * s] : lossBuffer.take(n * s);
        double[] countedWeight = new double[n]; // per image: sum of w_(y_i) over counted elements
        double smoothSum = weightSum(c);        // sum_c w_c, the smoothing term's weight
        double eps = labelSmoothing;
        // Per element: the largest logit, sum_c exp(x_ic - max) and sum_c w_c x_ic.
        float[] maxAll = maxBuffer.take(n * s);
        double[] sumExpAll = sumExpBuffer.take(n * s);
        double[] wxAll = wxBuffer.take(n * s);

        // Forward: per image, planes of S contiguous values per class, so the loops stride by one.
        // Each pass is a small method of its own, which the JIT compiles apart from the others.
        Parallel.forEach(n, b -> {
            int base = b * c * s;
            int at = b * s;
            maxOverClasses(x, base, c, s, maxAll, at);
            expSums(x, base, c, s, maxAll, sumExpAll, wxAll, at);
            countedWeight[b] = finishImage(x, labels, base, c, s, at, maxAll, sumExpAll, wxAll, smoothSum, eps,
                    lse, loss);
        });
        maxBuffer.release(maxAll);
        sumExpBuffer.release(sumExpAll);
        wxBuffer.release(wxAll);
        if (!recording) {
            lseBuffer.release(lse);
        }

        int[] outShape = ClassTargets.expectedShape(NAME, shape);
        if (reduction == Reduction.NONE) {
            Backward backward = dOut -> backwardAndRelease(logits, labels, lse, dOut, 0f);
            return Tensor.result(NAME, loss, outShape, backward, logits);
        }
        double total = 0;
        double denominator = 0;
        for (int b = 0; b < n; b++) {
            denominator += countedWeight[b];
        }
        total += sum(loss);
        lossBuffer.release(loss);
        double scale = reduction == Reduction.MEAN ? 1.0 / denominator : 1.0;
        Backward backward = dOut -> backwardAndRelease(logits, labels, lse, null, (float) (dOut[0] * scale));
        return Tensor.result(NAME, new float[] {(float) (total * scale)}, new int[0], backward, logits);
    }

    // max[at + p] = the largest of the c logits x[base + k s + p] of each of the s elements.
    private static void maxOverClasses(float[] x, int base, int c, int s, float[] max, int at) {
        Arrays.fill(max, at, at + s, Float.NEGATIVE_INFINITY);
        for (int k = 0; k < c; k++) {
            int off = base + k * s;
            for (int p = 0; p < s; p++) {
                max[at + p] = Math.max(max[at + p], x[off + p]);
            }
        }
    }

    // sumExp = sum_k exp(x_k - max) and wx = sum_k w_k x_k of each element, summed over k in order.
    private void expSums(float[] x, int base, int c, int s, float[] max, double[] sumExp, double[] wx, int at) {
        Arrays.fill(sumExp, at, at + s, 0);
        Arrays.fill(wx, at, at + s, 0);
        for (int k = 0; k < c; k++) {
            int off = base + k * s;
            double wk = w(k);
            for (int p = 0; p < s; p++) {
                sumExp[at + p] += Math.exp(x[off + p] - max[at + p]);
                wx[at + p] += wk * x[off + p];
            }
        }
    }

    // Writes each element's log-sum-exp and loss, and returns the sum of the counted elements' weights.
    private double finishImage(float[] x, int[] labels, int base, int c, int s, int at, float[] max,
            double[] sumExp, double[] wx, double smoothSum, double eps, double[] lse, float[] loss) {
        double counted = 0;
        for (int p = 0; p < s; p++) {
            int i = at + p;
            double l = max[i] + Math.log(sumExp[i]);
            lse[i] = l;
            int y = labels[i];
            if (y == ignoreIndex) {
                loss[i] = 0f;
                continue;
            }
            double wy = w(y);
            double nll = l - x[base + y * s + p];
            double smooth = l * smoothSum - wx[i];
            loss[i] = (float) ((1 - eps) * wy * nll + eps / c * smooth);
            counted += wy;
        }
        return counted;
    }

    // Runs backwardInto, then gives lse back unless the graph is kept for another backward pass.
    private void backwardAndRelease(Tensor logits, int[] labels, double[] lse, float[] dOut, float g) {
        backwardInto(logits, labels, lse, dOut, g);
        if (!Autograd.isRetainingGraph()) {
            lseBuffer.release(lse);
        }
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

    // Sums the losses in index order. A method of its own, so that the JIT compiles this loop soon
    // instead of compiling all of compute around it.
    private static double sum(float[] loss) {
        double total = 0;
        for (float l : loss) {
            total += l;
        }
        return total;
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

    /**
     * An array that one caller at a time borrows and gives back. A caller that finds it borrowed,
     * or of another length, gets a new array (kept for the next caller when the old one was free).
     */
    private static final class Reused<A> {
        private final IntFunction<A> make;
        private final ToIntFunction<A> length;
        private final AtomicBoolean borrowed = new AtomicBoolean();
        private volatile A array;

        Reused(IntFunction<A> make, ToIntFunction<A> length) {
            this.make = make;
            this.length = length;
        }

        A take(int n) {
            if (!borrowed.compareAndSet(false, true)) {
                return make.apply(n);
            }
            A a = array;
            if (a == null || length.applyAsInt(a) != n) {
                a = make.apply(n);
                array = a;
            }
            return a;
        }

        void release(A a) {
            if (a == array) {
                borrowed.set(false);
            }
        }
    }
}
