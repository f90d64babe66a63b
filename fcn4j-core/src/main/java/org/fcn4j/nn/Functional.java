package org.fcn4j.nn;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Layer operations as functions, for code that combines branches or applies an activation
 * without holding a module (PyTorch's {@code torch.nn.functional}). Each computes exactly what
 * the layer of the same name computes.
 */
public final class Functional {
    private Functional() {
    }

    /**
     * Concatenates feature maps along the channel axis, as a U-Net joins a skip connection to the
     * upsampled path: (N, C1, H, W), (N, C2, H, W), ... give (N, C1 + C2 + ..., H, W).
     */
    public static Tensor concatChannels(Tensor... branches) {
        if (branches.length == 0) {
            throw new IllegalArgumentException("concatChannels needs at least one tensor");
        }
        int[] first = branches[0].shape();
        for (Tensor t : branches) {
            int[] s = t.shape();
            if (s.length != 4 || s[0] != first[0] || s[2] != first[2] || s[3] != first[3]) {
                throw new IllegalArgumentException("concatChannels: expected tensors of shape (N, *, H, W) with equal "
                        + "N, H and W, got " + Shape.str(first) + " and " + Shape.str(s)
                        + "; crop or pad the branches to the same size first");
            }
        }
        return Tensor.concat(1, branches);
    }

    /**
     * Pads the two spatial axes of an (N, C, H, W) tensor, as PyTorch's {@code F.pad(x, (left, right,
     * top, bottom), mode)}; differentiable. Reflect padding must be smaller than the input on each
     * axis. Output: (N, C, top + H + bottom, left + W + right).
     */
    public static Tensor pad(Tensor input, int top, int bottom, int left, int right, PaddingMode mode) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("pad: padding must be >= 0, got top " + top + ", bottom " + bottom
                    + ", left " + left + ", right " + right);
        }
        int[] s = input.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException("pad: expected an input of shape (N, C, H, W), got " + Shape.str(s));
        }
        Pad2d.check("pad", s[2], s[3], top, bottom, left, right, mode);
        return Pad2d.pad(input, top, bottom, left, right, mode);
    }

    /** Sums branches of identical shape, as a residual connection does. */
    public static Tensor add(Tensor first, Tensor... others) {
        Tensor sum = first;
        for (Tensor t : others) {
            if (!java.util.Arrays.equals(first.shape(), t.shape())) {
                throw new IllegalArgumentException("add: branches must have the same shape, got " + Shape.str(first.shape())
                        + " and " + Shape.str(t.shape()));
            }
            sum = sum.add(t);
        }
        return sum;
    }

    /** See {@link LeakyReLU}. */
    public static Tensor leakyRelu(Tensor input, float negativeSlope) {
        return ActivationKernels.leakyRelu(input, negativeSlope);
    }

    /** See {@link GELU}; the exact erf form unless tanhApproximation. */
    public static Tensor gelu(Tensor input, boolean tanhApproximation) {
        return ActivationKernels.gelu(input, tanhApproximation);
    }

    /** See {@link SiLU}. */
    public static Tensor silu(Tensor input) {
        return ActivationKernels.silu(input);
    }

    /** See {@link Softmax}. */
    public static Tensor softmax(Tensor input, int dim) {
        return ActivationKernels.softmax(input, dim, false);
    }

    /** See {@link LogSoftmax}. */
    public static Tensor logSoftmax(Tensor input, int dim) {
        return ActivationKernels.softmax(input, dim, true);
    }

    /** See {@link Upsample#interpolate}. */
    public static Tensor interpolate(Tensor input, int[] size, double[] scaleFactor, Upsample.Mode mode,
            boolean alignCorners) {
        return Upsample.interpolate(input, size, scaleFactor, mode, alignCorners);
    }
}
