package org.fcn4j.nn;

import java.util.Arrays;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Layer normalisation: each sample is standardised over its trailing dimensions, the ones given
 * by {@code normalizedShape}, independently of the rest of the batch.
 *
 * <pre>
 *   y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta
 * </pre>
 * E[x] and the biased Var[x] are computed over the last {@code normalizedShape.length} dimensions;
 * gamma and beta have the normalised shape, one pair per normalised element. Training and
 * evaluation compute the same thing: there are no running statistics.
 *
 * <p>NOTE: for an image batch, {@code new LayerNorm(new int[] {C, H, W})} gives gamma and beta of
 * shape (C, H, W), tied to one image size; GroupNorm(1, C) normalises the same way with one
 * gamma and beta per channel.
 *
 * <p>Arguments: {@code normalizedShape} the trailing dimensions to normalise over; {@code eps}
 * (default 1e-5); {@code elementwiseAffine} whether gamma (initialised to 1) and beta (0) exist
 * (default true).
 *
 * <p>Shape:
 * <pre>
 *   input:  (*, normalizedShape[0], ..., normalizedShape[k - 1])
 *   weight, bias: normalizedShape
 *   output: same as the input
 * </pre>
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final int normalizedSize;
    private final double eps;
    private final boolean elementwiseAffine;
    private final Tensor weight;   // normalizedShape or null
    private final Tensor bias;     // normalizedShape or null

    /** LayerNorm with eps 1e-5 and elementwise affine. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape must name at least one dimension");
        }
        for (int d : normalizedShape) {
            if (d < 1) {
                throw new IllegalArgumentException("LayerNorm: every normalised dimension must be at least 1, got "
                        + Shape.str(normalizedShape));
            }
        }
        NormChecks.checkCommon("LayerNorm", 1, eps);
        this.normalizedShape = normalizedShape.clone();
        this.normalizedSize = Shape.numel(normalizedShape);
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        int k = normalizedShape.length;
        boolean ok = shape.length >= k
                && Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape);
        if (!ok) {
            throw new IllegalArgumentException("LayerNorm" + Shape.str(normalizedShape) + ": expected input of shape "
                    + "(*, " + trailing() + "), got " + Shape.str(shape));
        }
        int rows = input.numel() / normalizedSize;
        NormKernels.Stats stats = NormKernels.rowStats(input.data(), rows, normalizedSize, eps);
        return NormKernels.rowForward("layer_norm", input, rows, normalizedSize, stats, weight, bias);
    }

    private String trailing() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < normalizedShape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(normalizedShape[i]);
        }
        return sb.toString();
    }

    /** Returns the trailing dimensions normalised over. */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** gamma (normalizedShape), or null without elementwise affine. */
    public Tensor weight() {
        return weight;
    }

    /** beta (normalizedShape), or null without elementwise affine. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine="
                + elementwiseAffine + ")";
    }
}
