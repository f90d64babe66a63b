package org.fcn4j.nn;

import org.fcn4j.autograd.Backward;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Activation, softmax and dropout kernels not provided by Tensor itself.
 *
 * <p>Legend for softmax: O outer size (product of the dimensions before the axis), D the axis
 * size, I inner size (product of the dimensions after it); element (o, d, i) is at
 * (o * D + d) * I + i.
 */
final class ActivationKernels {
    private static final double SQRT_2 = Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double GELU_CUBIC = 0.044715;
    private static final double SQRT_PI = Math.sqrt(Math.PI);
    private static final double ERFC_SWITCH = 2.0;
    // 1 / (2n + 1); the series reaches 1e-17 relative size in fewer than 40 terms below a = 2.
    private static final double[] RECIPROCAL_ODD = new double[48];

    static {
        for (int n = 0; n < RECIPROCAL_ODD.length; n++) {
            RECIPROCAL_ODD[n] = 1.0 / (2 * n + 1);
        }
    }

    private ActivationKernels() {
    }

    /** Forward loop of an element-wise activation over [start, end). */
    private interface ForwardLoop {
        void run(float[] x, float[] y, int start, int end);
    }

    /** Backward loop: adds f'(x) * dOut into dx over [start, end), given x and y = f(x). */
    private interface BackwardLoop {
        void run(float[] x, float[] y, float[] dOut, float[] dx, int start, int end);
    }

    // NOTE: each activation passes whole loops, not a per-element function, because a per-element
    // call shared by several activations is megamorphic and the JIT then cannot inline it.
    private static Tensor pointwise(String name, Tensor input, ForwardLoop forward, BackwardLoop backwardLoop) {
        float[] x = input.data();
        float[] y = new float[x.length];
        Parallel.forRange(x.length, (start, end) -> forward.run(x, y, start, end));
        Backward backward = dOut -> {
            float[] dx = input.gradBuffer();
            Parallel.forRange(x.length, (start, end) -> backwardLoop.run(x, y, dOut, dx, start, end));
        };
        return Tensor.result(name, y, input.shape(), backward, input);
    }

    // ---------------------------------------------------------------- point-wise activations

    static Tensor leakyRelu(Tensor input, float slope) {
        return pointwise("leaky_relu", input, (x, y, start, end) -> {
            for (int i = start; i < end; i++) {
                y[i] = x[i] > 0 ? x[i] : x[i] * slope;
            }
        }, (x, y, dOut, dx, start, end) -> {
            for (int i = start; i < end; i++) {
                dx[i] += x[i] > 0 ? dOut[i] : dOut[i] * slope;
            }
        });
    }

