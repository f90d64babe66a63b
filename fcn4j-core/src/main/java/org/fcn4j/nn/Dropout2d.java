package org.fcn4j.nn;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/**
 * Channel dropout: in training mode, zeroes whole channels (n, c) with probability p and scales
 * the others by 1 / (1 - p). In evaluation mode it is the identity. Neighbouring pixels of a
 * feature map are strongly correlated, so dropping single pixels barely regularises a
 * convolutional network, while dropping whole maps does.
 *
 * <pre>
 *   training:   y[n, c] = x[n, c] * m[n, c] / (1 - p),  m[n, c] ~ Bernoulli(1 - p)
 *   evaluation: y = x
 * </pre>
 * NOTE: the masks come from the given generator, one draw per (n, c) in order; they differ from
 * PyTorch's masks for the same seed.
 *
 * <p>Arguments: {@code p} drop probability in [0, 1] (PyTorch's default 0.5); {@code rng} the
 * generator of the masks.
 *
 * <p>Shape: input (N, C, H, W); output the same shape.
 */
public final class Dropout2d extends Module {
    private final double p;
    private final Generator rng;

    public Dropout2d(double p, Generator rng) {
        this.p = Dropout.checkP("Dropout2d", p);
        if (rng == null) {
            throw new IllegalArgumentException("Dropout2d: a seeded Generator is required for the masks");
        }
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("Dropout2d: expected input of shape (N, C, H, W), got "
                    + Shape.str(shape));
        }
        if (!isTraining() || p == 0) {
            return input;
        }
        return ActivationKernels.dropout("dropout2d", input, p, shape[2] * shape[3], rng);
    }

    @Override
    public String toString() {
        return "Dropout2d(p=" + p + ")";
    }
}
