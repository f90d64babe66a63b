package org.fcn4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Tensor;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) and its decoupled
 * weight-decay variant AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019), as PyTorch 1.13's {@code torch.optim.Adam} and {@code torch.optim.AdamW}.
 *
 * <p>For each parameter p with gradient g, at step t (counted per parameter from 1):
 * <pre>
 *   Adam:  g = g + weight_decay * p            AdamW:  p = p * (1 - lr * weight_decay)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g^2          (amsgrad: vmax = max(vmax, v), used in place of v)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * NOTE: eps is added after the bias correction of sqrt(v), as in the paper's Algorithm 1 and in
 * PyTorch, not before it as in the paper's faster rewriting; the two differ when v is tiny.
 *
 * <p>Arguments: lr (default 1e-3), betas (default 0.9, 0.999, each in [0, 1)), eps (default 1e-8),
 * weight_decay (default 0 for Adam, 1e-2 for AdamW), amsgrad (default false).
 * See {@link Optimizer} for the call order.
 */
public final class Adam extends Optimizer {
    /** Hyperparameters; {@link #adam()} and {@link #adamW()} give PyTorch's defaults. */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
            boolean decoupled) {
        public Options {
            checkNonNegative("lr", lr);
            checkUnit("beta1", beta1);
            checkUnit("beta2", beta2);
            checkNonNegative("eps", eps);
            checkNonNegative("weight_decay", weightDecay);
        }

        /** Adam defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
        public static Options adam() {
            return new Options(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
        }

        /** AdamW defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, decoupled weight decay 1e-2. */
        public static Options adamW() {
            return new Options(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, true);
        }

        public Options withLr(double value) {
            return new Options(value, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
        }

        public Options withBetas(double b1, double b2) {
            return new Options(lr, b1, b2, eps, weightDecay, amsgrad, decoupled);
        }

        public Options withEps(double value) {
            return new Options(lr, beta1, beta2, value, weightDecay, amsgrad, decoupled);
        }

        public Options withWeightDecay(double value) {
            return new Options(lr, beta1, beta2, eps, value, amsgrad, decoupled);
        }

        public Options withAmsgrad(boolean value) {
            return new Options(lr, beta1, beta2, eps, weightDecay, value, decoupled);
        }
    }

    private double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final boolean decoupled;
    private final float[][] expAvg;     // [param][numel] first moment m, null until the first step
    private final float[][] expAvgSq;   // [param][numel] second moment v
    private final float[][] maxExpAvgSq; // [param][numel] running maximum of v (amsgrad only)
    private final long[] steps;

    public Adam(List<Tensor> params, Options options) {
        super(params, options.lr());
        this.beta1 = options.beta1();
        this.beta2 = options.beta2();
        this.eps = options.eps();
        this.weightDecay = options.weightDecay();
        this.amsgrad = options.amsgrad();
        this.decoupled = options.decoupled();
        int n = params.size();
        this.expAvg = new float[n][];
        this.expAvgSq = new float[n][];
        this.maxExpAvgSq = new float[n][];
        this.steps = new long[n];
    }

    @Override
    public void step() {
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float oneMinusB1 = (float) (1 - beta1);
        float oneMinusB2 = (float) (1 - beta2);
        float epsF = (float) eps;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            float[] g = p.gradOrNull();
            if (g == null) {
                continue;
            }
            float[] w = p.data();
            int n = w.length;
            if (expAvg[i] == null) {
                expAvg[i] = new float[n];
                expAvgSq[i] = new float[n];
                if (amsgrad) {
                    maxExpAvgSq[i] = new float[n];
                }
            }
            long t = ++steps[i];

            // Bias corrections in double, as PyTorch computes them from a Python float step.
            double bias1 = 1 - Math.pow(beta1, t);
            double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
            float stepSize = (float) (lr() / bias1);
            float bias2SqrtF = (float) bias2Sqrt;
            float decay = (float) (1 - lr() * weightDecay);
            float wd = (float) weightDecay;

            float[] m = expAvg[i];
            float[] v = expAvgSq[i];
            float[] vmax = maxExpAvgSq[i];
            for (int k = 0; k < n; k++) {
                float gk = g[k];
                if (weightDecay != 0) {
                    if (decoupled) {
                        w[k] = w[k] * decay;
                    } else {
                        gk = Math.fma(w[k], wd, gk);
                    }
                }
                m[k] = Math.fma(gk, oneMinusB1, m[k] * b1);
                v[k] = v[k] * b2 + oneMinusB2 * gk * gk;
                float second = v[k];
                if (amsgrad) {
                    vmax[k] = Math.max(vmax[k], v[k]);
                    second = vmax[k];
                }
                float denom = (float) Math.sqrt(second) / bias2SqrtF + epsF;
                w[k] = w[k] + -stepSize * m[k] / denom;
            }
        }
    }

    @Override
    public double momentum() {
        return beta1;
    }

    /** Sets beta1 (cycled by {@link OneCycleLR}). */
    @Override
    public void setMomentum(double value) {
        checkUnit("beta1", value);
        this.beta1 = value;
    }

    @Override
    public long stepCount(int i) {
        return steps[i];
    }

    @Override
    protected void setStepCount(int i, long value) {
        steps[i] = value;
    }

    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            putBuffer(out, i, "exp_avg", expAvg[i]);
            putBuffer(out, i, "exp_avg_sq", expAvgSq[i]);
            putBuffer(out, i, "max_exp_avg_sq", maxExpAvgSq[i]);
        }
        return out;
    }

    @Override
    protected void loadBuffers(Map<String, Tensor> tensors) {
        for (int i = 0; i < params.size(); i++) {
            expAvg[i] = restoreBuffer(tensors, i, "exp_avg", null);
            expAvgSq[i] = restoreBuffer(tensors, i, "exp_avg_sq", null);
            maxExpAvgSq[i] = restoreBuffer(tensors, i, "max_exp_avg_sq", null);
            if (expAvg[i] != null && (expAvgSq[i] == null || amsgrad && maxExpAvgSq[i] == null)) {
                throw new IllegalArgumentException("optimizer state of parameter " + i + " is incomplete: it has "
                        + "exp_avg but not exp_avg_sq" + (amsgrad ? " and max_exp_avg_sq" : ""));
            }
        }
    }

    @Override
    public String toString() {
        return (decoupled ? "AdamW" : "Adam") + "(lr=" + lr() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                + ", weight_decay=" + weightDecay + ", amsgrad=" + amsgrad + ")";
    }
}
