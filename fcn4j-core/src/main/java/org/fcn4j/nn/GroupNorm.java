package org.fcn4j.nn;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Group normalisation: the channels of each sample are split into {@code numGroups} groups of
 * C / G consecutive channels, and each group is standardised over its channels and all spatial
 * positions, independently of the batch.
 *
 * <pre>
 *   y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta
 * </pre>
 * E[x] and the biased Var[x] are computed per (n, group) over (C / G, H, W); gamma and beta are
 * per channel. GroupNorm(1, C) normalises as LayerNorm over (C, H, W), GroupNorm(C, C) as
 * InstanceNorm2d. Training and evaluation compute the same thing: there are no running
 * statistics.
 *
 * <p>Arguments: {@code numGroups} G, which must divide C; {@code numChannels} C; {@code eps}
 * (default 1e-5); {@code affine} whether gamma (initialised to 1) and beta (0) exist (default
 * true).
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, *), e.g. (N, C, H, W)
 *   weight, bias: (C)
 *   output: same as the input
 * </pre>
 */
public final class GroupNorm extends Module {
    private final int numGroups;
    private final int numChannels;
    private final double eps;
    private final boolean affine;
    private final Tensor weight;   // (C) or null
    private final Tensor bias;     // (C) or null

    /** GroupNorm with eps 1e-5 and affine. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups < 1) {
            throw new IllegalArgumentException("GroupNorm: the number of groups must be at least 1, got " + numGroups);
        }
        NormChecks.checkCommon("GroupNorm", numChannels, eps);
        if (numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm with " + numGroups + " groups over " + numChannels
                    + " channels: the number of channels must be divisible by the number of groups");
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.affine = affine;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numChannels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numChannels)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        if (shape.length < 2 || shape[1] != numChannels) {
            throw new IllegalArgumentException("GroupNorm(" + numGroups + ", " + numChannels + "): expected input of "
                    + "shape (N, " + numChannels + ", *), got " + Shape.str(shape));
        }
        int n = shape[0];
        int s = numChannels == 0 || n == 0 ? 0 : input.numel() / (n * numChannels);
        NormKernels.Grouping grouping = NormKernels.Grouping.perGroup(n, numChannels, s, numGroups);
        NormKernels.Stats stats = NormKernels.groupStats(input.data(), grouping, eps);
        return NormKernels.planeForward("group_norm", input, grouping, stats, true, weight, bias);
    }

    public int numGroups() {
        return numGroups;
    }

    public int numChannels() {
        return numChannels;
    }

    /** gamma (C), or null without affine. */
    public Tensor weight() {
        return weight;
    }

    /** beta (C), or null without affine. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public String toString() {
        return "GroupNorm(" + numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + affine + ")";
    }
}
