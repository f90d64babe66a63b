package org.fcn4j.nn;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * 2D adaptive average pooling: averages windows chosen so that the output has a fixed size,
 * whatever the input size.
 *
 * <pre>
 *   out(n, c, i, j) = mean of x(n, c, h, w) for h in [floor(i H / H_out), ceil((i + 1) H / H_out))
 *                                          and w in [floor(j W / W_out), ceil((j + 1) W / W_out))
 * </pre>
 * When the output size does not divide the input size, neighbouring windows overlap by one.
 * {@code new AdaptiveAvgPool2d(1)} is global average pooling.
 *
 * <p>Arguments: {@code outputSize} H_out and W_out (one int for both); 0 for an axis keeps
 * the input size, as PyTorch's None.
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W) or (C, H, W)
 *   output: (N, C, H_out, W_out) or (C, H_out, W_out)
 * </pre>
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int outH;
    private final int outW;

    public AdaptiveAvgPool2d(int outputSize) {
        this(outputSize, outputSize);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 0 || outW < 0) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive (or 0 to keep the "
                    + "input size), got " + outH + " x " + outW);
        }
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor input) {
        return PoolKernels.batchedOrNot("AdaptiveAvgPool2d", input, x -> {
            int[] shape = x.shape();
            if (shape[2] < 1 || shape[3] < 1) {
                throw new IllegalArgumentException("AdaptiveAvgPool2d: expected a non-empty input plane, got "
                        + Shape.str(input.shape()));
            }
            int oh = outH == 0 ? shape[2] : outH;
            int ow = outW == 0 ? shape[3] : outW;
            // Fails with a message, not an int overflow in the kernel, for a huge output size.
            Shape.numel(shape[0], shape[1], oh, ow);
            return PoolKernels.adaptiveAvgPool(x, oh, ow);
        });
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(output_size=(" + (outH == 0 ? "None" : outH) + ", " + (outW == 0 ? "None" : outW)
                + "))";
    }
}
