package org.fcn4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, as PyTorch's {@code torch.optim.SGD}.
 *
 * <p>For each parameter p with gradient g, at step t:
 * <pre>
 *   g   = g + weight_decay * p                        (when weight_decay != 0)
 *   b_1 = g;  b_t = momentum * b_{t-1} + (1 - dampening) * g   (when momentum != 0)
 *   g   = g + momentum * b_t  (Nesterov)  or  g = b_t
 *   p   = p - lr * g
 * </pre>
 * NOTE: as in PyTorch (and unlike Sutskever et al.), the learning rate multiplies the momentum
 * buffer, not the gradient inside it, and the first step copies the gradient into the buffer
 * without dampening.
 *
 * <p>Arguments: lr (required, &gt;= 0), momentum (default 0), dampening (default 0),
 * weight_decay (default 0), nesterov (default false; needs momentum &gt; 0 and dampening 0).
 * See {@link Optimizer} for the call order.
 */
public final class SGD extends Optimizer {
    /** Hyperparameters; {@link #of(double)} gives PyTorch's defaults. */
    public record Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        public Options {
            checkNonNegative("lr", lr);
            checkNonNegative("momentum", momentum);
            checkNonNegative("dampening", dampening);
            checkNonNegative("weight_decay", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("nesterov momentum needs momentum > 0 and dampening 0, got momentum "
                        + momentum + " and dampening " + dampening);
            }
        }

        public static Options of(double lr) {
            return new Options(lr, 0, 0, 0, false);
        }

        public Options withMomentum(double value) {
            return new Options(lr, value, dampening, weightDecay, nesterov);
        }

        public Options withDampening(double value) {
            return new Options(lr, momentum, value, weightDecay, nesterov);
        }

        public Options withWeightDecay(double value) {
            return new Options(lr, momentum, dampening, value, nesterov);
        }

        public Options withNesterov(boolean value) {
            return new Options(lr, momentum, dampening, weightDecay, value);
        }
    }

    private double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;
    private final float[][] momentumBuffers; // [param][numel], null until the parameter's first step
    private final long[] steps;

    public SGD(List<Tensor> params, Options options) {
        super(params, options.lr());
        this.momentum = options.momentum();
        this.dampening = options.dampening();
        this.weightDecay = options.weightDecay();
        this.nesterov = options.nesterov();
        this.momentumBuffers = new float[params.size()][];
        this.steps = new long[params.size()];
    }

    /** Plain SGD with the given learning rate. */
    public SGD(List<Tensor> params, double lr) {
        this(params, Options.of(lr));
    }

    @Override
    public void step() {
        float lr = (float) lr();
        float mom = (float) momentum;
        float keep = (float) (1 - dampening);
        float wd = (float) weightDecay;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            float[] g = p.gradOrNull();
            if (g == null) {
                continue;
            }
            float[] w = p.data();
            int n = w.length;

            float[] buf = null;
            boolean first = false;
            if (momentum != 0) {
                buf = momentumBuffers[i];
                if (buf == null) {
                    buf = new float[n];
                    momentumBuffers[i] = buf;
                    first = true;
                }
            }
            // The first step with momentum has its own loop. With one loop for both, C2 compiled it
            // from the first step's profile, and the later steps' branch then deoptimised it.
            if (first) {
                firstUpdate(w, g, buf, n, lr, mom, wd, nesterov);
            } else {
                update(w, g, buf, n, lr, mom, keep, wd, nesterov);
            }
            steps[i]++;
        }
    }

    // NOTE: PyTorch's CPU kernels compute "a + alpha * b" with a fused multiply-add on AVX2, so
    // Math.fma keeps the last bit closer to it than a separate multiply and add. One pass per
    // parameter, element by element, so no scratch array is needed: the effective gradient
    // d = g + wd * p, then the momentum buffer (buf, or null without momentum), then the update.
    // The loops are small methods of their own, so that C2 compiles them soon and apart from step().
    private static void update(float[] w, float[] g, float[] buf, int n, float lr, float mom, float keep, float wd,
            boolean nesterov) {
        for (int k = 0; k < n; k++) {
            float d = wd != 0 ? Math.fma(w[k], wd, g[k]) : g[k];
            if (buf != null) {
                float b = Math.fma(d, keep, buf[k] * mom);
                buf[k] = b;
                d = nesterov ? Math.fma(b, mom, d) : b;
            }
            w[k] = Math.fma(d, -lr, w[k]);
        }
    }

    // The first step with momentum: the buffer starts as the effective gradient itself.
    private static void firstUpdate(float[] w, float[] g, float[] buf, int n, float lr, float mom, float wd,
            boolean nesterov) {
        for (int k = 0; k < n; k++) {
            float d = wd != 0 ? Math.fma(w[k], wd, g[k]) : g[k];
            buf[k] = d;
            d = nesterov ? Math.fma(d, mom, d) : d;
            w[k] = Math.fma(d, -lr, w[k]);
        }
    }

    @Override
    public double momentum() {
        return momentum;
    }

    @Override
    public void setMomentum(double value) {
        checkNonNegative("momentum", value);
        this.momentum = value;
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
            putBuffer(out, i, "momentum_buffer", momentumBuffers[i]);
        }
        return out;
    }

    @Override
    protected void loadBuffers(Map<String, Tensor> tensors) {
        for (int i = 0; i < params.size(); i++) {
            momentumBuffers[i] = restoreBuffer(tensors, i, "momentum_buffer", null);
        }
    }

    @Override
    public String toString() {
        return "SGD(lr=" + lr() + ", momentum=" + momentum + ", dampening=" + dampening + ", weight_decay="
                + weightDecay + ", nesterov=" + nesterov + ")";
    }
}
