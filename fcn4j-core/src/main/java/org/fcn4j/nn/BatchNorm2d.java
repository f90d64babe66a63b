package org.fcn4j.nn;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Batch normalisation over a 4D input: each channel is standardised with statistics taken over the
 * batch and both spatial axes, then scaled and shifted by a trainable gamma and beta.
 *
 * <pre>
 *   y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta
 * </pre>
 * E[x] and the biased Var[x] are computed per channel over (N, H, W). In training mode (and always
 * when {@code trackRunningStats} is false) they are the statistics of the current batch; in
 * evaluation mode with running statistics they are {@code running_mean} and {@code running_var}.
 * Each training step updates the running statistics as
 * {@code running = (1 - momentum) * running + momentum * batch}, where the batch variance is the
 * unbiased one (divided by N * H * W - 1); with a null momentum the update is a cumulative average,
 * {@code momentum = 1 / num_batches_tracked}.
 *
 * <p>NOTE: momentum here is the weight of the newest batch in the running average, the opposite
 * convention to an optimiser's momentum (PyTorch's convention: 0.1 keeps 90% of the old value).
 *
 * <p>NOTE: training on one value per channel (N * H * W = 1) throws, as PyTorch does: the
 * variance would be zero and the output constant.
 *
 * <p>NOTE: num_batches_tracked is stored as a float32 scalar (PyTorch: int64), exact up to 2^24
 * batches.
 *
 * <p>Arguments: {@code numFeatures} C; {@code eps} added to the variance (default 1e-5);
 * {@code momentum} (default 0.1, null for a cumulative average); {@code affine} whether gamma and
 * beta exist and are trained (default true, initialised to 1 and 0); {@code trackRunningStats}
 * whether running statistics are kept and used in evaluation (default true).
 *
 * <p>Parameters and buffers, in state_dict order: {@code weight} (C), {@code bias} (C),
 * {@code running_mean} (C, initialised to 0), {@code running_var} (C, initialised to 1),
 * {@code num_batches_tracked} (scalar).
 *
 * <p>Shape:
 * <pre>
 *   input:  (N, C, H, W)
 *   weight, bias, running_mean, running_var: (C)
 *   output: (N, C, H, W), same as the input
 * </pre>
 */
public final class BatchNorm2d extends Module {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean affine;
    private final boolean trackRunningStats;
    private final Tensor weight;              // (C) or null
    private final Tensor bias;                // (C) or null
    private final Tensor runningMean;         // (C) or null
    private final Tensor runningVar;          // (C) or null
    private final Tensor numBatchesTracked;   // () or null

    /** BatchNorm2d(C) with eps 1e-5, momentum 0.1, affine and running statistics. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        NormChecks.checkCommon("BatchNorm2d", numFeatures, eps);
        if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm2d: momentum must be in [0, 1] or null (cumulative average), "
                    + "got " + momentum);
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
            numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.scalar(0f));
        } else {
            runningMean = null;
            runningVar = null;
            numBatchesTracked = null;
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(input, false);
    }

    /**
     * This layer followed by ReLU, as one operation: {@code relu(forward(input))} with the same
     * values and gradients, but without storing the normalised input separately and with one pass
     * over memory instead of two each way. Running statistics are updated as by {@link #forward}.
     */
    public Tensor forwardReLU(Tensor input) {
        return forward(input, true);
    }

    private Tensor forward(Tensor input, boolean relu) {
        int[] shape = input.shape();
        if (shape.length != 4 || shape[1] != numFeatures) {
            throw new IllegalArgumentException("BatchNorm2d(" + numFeatures + "): expected input of shape (N, "
                    + numFeatures + ", H, W), got " + Shape.str(shape));
        }
        int n = shape[0];
        int s = shape[2] * shape[3];
        NormKernels.Grouping grouping = NormKernels.Grouping.perChannel(n, numFeatures, s);

        boolean useBatchStats = isTraining() || !trackRunningStats;
        if (!useBatchStats) {
            NormKernels.Stats running = NormChecks.fromRunning(runningMean, runningVar, eps);
            return NormKernels.planeForward("batch_norm", input, grouping, running, false, weight, bias, relu);
        }

        long count = (long) n * s;
        if (count == 0) {
            // NOTE: an empty batch, as PyTorch 1.13: the output is empty, the running statistics
            // stay, and num_batches_tracked still counts the step.
            if (isTraining() && trackRunningStats) {
                numBatchesTracked.data()[0] += 1f;
            }
            double[] none = new double[numFeatures];
            return NormKernels.planeForward("batch_norm", input, grouping, new NormKernels.Stats(none, none, none),
                    false, weight, bias, relu);
        }
        if (count <= 1) {
            throw new IllegalArgumentException("BatchNorm2d(" + numFeatures + "): expected more than 1 value per "
                    + "channel when training, got input of shape " + Shape.str(shape) + "; the variance over (N, H, W) "
                    + "needs at least two values, so use a batch of 2 or more, or call eval() first");
        }
        NormKernels.Stats batch = NormKernels.groupStats(input.data(), grouping, eps);
        if (isTraining() && trackRunningStats) {
            numBatchesTracked.data()[0] += 1f;
            double factor = momentum == null ? 1.0 / numBatchesTracked.data()[0] : momentum;
            NormChecks.updateRunning(runningMean.data(), runningVar.data(), batch.mean(), batch.var(),
                    (double) count / (count - 1), factor);
        }
        return NormKernels.planeForward("batch_norm", input, grouping, batch, true, weight, bias, relu);
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

    /** Number of training steps that updated the running statistics, or null without them. */
    public Tensor numBatchesTracked() {
        return numBatchesTracked;
    }

    @Override
    public String toString() {
        return "BatchNorm2d(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine
                + ", track_running_stats=" + trackRunningStats + ")";
    }
}
