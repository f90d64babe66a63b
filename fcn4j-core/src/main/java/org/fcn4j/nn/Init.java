package org.fcn4j.nn;

import java.util.Arrays;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Parameter initialisation with PyTorch's default rules (torch.nn.init), drawing from an explicit
 * seeded {@link Generator}. Each method fills the tensor in place, in row-major order, bypassing
 * autograd, and returns it.
 *
 * <p>NOTE: the distributions are PyTorch's but the random streams are not: the same seed gives
 * different values from PyTorch's generator. Load a PyTorch state dictionary to reproduce its
 * weights exactly.
 */
public final class Init {
    private Init() {
    }

    /**
     * Returns fan_in as PyTorch computes it: {@code weight.size(1)} times the product of the
     * remaining (kernel) dimensions. For Conv2d's weight (C_out, C_in / groups, kH, kW) this is
     * (C_in / groups) kH kW; for ConvTranspose2d's weight (C_in, C_out / groups, kH, kW) it is
     * (C_out / groups) kH kW.
     */
    public static int fanIn(int[] weightShape) {
        if (weightShape.length < 2) {
            throw new IllegalArgumentException("fan_in needs a weight with at least 2 dimensions, got shape "
                    + Shape.str(weightShape));
        }
        int receptive = 1;
        for (int i = 2; i < weightShape.length; i++) {
            receptive *= weightShape[i];
        }
        return weightShape[1] * receptive;
    }

    /**
     * Fills t with draws from U(-bound, bound), bound = gain * sqrt(3 / fan_in), where
     * gain = sqrt(2 / (1 + a^2)) is the leaky ReLU gain (torch.nn.init.kaiming_uniform_ with
     * mode fan_in). With a = sqrt(5), PyTorch's choice for convolution weights, bound = 1 / sqrt(fan_in).
     */
    public static Tensor kaimingUniform(Tensor t, double a, Generator rng) {
        int fanIn = fanIn(t.shape());
        if (fanIn == 0) {
            throw new IllegalArgumentException("kaiming_uniform on a tensor with fan_in 0, shape " + Shape.str(t.shape()));
        }
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.sqrt(3.0 / fanIn);
        return uniform(t, -bound, bound, rng);
    }

    /** Fills t with draws from U(low, high). */
    public static Tensor uniform(Tensor t, double low, double high, Generator rng) {
        if (!(low <= high)) {
            throw new IllegalArgumentException("uniform needs low <= high, got low " + low + ", high " + high);
        }
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (low + (high - low) * rng.nextDouble());
        }
        return t;
    }

    /**
     * Initialises a convolution's weight and optional bias as PyTorch's _ConvNd.reset_parameters:
     * weight by {@link #kaimingUniform} with a = sqrt(5), then bias from U(-1/sqrt(fan_in),
     * 1/sqrt(fan_in)) with fan_in taken from the weight's shape.
     */
    public static void convDefault(Tensor weight, Tensor bias, Generator rng) {
        kaimingUniform(weight, Math.sqrt(5), rng);
        if (bias != null) {
            int fanIn = fanIn(weight.shape());
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform(bias, -bound, bound, rng);
        }
    }

    /** Fills t with a constant. */
    public static Tensor constant(Tensor t, float value) {
        Arrays.fill(t.data(), value);
        return t;
    }

    /** Fills t with ones (normalisation scales). */
    public static Tensor ones(Tensor t) {
        return constant(t, 1f);
    }

    /** Fills t with zeros (biases and shifts). */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0f);
    }
}
