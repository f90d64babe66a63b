package org.fcn4j.optim;

import java.util.List;

import org.fcn4j.tensor.Tensor;

/** Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {
    }

    /**
     * Scales all gradients together so that their global norm is at most {@code maxNorm}:
     * {@code total = ||(||g_1||, ..., ||g_n||)||}, then every gradient is multiplied by
     * {@code min(1, maxNorm / (total + 1e-6))}.
     *
     * <p>NOTE: as in PyTorch, gradients are multiplied even when the coefficient is 1, and a
     * non-finite norm is returned, not raised: check the returned value to stop a diverging run.
     * Parameters without a gradient are ignored.
     *
     * @param normType 2 for the Euclidean norm, or {@code Double.POSITIVE_INFINITY} for the maximum
     * @return the total norm of the gradients before clipping
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max_norm must be > 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("norm_type must be > 0 or infinity, got " + normType);
        }
        boolean inf = Double.isInfinite(normType);
        double total = 0;
        for (Tensor p : params) {
            float[] g = p.gradOrNull();
            if (g == null) {
                continue;
            }
            double norm = 0;
            for (float v : g) {
                norm = inf ? Math.max(norm, Math.abs(v)) : norm + Math.pow(Math.abs(v), normType);
            }
            // Per-tensor norms are float32 in PyTorch before they are combined.
            float tensorNorm = (float) (inf ? norm : Math.pow(norm, 1 / normType));
            total = inf ? Math.max(total, tensorNorm) : total + Math.pow(tensorNorm, normType);
        }
        float totalNorm = (float) (inf ? total : Math.pow(total, 1 / normType));
        float coef = Math.min((float) maxNorm / (totalNorm + 1e-6f), 1f);
        for (Tensor p : params) {
            float[] g = p.gradOrNull();
            if (g == null) {
                continue;
            }
            for (int k = 0; k < g.length; k++) {
                g[k] *= coef;
            }
        }
        return totalNorm;
    }

    /** {@link #clipGradNorm(List, double, double)} with the Euclidean norm. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }
}
