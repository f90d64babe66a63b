package org.fcn4j.metrics;

import java.util.Arrays;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Error metrics of a pixel-wise regression, accumulated over every batch of an evaluation set in
 * double sums, so the result does not depend on the batch size. With the residual
 * {@code d = prediction - target} over all counted elements:
 *
 * <pre>
 *   MSE = mean(d^2)   RMSE = sqrt(MSE)   MAE = mean(|d|)   bias = mean(d)
 * </pre>
 *
 * <p>For a network with quantile outputs ({@link #quantiles(double...)}), channel k of a
 * prediction (N, K, ...) estimates the q_k-quantile, and {@link #coverage(int)} is the observed
 * fraction of targets at or below it: close to q_k when the quantile is calibrated. The target
 * has one channel shared by the K outputs, or K channels. Each statistic also exists per channel.
 *
 * <p>A model trained with MSE should show bias near 0; one trained with MAE, a median that
 * differs from the mean when the noise is skewed, so a non-zero bias is expected there.
 *
 * <p>Thread use: {@link #update} and {@link #merge} are synchronized.
 */
public final class RegressionMetrics {
    private final double[] levels;  // (K) quantile levels, or null for point predictions
    private final int channels;
    private final long[] count;     // per channel
    private final double[] sumD;
    private final double[] sumAbs;
    private final double[] sumSq;
    private final long[] covered;   // per channel: targets <= prediction

    /** Metrics of point predictions of any shape. */
    public RegressionMetrics() {
        this(null);
    }

    private RegressionMetrics(double[] levels) {
        this.levels = levels == null ? null : levels.clone();
        this.channels = levels == null ? 1 : levels.length;
        count = new long[channels];
        sumD = new double[channels];
        sumAbs = new double[channels];
        sumSq = new double[channels];
        covered = new long[channels];
    }

    /** Metrics of a network whose channel k (axis 1) predicts the quantile at level {@code levels[k]}. */
    public static RegressionMetrics quantiles(double... levels) {
        if (levels.length == 0) {
            throw new IllegalArgumentException("give at least one quantile level");
        }
        for (double q : levels) {
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("quantile levels must be in the open interval (0, 1), got " + q);
            }
        }
        return new RegressionMetrics(levels);
    }

    /** Adds a batch: prediction and target of the same shape, or a one-channel target for quantile outputs. */
    public synchronized RegressionMetrics update(Tensor prediction, Tensor target) {
        int[] ps = prediction.shape();
        int[] ts = target.shape();
        int[] targetIndex = null;
        if (levels != null) {
            if (ps.length < 2 || ps[1] != channels) {
                throw new IllegalArgumentException("expected a prediction of shape (N, " + channels + ", ...) with one "
                        + "channel per quantile level, got " + Shape.str(ps));
            }
            int[] oneChannel = ps.clone();
            oneChannel[1] = 1;
            if (Arrays.equals(ts, oneChannel)) {
                targetIndex = Shape.broadcastIndex(ps, ts);
            } else if (!Arrays.equals(ts, ps)) {
                throw new IllegalArgumentException("expected a target of shape " + Shape.str(oneChannel) + " or "
                        + Shape.str(ps) + ", got " + Shape.str(ts));
            }
        } else if (!Arrays.equals(ps, ts)) {
            throw new IllegalArgumentException("expected a target of the prediction's shape " + Shape.str(ps)
                    + ", got " + Shape.str(ts));
        }
        float[] x = prediction.data();
        float[] y = target.data();
        int inner = levels == null ? x.length : Shape.numel(Arrays.copyOfRange(ps, 2, ps.length));
        for (int i = 0; i < x.length; i++) {
            int k = levels == null ? 0 : (i / inner) % channels;
            double yi = y[targetIndex == null ? i : targetIndex[i]];
            double d = x[i] - yi;
            count[k]++;
            sumD[k] += d;
            sumAbs[k] += Math.abs(d);
            sumSq[k] += d * d;
            if (yi <= x[i]) {
                covered[k]++;
            }
        }
        return this;
    }

    /** Adds the sums of {@code other}, which must have the same quantile levels. */
    public RegressionMetrics merge(RegressionMetrics other) {
        if (!Arrays.equals(levels, other.levels)) {
            throw new IllegalArgumentException("cannot merge regression metrics with quantile levels "
                    + Arrays.toString(other.levels) + " into metrics with levels " + Arrays.toString(levels));
        }
        synchronized (other) {
            synchronized (this) {
                for (int k = 0; k < channels; k++) {
                    count[k] += other.count[k];
                    sumD[k] += other.sumD[k];
                    sumAbs[k] += other.sumAbs[k];
                    sumSq[k] += other.sumSq[k];
                    covered[k] += other.covered[k];
                }
            }
        }
        return this;
    }

    /** Number of (prediction, target) pairs over all channels. */
    public synchronized long count() {
        return Arrays.stream(count).sum();
    }

    public synchronized double mse() {
        return Arrays.stream(sumSq).sum() / count();
    }

    public double rmse() {
        return Math.sqrt(mse());
    }

    public synchronized double mae() {
        return Arrays.stream(sumAbs).sum() / count();
    }

    /** Mean of prediction - target: positive when the model over-predicts. */
    public synchronized double bias() {
        return Arrays.stream(sumD).sum() / count();
    }

    public synchronized double mse(int channel) {
        return sumSq[channel] / count[channel];
    }

    public synchronized double mae(int channel) {
        return sumAbs[channel] / count[channel];
    }

    public synchronized double bias(int channel) {
        return sumD[channel] / count[channel];
    }

    /** Observed fraction of targets at or below the prediction of channel k (the level q_k if calibrated). */
    public synchronized double coverage(int channel) {
        return (double) covered[channel] / count[channel];
    }

    /** Returns the quantile levels, or an empty array for point predictions. */
    public double[] levels() {
        return levels == null ? new double[0] : levels.clone();
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT,
                "RegressionMetrics(n=%d, MSE %.6g, RMSE %.6g, MAE %.6g, bias %.6g", count(), mse(), rmse(), mae(),
                bias()));
        if (levels != null) {
            for (int k = 0; k < channels; k++) {
                sb.append(String.format(java.util.Locale.ROOT, ", coverage(q=%s) %.4f", levels[k], coverage(k)));
            }
        }
        return sb.append(')').toString();
    }
}
