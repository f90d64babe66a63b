package org.fcn4j.data;

import java.util.Arrays;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * One example of a dataset: an input image and its target.
 *
 * <p>The target is either a class map or a field, as {@link Dataset#targetKind()} states:
 * <ul>
 *   <li>{@link TargetKind#CLASS_MAP}: shape (H, W), each value a class index stored as a float
 *       (exact up to 2^24), {@link Dataset#IGNORE_INDEX} (255) for pixels that no loss or metric
 *       should count;</li>
 *   <li>{@link TargetKind#FIELD}: shape (C_t, H, W), real values (regression, denoising).</li>
 * </ul>
 *
 * <p>Shape: input (C, H, W); target (H, W) or (C_t, H, W), with the same H and W as the input.
 *
 * @param input  the image, shape (C, H, W)
 * @param target the class map (H, W) or the field (C_t, H, W)
 */
public record Sample(Tensor input, Tensor target) {
    public Sample {
        if (input.dim() != 3) {
            throw new IllegalArgumentException("expected a sample input of shape (C, H, W), got "
                    + Shape.str(input.shape()));
        }
        int[] in = input.shape();
        int[] t = target.shape();
        boolean classMap = t.length == 2 && t[0] == in[1] && t[1] == in[2];
        boolean field = t.length == 3 && t[1] == in[1] && t[2] == in[2];
        if (!classMap && !field) {
            throw new IllegalArgumentException("expected a target of shape (" + in[1] + ", " + in[2] + ") or (C_t, "
                    + in[1] + ", " + in[2] + ") for an input of shape " + Shape.str(in) + ", got " + Shape.str(t));
        }
    }

    /** Returns the class map as integers, row-major (H * W values); valid for class-map targets only. */
    public int[] classes() {
        if (target.dim() != 2) {
            throw new IllegalStateException("classes() needs a class-map target of shape (H, W), got "
                    + Shape.str(target.shape()));
        }
        return toClasses(target.data());
    }

    static int[] toClasses(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return "Sample[input=" + Shape.str(input.shape()) + ", target=" + Shape.str(target.shape()) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s && Arrays.equals(input.shape(), s.input.shape())
                && Arrays.equals(input.data(), s.input.data()) && Arrays.equals(target.shape(), s.target.shape())
                && Arrays.equals(target.data(), s.target.data());
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(input.data()) + Arrays.hashCode(target.data());
    }
}
