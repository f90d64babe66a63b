package org.fcn4j.testing;

import java.util.Arrays;

import org.fcn4j.tensor.Shape;
import org.fcn4j.tensor.Tensor;

/** Element-wise comparison for parity tests: shape first, then |a - b| <= atol + rtol |b|. */
public final class Approx {
    private Approx() {
    }

    /**
     * Fails with the context (layer, configuration and pass), the first offending index, both
     * values and the largest error.
     */
    public static void assertClose(String context, Tensor expected, Tensor actual, double atol, double rtol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(context + ": expected shape " + Shape.str(expected.shape()) + ", got "
                    + Shape.str(actual.shape()));
        }
        assertClose(context, expected.data(), actual.data(), atol, rtol);
    }

    public static void assertClose(String context, float[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) {
            throw new AssertionError(context + ": expected " + expected.length + " values, got " + actual.length);
        }
        int worst = -1;
        double worstExcess = 0;
        int bad = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            // Equal infinities count as equal (their difference is NaN), and so do two NaNs.
            boolean ok = diff <= allowed || expected[i] == actual[i]
                    || Float.isNaN(expected[i]) && Float.isNaN(actual[i]);
            if (!ok) {
                bad++;
                double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff - allowed;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (worst >= 0) {
            throw new AssertionError(String.format("%s: %d of %d values differ; worst at flat index %d: expected %.8g,"
                    + " got %.8g (atol %.2g, rtol %.2g)", context, bad, expected.length, worst, expected[worst],
                    actual[worst], atol, rtol));
        }
    }
}