    static Tensor gelu(Tensor input, boolean tanhApproximation) {
        if (tanhApproximation) {
            return pointwise("gelu", input, (x, y, start, end) -> {
                for (int i = start; i < end; i++) {
                    double v = x[i];
                    double u = SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v);
                    y[i] = (float) (0.5 * v * (1 + Math.tanh(u)));
                }
            }, (x, y, dOut, dx, start, end) -> {
                for (int i = start; i < end; i++) {
                    double v = x[i];
                    double t = Math.tanh(SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v));
                    double du = SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * v * v);
                    dx[i] += (float) (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du) * dOut[i];
                }
            });
        }
        return pointwise("gelu", input, (x, y, start, end) -> {
            for (int i = start; i < end; i++) {
                y[i] = (float) (x[i] * normalCdf(x[i]));
            }
        }, (x, y, dOut, dx, start, end) -> {
            for (int i = start; i < end; i++) {
                double v = x[i];
                // Phi(x) = y / x to float precision, which spares a second erfc away from x = 0.
                double phi = Math.abs(v) >= 1e-2 ? y[i] / v : normalCdf(v);
                dx[i] += (float) (phi + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v)) * dOut[i];
            }
        });
    }

    static Tensor silu(Tensor input) {
        return pointwise("silu", input, (x, y, start, end) -> {
            for (int i = start; i < end; i++) {
                y[i] = (float) (x[i] * sigmoid(x[i]));
            }
        }, (x, y, dOut, dx, start, end) -> {
            for (int i = start; i < end; i++) {
                double sig = sigmoid(x[i]);
                dx[i] += (float) (sig * (1 + x[i] * (1 - sig))) * dOut[i];
            }
        });
    }

    /** Logistic function, finite for every input. */
    static double sigmoid(double v) {
        if (v >= 0) {
            return 1.0 / (1.0 + Math.exp(-v));
        }
        double e = Math.exp(v);
        return e / (1.0 + e);
    }

    /**
     * Returns Phi(x) = (1 + erf(x / sqrt 2)) / 2, the standard normal distribution function, with
     * the tail taken from erfc so that Phi keeps its relative accuracy for negative x.
     */
    static double normalCdf(double x) {
        double z = x / SQRT_2;
        double tail = 0.5 * erfc(Math.abs(z));
        return z >= 0 ? 1 - tail : tail;
    }

    /** Returns the error function to about 1e-13 relative error; see {@link #erfc}. */
    static double erf(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        double a = Math.abs(z);
        double value = a < ERFC_SWITCH ? erfSeries(a) : 1 - erfc(a);
        return Math.copySign(value, z);
    }

    /**
     * Returns the complementary error function 1 - erf(a) for a >= 0. Below 2 it is 1 minus the
     * series of {@link #erfSeries}, and from 2 on the continued fraction
     * erfc(a) = exp(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...)))),
     * evaluated from a fixed depth that reaches about 1e-13 relative error at a = 2.
     */
    static double erfc(double a) {
        if (Double.isNaN(a)) {
            return a;
        }
        if (a < ERFC_SWITCH) {
            return 1 - erfSeries(a);
        }
        int depth = a < 3 ? 40 : 24;
        double f = a;
        for (int n = depth; n >= 1; n--) {
            f = a + 0.5 * n / f;
        }
        return Math.exp(-a * a) / (SQRT_PI * f);
    }

    /**
     * Returns erf(a) for a in [0, 2) from erf(a) = 2 / sqrt(pi) * exp(-a^2) * sum over n of
     * 2^n a^(2n+1) / (1 * 3 * ... * (2n + 1)). All its terms are positive, so nothing cancels.
     */
    private static double erfSeries(double a) {
        double twoA2 = 2 * a * a;
        double term = a;
        double sum = a;
        for (int n = 1; term > 1e-17 * sum && n < RECIPROCAL_ODD.length; n++) {
            term *= twoA2 * RECIPROCAL_ODD[n];
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
    }

    // ---------------------------------------------------------------- softmax

    /**
     * Softmax (log = false) or log-softmax (log = true) along one axis, with the maximum
     * subtracted before exponentiating so that large inputs do not overflow.
     */
    static Tensor softmax(Tensor input, int dim, boolean log) {
        int[] shape = input.shape();
        int rank = Math.max(shape.length, 1);
        if (dim < -rank || dim >= rank) {
            throw new IllegalArgumentException((log ? "LogSoftmax" : "Softmax") + "(dim=" + dim + "): dim must be in ["
                    + -rank + ", " + (rank - 1) + "] for input of shape " + Shape.str(shape));
        }
        int axis = Shape.axis(dim, rank);
        int outerSize = 1;
        for (int a = 0; a < axis; a++) {
            outerSize *= shape[a];
        }
        int outer = outerSize;
        int d = shape.length == 0 ? 1 : shape[axis];
        int inner = input.numel() / Math.max(1, outer * d);
        float[] x = input.data();      // (O, D, I)
        float[] y = new float[x.length];   // (O, D, I)

        forSegments(outer, inner, (o, i0, i1) -> {
            int len = i1 - i0;
            float[] max = new float[len];    // (I segment)
            double[] sum = new double[len];  // (I segment)
            java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
            for (int k = 0; k < d; k++) {
                int base = (o * d + k) * inner;
                for (int i = i0; i < i1; i++) {
                    max[i - i0] = Math.max(max[i - i0], x[base + i]);
                }
            }
            for (int k = 0; k < d; k++) {
                int base = (o * d + k) * inner;
                for (int i = i0; i < i1; i++) {
                    sum[i - i0] += Math.exp(x[base + i] - max[i - i0]);
                }
            }
            for (int k = 0; k < d; k++) {
                int base = (o * d + k) * inner;
                for (int i = i0; i < i1; i++) {
                    double shifted = x[base + i] - max[i - i0];
                    y[base + i] = (float) (log ? shifted - Math.log(sum[i - i0]) : Math.exp(shifted) / sum[i - i0]);
                }
            }
        });

        // softmax: dx = y * (dy - sum(dy * y)); log-softmax: dx = dy - exp(y) * sum(dy).
        Backward backward = dOut -> {
            float[] dx = input.gradBuffer();
            forSegments(outer, inner, (o, i0, i1) -> {
                double[] dot = new double[i1 - i0];
                for (int k = 0; k < d; k++) {
                    int base = (o * d + k) * inner;
                    for (int i = i0; i < i1; i++) {
                        dot[i - i0] += log ? dOut[base + i] : (double) dOut[base + i] * y[base + i];
                    }
                }
                for (int k = 0; k < d; k++) {
                    int base = (o * d + k) * inner;
                    for (int i = i0; i < i1; i++) {
                        double g = log ? dOut[base + i] - Math.exp(y[base + i]) * dot[i - i0]
                                : y[base + i] * (dOut[base + i] - dot[i - i0]);
                        dx[base + i] += (float) g;
                    }
                }
            });
        };
        return Tensor.result(log ? "log_softmax" : "softmax", y, shape, backward, input);
    }

    private interface Segment {
        void run(int o, int innerStart, int innerEnd);
    }

    /** Splits the (O, I) index space into chunks in parallel, each visited as runs of one o. */
    private static void forSegments(int outer, int inner, Segment body) {
        Parallel.forRange(outer * inner, (start, end) -> {
            int u = start;
            while (u < end) {
                int o = u / inner;
                int i0 = u % inner;
                int i1 = Math.min(inner, i0 + (end - u));
                body.run(o, i0, i1);
                u += i1 - i0;
            }
        });
    }

    // ---------------------------------------------------------------- dropout

    /**
     * Zeroes each block of {@code block} consecutive values with probability p, drawing one
     * uniform number per block from rng in order, and scales the kept ones by 1 / (1 - p).
     */
    static Tensor dropout(String name, Tensor input, double p, int block, Generator rng) {
        float[] x = input.data();
        int blocks = block == 0 ? 0 : x.length / block;
        float[] mask = new float[blocks];   // (blocks) 0 or 1 / (1 - p)
        float keep = p >= 1 ? 0f : (float) (1.0 / (1.0 - p));
        for (int b = 0; b < blocks; b++) {
            mask[b] = rng.nextDouble() < p ? 0f : keep;
        }
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * mask[i / block];
        }
        Backward backward = dOut -> {
            float[] dx = input.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dOut[i] * mask[i / block];
            }
        };
        return Tensor.result(name, y, input.shape(), backward, input);
    }
}
