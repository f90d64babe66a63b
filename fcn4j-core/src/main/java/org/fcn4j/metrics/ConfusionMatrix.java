package org.fcn4j.metrics;

import java.util.Arrays;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Confusion matrix of a segmentation or classification run, accumulated over every batch of the
 * evaluation set: entry (t, p) counts the pixels of true class t predicted as class p (rows: true
 * class, columns: predicted class). Counts are 64-bit, so whole datasets of large images fit.
 *
 * <p>The metrics come from the matrix of the whole set ({@link #metrics()}), never from averaging
 * per-batch scores: with two classes, targets [0, 0, 0, 1] / predictions [0, 0, 0, 0] then
 * targets [1, 1, 1, 1] / predictions [1, 1, 1, 0] give a dataset mIoU of 0.6, while the mean of
 * the two per-batch mIoUs is 0.375.
 *
 * <p>Pixels whose target is the ignore index are skipped. Any other target or prediction outside
 * [0, numClasses) is an error that names the value and its position.
 *
 * <p>Thread use: {@link #update} and {@link #merge} are synchronized, so workers may share one
 * matrix; giving each worker its own and merging them at the end avoids the lock.
 */
public final class ConfusionMatrix {
    private final int numClasses;
    private final int ignoreIndex;
    private final long[] counts;  // (C, C) row-major: counts[t * C + p]

    /** Creates a matrix whose ignore index is -100, PyTorch's default. */
    public ConfusionMatrix(int numClasses) {
        this(numClasses, -100);
    }

    public ConfusionMatrix(int numClasses, int ignoreIndex) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be at least 1, got " + numClasses);
        }
        if (ignoreIndex >= 0 && ignoreIndex < numClasses) {
            throw new IllegalArgumentException("ignoreIndex " + ignoreIndex + " is a class index in [0, " + numClasses
                    + "); use a label outside the classes, e.g. 255 or -100");
        }
        this.numClasses = numClasses;
        this.ignoreIndex = ignoreIndex;
        this.counts = new long[numClasses * numClasses];
    }

    /**
     * Creates a matrix containing the given counts (rows true class, columns predicted class), for
     * example read back from a CSV written by {@link ConfusionMatrixCsv}, so that it can be merged
     * with others. For percentages, use {@link SegmentationMetrics#SegmentationMetrics(double[][])}.
     */
    public static ConfusionMatrix ofCounts(long[][] counts, int ignoreIndex) {
        ConfusionMatrix cm = new ConfusionMatrix(counts.length, ignoreIndex);
        int c = counts.length;
        for (int t = 0; t < c; t++) {
            if (counts[t].length != c) {
                throw new IllegalArgumentException("expected a square matrix of counts: row " + t + " has "
                        + counts[t].length + " values, expected " + c);
            }
            for (int p = 0; p < c; p++) {
                if (counts[t][p] < 0) {
                    throw new IllegalArgumentException("count (" + t + ", " + p + ") must be >= 0, got "
                            + counts[t][p]);
                }
                cm.counts[t * c + p] = counts[t][p];
            }
        }
        return cm;
    }

    public int numClasses() {
        return numClasses;
    }

    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** Adds predicted/true label pairs given as flat arrays of equal length. */
    public synchronized ConfusionMatrix update(int[] predicted, int[] target) {
        if (predicted.length != target.length) {
            throw new IllegalArgumentException("expected as many predictions as targets, got " + predicted.length
                    + " predictions and " + target.length + " targets");
        }
        int[] shape = {target.length};
        check(predicted, target, shape);
        add(predicted, target);
        return this;
    }

    /**
     * Adds a batch. {@code prediction} is either logits of shape (N, C, H, W), reduced by argmax
     * over the class axis (the first maximum wins ties), or a class map of the target's shape.
     * {@code target} contains class indices, shape (N, H, W) (or (N) for (N, C) logits).
     */
    public synchronized ConfusionMatrix update(Tensor prediction, Tensor target) {
        int[] pShape = prediction.shape();
        int[] tShape = target.shape();
        int[] labels = wholeNumbers("target", target);
        int[] predicted;
        if (Arrays.equals(pShape, tShape)) {
            predicted = wholeNumbers("prediction", prediction);
        } else if (pShape.length == tShape.length + 1 && pShape.length >= 2 && pShape[0] == tShape[0]
                && Arrays.equals(Arrays.copyOfRange(pShape, 2, pShape.length),
                        Arrays.copyOfRange(tShape, 1, tShape.length))) {
            if (pShape[1] != numClasses) {
                throw new IllegalArgumentException("expected logits with " + numClasses + " classes on axis 1, got shape "
                        + Shape.str(pShape));
            }
            predicted = argmax(prediction.data(), pShape[0], numClasses, labels.length / Math.max(pShape[0], 1));
        } else {
            throw new IllegalArgumentException("expected a prediction of the target's shape " + Shape.str(tShape)
                    + " (class map) or logits of shape (N, " + numClasses + ", ...) matching it, got "
                    + Shape.str(pShape));
        }
        check(predicted, labels, tShape);
        add(predicted, labels);
        return this;
    }

    /** Adds every count of {@code other}, which must have the same classes and ignore index. */
    public ConfusionMatrix merge(ConfusionMatrix other) {
        if (other.numClasses != numClasses || other.ignoreIndex != ignoreIndex) {
            throw new IllegalArgumentException("cannot merge a confusion matrix of " + other.numClasses
                    + " classes (ignore index " + other.ignoreIndex + ") into one of " + numClasses
                    + " classes (ignore index " + ignoreIndex + ")");
        }
        long[] theirs;
        synchronized (other) {
            theirs = other.counts.clone();
        }
        synchronized (this) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += theirs[i];
            }
        }
        return this;
    }

    /** Pixels of true class {@code trueClass} predicted as {@code predictedClass}. */
    public synchronized long count(int trueClass, int predictedClass) {
        return counts[trueClass * numClasses + predictedClass];
    }

    /** Returns a copy of the counts, rows true class and columns predicted class. */
    public synchronized long[][] counts() {
        long[][] out = new long[numClasses][];
        for (int t = 0; t < numClasses; t++) {
            out[t] = Arrays.copyOfRange(counts, t * numClasses, (t + 1) * numClasses);
        }
        return out;
    }

    /** Number of counted (not ignored) pixels. */
    public synchronized long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    public synchronized void reset() {
        Arrays.fill(counts, 0);
    }

    /** Computes the metrics of everything accumulated so far. */
    public SegmentationMetrics metrics() {
        long[][] c = counts();
        double[][] values = new double[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                values[t][p] = c[t][p];
            }
        }
        return new SegmentationMetrics(values);
    }

    private void add(int[] predicted, int[] target) {
        for (int i = 0; i < target.length; i++) {
            if (target[i] != ignoreIndex) {
                counts[target[i] * numClasses + predicted[i]]++;
            }
        }
    }

    private void check(int[] predicted, int[] target, int[] shape) {
        for (int i = 0; i < target.length; i++) {
            int t = target[i];
            if (t == ignoreIndex) {
                continue;
            }
            if (t < 0 || t >= numClasses) {
                throw new IllegalArgumentException("target value " + t + " at " + where(shape, i) + " is outside [0, "
                        + numClasses + ") and is not the ignore index " + ignoreIndex);
            }
            int p = predicted[i];
            if (p < 0 || p >= numClasses) {
                throw new IllegalArgumentException("predicted class " + p + " at " + where(shape, i)
                        + " is outside [0, " + numClasses + ")");
            }
        }
    }

    private static int[] argmax(float[] x, int n, int c, int s) {
        int[] out = new int[n * s];
        for (int b = 0; b < n; b++) {
            for (int q = 0; q < s; q++) {
                int best = 0;
                float max = x[b * c * s + q];
                for (int k = 1; k < c; k++) {
                    float v = x[(b * c + k) * s + q];
                    if (v > max) {
                        max = v;
                        best = k;
                    }
                }
                out[b * s + q] = best;
            }
        }
        return out;
    }

    private static int[] wholeNumbers(String what, Tensor t) {
        float[] v = t.data();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > 1 << 24) {
                throw new IllegalArgumentException(what + " value " + v[i] + " at " + where(t.shape(), i)
                        + " is not a class index (a whole number)");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /** "batch index 1, pixel (3, 7)" for (N, H, W); "index 5" for flat arrays. */
    private static String where(int[] shape, int flat) {
        if (shape.length == 1) {
            return "index " + flat;
        }
        int[] idx = new int[shape.length];
        int rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        StringBuilder sb = new StringBuilder("batch index ").append(idx[0]);
        sb.append(shape.length == 3 ? ", pixel (" : ", position (");
        for (int d = 1; d < shape.length; d++) {
            sb.append(d > 1 ? ", " : "").append(idx[d]);
        }
        return sb.append(')').toString();
    }

    @Override
    public String toString() {
        return "ConfusionMatrix(" + numClasses + " classes, ignoreIndex=" + ignoreIndex + ", " + total() + " pixels)";
    }
}
