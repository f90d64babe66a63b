package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Softmax along one axis, by default the channel axis of (N, C, H, W), so that the C values at
 * each pixel are positive and sum to 1.
 *
 * <pre>
 *   y_c = exp(x_c - max_k x_k) / sum_j exp(x_j - max_k x_k)
 * </pre>
 * Subtracting the maximum leaves the result unchanged and keeps exp from overflowing.
 *
 * <p>NOTE: for a classification loss, use LogSoftmax (or a loss that takes logits): the log of
 * a softmax that underflowed to 0 is minus infinity.
 *
 * <p>Arguments: {@code dim} the axis (default 1; negative counts from the end).
 *
 * <p>Shape: input (*), e.g. (N, C, H, W); output the same shape.
 */
public final class Softmax extends Module {
    private final int dim;

    /** Softmax over axis 1, the channels. */
    public Softmax() {
        this(1);
    }

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return ActivationKernels.softmax(input, dim, false);
    }

    @Override
    public String toString() {
        return "Softmax(dim=" + dim + ")";
    }
}
