package org.fcn4j.nn;

import org.fcn4j.tensor.Tensor;

/** Argument checks and running-statistics arithmetic shared by the normalisation layers. */
final class NormChecks {
    private NormChecks() {
    }

    static void checkCommon(String layer, int numFeatures, double eps) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException(layer + ": the number of channels must be at least 1, got "
                    + numFeatures);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(layer + ": eps must be positive and finite, got " + eps);
        }
    }

    /** Statistics taken from running buffers (C), for evaluation mode. */
    static NormKernels.Stats fromRunning(Tensor runningMean, Tensor runningVar, double eps) {
        float[] rm = runningMean.data();
        float[] rv = runningVar.data();
        double[] mean = new double[rm.length];
        double[] var = new double[rm.length];
        double[] invStd = new double[rm.length];
        for (int c = 0; c < rm.length; c++) {
            mean[c] = rm[c];
            var[c] = rv[c];
            invStd[c] = 1.0 / Math.sqrt(var[c] + eps);
        }
        return new NormKernels.Stats(mean, var, invStd);
    }

    /**
     * running = (1 - factor) * running + factor * batch, the variance taking the batch variance
     * times {@code unbias} = n / (n - 1).
     */
    static void updateRunning(float[] runningMean, float[] runningVar, double[] mean, double[] var, double unbias,
            double factor) {
        for (int c = 0; c < runningMean.length; c++) {
            runningMean[c] = (float) ((1 - factor) * runningMean[c] + factor * mean[c]);
            runningVar[c] = (float) ((1 - factor) * runningVar[c] + factor * var[c] * unbias);
        }
    }
}
