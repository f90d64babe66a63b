package org.fcn4j.nn;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Instance normalisation: each channel of each image is standardised with its own spatial
 * statistics, so one image's contrast never depends on the other images of the batch.
 *
 * <pre>
 *   y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta
 * </pre>
 * E[x] and the biased Var[x] are computed over (H, W) for every (n, c). With
 * {@code trackRunningStats}, each training step also updates
 * {@code running = (1 - momentum) * running + momentum * batch}, where "batch" is the mean over
 * the N images of their per-image mean and unbiased variance, and evaluation mode then
 * normalises every image with the running statistics.
 *
 * <p>NOTE: unlike BatchNorm2d, affine and trackRunningStats are false by default (as in
 * PyTorch), and num_batches_tracked is registered with running statistics but never
 * incremented, as PyTorch 1.13 does.
 *
 * <p>NOTE: normalising a single spatial value (H * W = 1) with its own statistics throws: the
 * output would be constant.
 *
 * <p>NOTE: without affine and running statistics nothing depends on C, so an input with another
 * channel count is accepted, as PyTorch does (with a warning there).
 *
 * <p>Arguments: {@code numFeatures} C; {@code eps} (default 1e-5); {@code momentum} for the running
 * statistics (default 0.1, the weight of the newest batch); {@code affine} (default false,
 * gamma = 1 and beta = 0 initially); {@code trackRunningStats} (default false).
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W) or (C, H, W)
 *   weight, bias: (C)
 *   output: same as the input
 * </pre>
 */
public final class InstanceNorm2d extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final boolean affine;
    private final boolean trackRunningStats;
    private final Tensor weight;        // (C) or null
    private final Tensor bias;          // (C) or null
    private final Tensor runningMean;   // (C) or null
    private final Tensor runningVar;    // (C) or null

    /** InstanceNorm2d(C) with eps 1e-5, momentum 0.1, no affine and no running statistics. */
    public InstanceNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false);
    }

    public InstanceNorm2d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        NormChecks.checkCommon("InstanceNorm2d", numFeatures, eps);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("InstanceNorm2d: momentum must be in [0, 1], got " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numFeatures)) : null;
        if (trackRunningStats) {
            runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
            runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
            registerBuffer("num_batches_tracked", Tensor.scalar(0f));
        } else {
            runningMean = null;
            runningVar = null;
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        boolean unbatched = shape.length == 3;
        boolean channelsFree = !affine && !trackRunningStats;
        int channelAxis = unbatched ? 0 : 1;
        if (shape.length != 3 && shape.length != 4 || !channelsFree && shape[channelAxis] != numFeatures) {
            throw new IllegalArgumentException("InstanceNorm2d(" + numFeatures + "): expected input of shape (N, "
                    + numFeatures + ", H, W) or (" + numFeatures + ", H, W), got " + Shape.str(shape));
        }
        Tensor x = unbatched ? input.reshape(1, shape[0], shape[1], shape[2]) : input;
        int n = x.size(0);
        int c = x.size(1);
        int s = x.size(2) * x.size(3);

        boolean useInputStats = isTraining() || !trackRunningStats;
        Tensor y;
        if (useInputStats) {
            if (s <= 1) {
                throw new IllegalArgumentException("InstanceNorm2d(" + numFeatures + "): expected more than 1 spatial "
                        + "element when training, got input of shape " + Shape.str(shape) + "; each image's variance "
                        + "over (H, W) needs at least two values");
            }
            NormKernels.Grouping grouping = NormKernels.Grouping.perPlane(n, c, s);
            NormKernels.Stats stats = NormKernels.groupStats(x.data(), grouping, eps);
            if (isTraining() && trackRunningStats) {
                updateRunning(stats, n, s);
            }
            y = NormKernels.planeForward("instance_norm", x, grouping, stats, true, weight, bias);
        } else {
            NormKernels.Stats running = NormChecks.fromRunning(runningMean, runningVar, eps);
            y = NormKernels.planeForward("instance_norm", x, NormKernels.Grouping.perChannel(n, c, s), running,
                    false, weight, bias);
        }
        return unbatched ? y.reshape(shape) : y;
    }

    /** Averages the per-image statistics over the batch, then blends them into the running ones. */
    private void updateRunning(NormKernels.Stats stats, int n, int s) {
        double[] mean = new double[numFeatures];
        double[] var = new double[numFeatures];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < numFeatures; ch++) {
                mean[ch] += stats.mean()[i * numFeatures + ch] / n;
                var[ch] += stats.var()[i * numFeatures + ch] / n;
            }
        }
        NormChecks.updateRunning(runningMean.data(), runningVar.data(), mean, var, (double) s / (s - 1), momentum);
    }

    public int numFeatures() {
        return numFeatures;
    }

    /** gamma (C), or null without affine. */
    public Tensor weight() {
        return weight;
    }

    /** beta (C), or null without affine. */
    public Tensor bias() {
        return bias;
    }

    /** Running mean (C), or null without running statistics. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** Running unbiased variance (C), or null without running statistics. */
    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public String toString() {
        return "InstanceNorm2d(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine
                + ", track_running_stats=" + trackRunningStats + ")";
    }
}
