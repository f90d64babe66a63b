package org.fcn4j.tensor;

import org.fcn4j.autograd.Backward;
import org.fcn4j.kernel.Parallel;

/** Element-wise operations with one tensor operand. */
final class Elementwise {
    private Elementwise() {
    }

    enum Unary { EXP, LOG, SQRT, ABS, SQUARE, RELU, SIGMOID, TANH }

    /** Elements per task of the split element-wise loops: 64 KB of input, well above the fork cost. */
    private static final int CHUNK = 1 << 14;

    // ReLU gets its own branch-free loops, split over the compute pool. On activations whose signs
    // are random, "v > 0 ? v : 0" compiled to a branch that mispredicted half the time, and ReLU
    // took 17 % of a small U-Net training step; Math.max and a sign mask do not branch.
    private static Tensor relu(Tensor x) {
        float[] in = x.data();
        float[] out = Arena.floatsToOverwrite(in.length);
        int n = in.length;
        Parallel.forRange(Math.ceilDiv(n, CHUNK), (c0, c1) -> reluForward(in, out, c0 * CHUNK,
                Math.min(n, c1 * CHUNK)));
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            Parallel.forRange(Math.ceilDiv(n, CHUNK), (c0, c1) -> reluBackward(in, dOut, dx, c0 * CHUNK,
                    Math.min(n, c1 * CHUNK)));
        };
        return Tensor.result("relu", out, x.shapeRef(), backward, x);
    }

    // NOTE: Math.max keeps NaN, as torch.relu does.
    private static void reluForward(float[] in, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = Math.max(in[i], 0f);
        }
    }

    // dx += dy where x > 0, else nothing (as torch's threshold_backward: a NaN x passes dy on).
    // The mask is all ones exactly when the bits of x, read as an int, are positive: sign bit clear
    // and not +0.
    private static void reluBackward(float[] in, float[] dOut, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            int b = Float.floatToRawIntBits(in[i]);
            int mask = (-b & ~b) >> 31;
            dx[i] += Float.intBitsToFloat(Float.floatToRawIntBits(dOut[i]) & mask);
        }
    }

    /** y = scale * x + shift. */
    static Tensor affine(Tensor x, float scale, float shift) {
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = scale * in[i] + shift;
        }
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += scale * dOut[i];
            }
        };
        return Tensor.result("affine", out, x.shapeRef(), backward, x);
    }

    /** y = x / divisor, divided rather than multiplied by 1 / divisor so that it rounds as PyTorch's division. */
    static Tensor divide(Tensor x, float divisor) {
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] / divisor;
        }
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dOut[i] / divisor;
            }
        };
        return Tensor.result("div", out, x.shapeRef(), backward, x);
    }

    static Tensor unary(Tensor x, Unary op) {
        if (op == Unary.RELU) {
            return relu(x);
        }
        float[] in = x.data();
        float[] out = Arena.floatsToOverwrite(in.length);
        for (int i = 0; i < in.length; i++) {
            float v = in[i];
            out[i] = switch (op) {
                case EXP -> (float) Math.exp(v);
                case LOG -> (float) Math.log(v);
                case SQRT -> (float) Math.sqrt(v);
                case ABS -> Math.abs(v);
                case SQUARE -> v * v;
                case RELU -> v > 0f ? v : 0f;
                case SIGMOID -> sigmoid(v);
                case TANH -> (float) Math.tanh(v);
            };
        }
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                float v = in[i];
                float y = out[i];
                float local = switch (op) {
                    case EXP -> y;
                    case LOG -> 1f / v;
                    case SQRT -> 0.5f / y;
                    // NOTE: sign(0) = 0, as torch.abs's gradient at zero.
                    case ABS -> Math.signum(v);
                    case SQUARE -> 2f * v;
                    case RELU -> v > 0f ? 1f : 0f;
                    case SIGMOID -> y * (1f - y);
                    case TANH -> 1f - y * y;
                };
                dx[i] += local * dOut[i];
            }
        };
        return Tensor.result(op.name().toLowerCase(java.util.Locale.ROOT), out, x.shapeRef(), backward, x);
    }

    static Tensor pow(Tensor x, float exponent) {
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (float) Math.pow(in[i], exponent);
        }
        Backward backward = dOut -> {
            // NOTE: x^0 is constant, so its gradient is 0 even at x = 0, where the general rule
            // would give 0 * 0^-1 = NaN; torch.pow's gradient is 0 there too.
            if (exponent == 0f) {
                x.gradBuffer();
                return;
            }
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += (float) (exponent * Math.pow(in[i], exponent - 1)) * dOut[i];
            }
        };
        return Tensor.result("pow", out, x.shapeRef(), backward, x);
    }

    static Tensor clamp(Tensor x, float min, float max) {
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        }
        float[] in = x.data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = Math.min(max, Math.max(min, in[i]));
        }
        Backward backward = dOut -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < dx.length; i++) {
                if (in[i] >= min && in[i] <= max) {
                    dx[i] += dOut[i];
                }
            }
        };
        return Tensor.result("clamp", out, x.shapeRef(), backward, x);
    }

    /** Logistic function, written to stay finite for large |v|. */
    static float sigmoid(float v) {
        if (v >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-v)));
        }
        double e = Math.exp(v);
        return (float) (e / (1.0 + e));
    }
}
