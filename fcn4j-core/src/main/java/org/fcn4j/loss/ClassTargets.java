package org.fcn4j.loss;

import java.util.Arrays;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Validation of class-index targets against logits of shape (N, C, d1, ..., dk): the target must
 * have shape (N, d1, ..., dk), and every label must be in [0, C) or equal the ignore index.
 * Errors name the offending value and where it was found.
 */
final class ClassTargets {
    private ClassTargets() {
    }

    /** Returns the target shape that these logits need, which is their shape without the class axis. */
    static int[] expectedShape(String loss, int[] logitsShape) {
        if (logitsShape.length < 2) {
            throw new IllegalArgumentException(loss + ": expected logits of shape (N, C) or (N, C, H, W), got "
                    + Shape.str(logitsShape));
        }
        int[] out = new int[logitsShape.length - 1];
        out[0] = logitsShape[0];
        System.arraycopy(logitsShape, 2, out, 1, logitsShape.length - 2);
        return out;
    }

    /** Labels from a float tensor of class indices, which must be whole numbers. */
    static int[] of(String loss, int[] logitsShape, Tensor target, int ignoreIndex) {
        int[] shape = target.shape();
        checkShape(loss, logitsShape, shape);
        float[] v = target.data();
        int[] labels = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float f = v[i];
            if (f != Math.rint(f) || Math.abs(f) > 1 << 24) {
                throw new IllegalArgumentException(loss + ": target value " + f + " at " + where(shape, i)
                        + " is not a class index (a whole number)");
            }
            labels[i] = (int) f;
        }
        checkRange(loss, logitsShape[1], labels, shape, ignoreIndex);
        return labels;
    }

    static int[] of(String loss, int[] logitsShape, int[] target, int[] targetShape, int ignoreIndex) {
        checkShape(loss, logitsShape, targetShape);
        if (target.length != Shape.numel(targetShape)) {
            throw new IllegalArgumentException(loss + ": " + target.length + " target labels for target shape "
                    + Shape.str(targetShape) + ", which needs " + Shape.numel(targetShape));
        }
        checkRange(loss, logitsShape[1], target, targetShape, ignoreIndex);
        return target;
    }

    static int[] of(String loss, int[] logitsShape, long[] target, int[] targetShape, int ignoreIndex) {
        checkShape(loss, logitsShape, targetShape);
        if (target.length != Shape.numel(targetShape)) {
            throw new IllegalArgumentException(loss + ": " + target.length + " target labels for target shape "
                    + Shape.str(targetShape) + ", which needs " + Shape.numel(targetShape));
        }
        int numClasses = logitsShape[1];
        int[] labels = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            long y = target[i];
            if ((y < 0 || y >= numClasses) && y != ignoreIndex) {
                throw new IllegalArgumentException(loss + ": target value " + y + " at " + where(targetShape, i)
                        + " is outside [0, " + numClasses + ") and is not the ignore index " + ignoreIndex);
            }
            labels[i] = (int) y;
        }
        return labels;
    }

    private static void checkShape(String loss, int[] logitsShape, int[] targetShape) {
        int[] expect = expectedShape(loss, logitsShape);
        if (!Arrays.equals(expect, targetShape)) {
            throw new IllegalArgumentException(loss + ": expected a target of shape " + Shape.str(expect)
                    + " (class indices) for logits of shape " + Shape.str(logitsShape) + ", got "
                    + Shape.str(targetShape));
        }
    }

    private static void checkRange(String loss, int numClasses, int[] labels, int[] shape, int ignoreIndex) {
        for (int i = 0; i < labels.length; i++) {
            int y = labels[i];
            if ((y < 0 || y >= numClasses) && y != ignoreIndex) {
                throw new IllegalArgumentException(loss + ": target value " + y + " at " + where(shape, i)
                        + " is outside [0, " + numClasses + ") and is not the ignore index " + ignoreIndex);
            }
        }
    }

    /** "batch index 1, pixel (3, 7)" for (N, H, W) targets; "batch index 1" for (N) targets. */
    static String where(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        int rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        StringBuilder sb = new StringBuilder("batch index ").append(idx[0]);
        if (shape.length > 1) {
            sb.append(shape.length == 3 ? ", pixel (" : ", position (");
            for (int d = 1; d < shape.length; d++) {
                sb.append(d > 1 ? ", " : "").append(idx[d]);
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
