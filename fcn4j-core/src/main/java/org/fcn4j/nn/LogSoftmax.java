package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/**
 * Logarithm of the softmax along one axis, by default the channel axis of (N, C, H, W).
 *
 * <pre>
 *   y_c = x_c - max_k x_k - log(sum_j exp(x_j - max_k x_k))
 * </pre>
 * Computed directly, not as log(softmax(x)), so it stays finite where the softmax underflows.
 *
 * <p>Arguments: {@code dim} the axis (default 1; negative counts from the end).
 *
 * <p>Shape: input (*), e.g. (N, C, H, W); output the same shape.
 */
public final class LogSoftmax extends Module {
    private final int dim;

    /** LogSoftmax over axis 1, the channels. */
    public LogSoftmax() {
        this(1);
    }

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return ActivationKernels.softmax(input, dim, true);
    }

    @Override
    public String toString() {
        return "LogSoftmax(dim=" + dim + ")";
    }
}
