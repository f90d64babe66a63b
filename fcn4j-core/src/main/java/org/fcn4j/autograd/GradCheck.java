package org.fcn4j.autograd;

import java.util.function.Function;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

/**
 * Finite-difference check of analytic gradients.
 *
 * <p>The function's output is reduced to the scalar {@code L = sum(w * f(x))} with fixed random
 * weights w, accumulated in double. For each input element, {@code (L(x + h) - L(x - h)) / 2h}
 * is compared with the gradient that backward() computes. The function runs in float32, so h
 * cannot be tiny: the default h = 1e-2 with tolerance {@code |a - n| <= atol + rtol |n|} suits
 * smooth functions of values of order one. Keep inputs away from kinks (ReLU at 0, max ties).
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** Checks with h = 1e-2, atol = 1e-3 and rtol = 1e-2; throws AssertionError on a mismatch. */
    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(name, f, 1e-2, 1e-3, 1e-2, inputs);
    }

    /**
     * Checks dL/dx for every input that requires a gradient. The error names the function, the
     * input, the flat element index, both values and the tolerance.
     */
    public static void check(String name, Function<Tensor[], Tensor> f, double h, double atol, double rtol,
            Tensor... inputs) {
        Tensor probe;
        try (var _ = GradMode.noGrad()) {
            probe = f.apply(inputs);
        }
        Generator rng = new Generator(0x5EEDL);
        float[] w = new float[probe.numel()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextDouble() * 2 - 1);
        }

        // Analytic gradients.
        for (Tensor x : inputs) {
            x.dropGrad();
        }
        Tensor out = f.apply(inputs);
        if (!out.requiresGrad()) {
            throw new AssertionError(name + ": the output does not require a gradient; mark an input with "
                    + "requiresGrad(true)");
        }
        out.backward(Tensor.of(w.clone(), out.shape()));

        // Numeric gradients, one element at a time.
        for (int t = 0; t < inputs.length; t++) {
            Tensor x = inputs[t];
            if (!x.requiresGrad()) {
                continue;
            }
            float[] analytic = x.gradOrNull() == null ? new float[x.numel()] : x.gradOrNull().clone();
            float[] data = x.data();
            for (int i = 0; i < data.length; i++) {
                float keep = data[i];
                data[i] = (float) (keep + h);
                double plus = weighted(f, inputs, w);
                data[i] = (float) (keep - h);
                double minus = weighted(f, inputs, w);
                data[i] = keep;
                double numeric = (plus - minus) / (2 * h);
                double diff = Math.abs(analytic[i] - numeric);
                if (!(diff <= atol + rtol * Math.abs(numeric))) {
                    throw new AssertionError(String.format(
                            "%s: gradient of input %d at element %d: analytic %.6g, finite difference %.6g, "
                                    + "|difference| %.3g exceeds %.3g + %.3g * |numeric|",
                            name, t, i, analytic[i], numeric, diff, atol, rtol));
                }
            }
        }
    }

    private static double weighted(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] w) {
        try (var _ = GradMode.noGrad()) {
            float[] y = f.apply(inputs).data();
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += (double) w[i] * y[i];
            }
            return s;
        }
    }
}
