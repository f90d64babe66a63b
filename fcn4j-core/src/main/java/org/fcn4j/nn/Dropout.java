package org.fcn4j.nn;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * Dropout: in training mode, zeroes each element independently with probability p and scales
 * the others by 1 / (1 - p), so that the expected output equals the input. In evaluation mode it
 * is the identity.
 *
 * <pre>
 *   training:   y = x * m / (1 - p),  m ~ Bernoulli(1 - p) per element
 *   evaluation: y = x
 * </pre>
 * NOTE: the masks come from the given generator, one draw per element in row-major order, so a
 * run repeats exactly; they differ from PyTorch's masks for the same seed.
 *
 * <p>Arguments: {@code p} drop probability in [0, 1] (PyTorch's default 0.5); {@code rng} the
 * generator of the masks.
 *
 * <p>Shape: input (*), any shape; output the same shape.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator rng;

    public Dropout(double p, Generator rng) {
        this.p = checkP("Dropout", p);
        if (rng == null) {
            throw new IllegalArgumentException("Dropout: a seeded Generator is required for the masks");
        }
        this.rng = rng;
    }

    static double checkP(String layer, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(layer + ": probability p must be in [0, 1], got " + p);
        }
        return p;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (!isTraining() || p == 0) {
            return input;
        }
        return ActivationKernels.dropout("dropout", input, p, 1, rng);
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
