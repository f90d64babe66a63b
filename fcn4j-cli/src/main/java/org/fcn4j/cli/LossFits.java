package org.fcn4j.cli;

import java.util.List;

import org.fcn4j.loss.L1Loss;
import org.fcn4j.loss.Loss;
import org.fcn4j.loss.MSELoss;
import org.fcn4j.loss.PinballLoss;
import org.fcn4j.optim.Adam;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * The computations behind {@code fcn4j explain losses}: gradient-descent fits of a constant and of
 * a small network to samples of a skewed law, once per loss, to show which statistic each loss
 * makes the model learn.
 *
 * <p>The law is the exponential Exp(1): mean 1, median ln 2, q-quantile -ln(1 - q). The
 * conditional version is y = x E with E ~ Exp(1) and x ~ U(0.2, 2), whose conditional q-quantile
 * is -x ln(1 - q) and conditional mean is x.
 */
final class LossFits {
    static final double X_MIN = 0.2;
    static final double X_MAX = 2.0;

    /** One loss and the statistic of Exp(1) it should recover. */
    record Target(String loss, String statistic, double level, double trueValue) {
        Loss newLoss() {
            if (Double.isNaN(level)) {
                return new MSELoss();
            }
            return level == 0.5 ? new L1Loss() : new PinballLoss(level);
        }

        /** Returns the true statistic of y given x, which is x times that of Exp(1). */
        double conditional(double x) {
            return x * trueValue;
        }
    }

    static final List<Target> TARGETS = List.of(
            new Target("MSE", "mean", Double.NaN, 1.0),
            new Target("MAE", "median", 0.5, Math.log(2)),
            new Target("pinball 0.1", "quantile 0.1", 0.1, -Math.log(0.9)),
            new Target("pinball 0.9", "quantile 0.9", 0.9, Math.log(10)));

    private LossFits() {
    }

    /** n draws of Exp(1), by inversion of uniform draws. */
    static float[] exponential(Generator rng, int n) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) -Math.log(1 - rng.nextDouble());
        }
        return y;
    }

    /**
     * Fits a constant c to the samples by minimising mean(loss(c, y)) with Adam
     * (normalised steps, so the bounded gradients of MAE and pinball converge as fast as MSE's)
     * and a step that decays linearly to almost zero.
     */
    static double fitConstant(Loss loss, float[] samples, int steps) {
        Tensor target = Tensor.of(samples.clone(), samples.length);
        Tensor c = Tensor.zeros(1).requiresGrad(true);
        Adam adam = new Adam(List.of(c), Adam.Options.adam());
        for (int t = 0; t < steps; t++) {
            Tensor prediction = expand(c, samples.length);
            Tensor l = loss.forward(prediction, target);
            adam.zeroGrad();
            l.backward();
            adam.setLr(0.05 * (1 - (double) t / steps) + 1e-5);
            adam.step();
        }
        return c.item();
    }

    /** Repeats the scalar c n times; its backward pass adds the sum of the output gradient to dc. */
    private static Tensor expand(Tensor c, int n) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, c.item());
        return Tensor.result("expand", out, new int[] {n}, dOut -> {
            double sum = 0;
            for (float g : dOut) {
                sum += g;
            }
            c.gradBuffer()[0] += (float) sum;
        }, c);
    }

    /** Samples (x, y) of the conditional law: x ~ U(X_MIN, X_MAX), y = x E. */
    record Conditional(float[] x, float[] y) {
        static Conditional draw(Generator rng, int n) {
            float[] x = new float[n];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (X_MIN + (X_MAX - X_MIN) * rng.nextDouble());
                y[i] = (float) (x[i] * -Math.log(1 - rng.nextDouble()));
            }
            return new Conditional(x, y);
        }
    }

    /** A one-hidden-layer perceptron 1 -> hidden (tanh) -> 1, written with Tensor matmul. */
    static final class Mlp {
        final Tensor w1;  // (1, H)
        final Tensor b1;  // (H)
        final Tensor w2;  // (H, 1)
        final Tensor b2;  // (1)

        Mlp(Generator rng, int hidden) {
            w1 = Tensor.randn(rng, 1, hidden).requiresGrad(true);
            b1 = Tensor.uniform(rng, -1f, 1f, hidden).requiresGrad(true);
            w2 = Tensor.randn(rng, hidden, 1).mul((float) (1 / Math.sqrt(hidden))).detach().requiresGrad(true);
            b2 = Tensor.zeros(1).requiresGrad(true);
        }

        List<Tensor> parameters() {
            return List.of(w1, b1, w2, b2);
        }

        /** x (B, 1) -> (B, 1); the input is centred on the middle of [X_MIN, X_MAX]. */
        Tensor forward(Tensor x) {
            Tensor centred = x.sub((float) ((X_MIN + X_MAX) / 2));
            return centred.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
        }

        double predict(double x) {
            try (var scope = org.fcn4j.autograd.GradMode.noGrad()) {
                return forward(Tensor.of(new float[] {(float) x}, 1, 1)).item();
            }
        }
    }

    /** Trains the MLP on minibatches of the samples with Adam and a linearly decaying step. */
    static Mlp fitNetwork(Loss loss, Conditional data, int hidden, int steps, int batch, Generator rng) {
        Mlp mlp = new Mlp(rng, hidden);
        Adam adam = new Adam(mlp.parameters(), Adam.Options.adam());
        int n = data.x().length;
        float[] xb = new float[batch];
        float[] yb = new float[batch];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < batch; i++) {
                int j = rng.nextInt(n);
                xb[i] = data.x()[j];
                yb[i] = data.y()[j];
            }
            Tensor prediction = mlp.forward(Tensor.of(xb.clone(), batch, 1));
            Tensor l = loss.forward(prediction, Tensor.of(yb.clone(), batch, 1));
            adam.zeroGrad();
            l.backward();
            adam.setLr(0.01 * (1 - (double) t / steps) + 1e-5);
            adam.step();
        }
        return mlp;
    }
}
