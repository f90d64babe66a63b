package org.fcn4j.loss;

/** Softmax over the class axis of (N, C, S) logits, with each element's maximum subtracted. */
final class Softmax {
    private Softmax() {
    }

    static float[] channels(float[] x, int n, int c, int s) {
        float[] p = new float[x.length];  // (N, C, S)
        double[] sum = new double[s];
        float[] max = new float[s];
        for (int b = 0; b < n; b++) {
            int base = b * c * s;
            java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(sum, 0);
            for (int k = 0; k < c; k++) {
                for (int q = 0; q < s; q++) {
                    max[q] = Math.max(max[q], x[base + k * s + q]);
                }
            }
            for (int k = 0; k < c; k++) {
                for (int q = 0; q < s; q++) {
                    double e = Math.exp(x[base + k * s + q] - max[q]);
                    p[base + k * s + q] = (float) e;
                    sum[q] += e;
                }
            }
            for (int k = 0; k < c; k++) {
                for (int q = 0; q < s; q++) {
                    p[base + k * s + q] = (float) (p[base + k * s + q] / sum[q]);
                }
            }
        }
        return p;
    }
}
