package org.fcn4j.loss;

import org.fcn4j.autograd.Backward;
import org.fcn4j.tensor.Tensor;

/**
 * Soft Dice loss for multi-class segmentation, with the definition of segmentation_models_pytorch's
 * {@code DiceLoss(mode="multiclass", from_logits=True)}. With p = softmax(x) over the class axis,
 * t the one-hot target, and sums over the whole batch of counted pixels (ignored pixels removed):
 *
 * <pre>
 *   I_c = sum_i p_ic t_ic      S_c = sum_i (p_ic + t_ic)
 *   dice_c = (2 I_c + smooth) / max(S_c + smooth, eps)
 *   l_c = 1 - dice_c   (or -log(max(dice_c, eps)) with logLoss)
 * </pre>
 *
 * A class with no target pixel in the batch has l_c = 0 (the Dice score is undefined for it), but
 * it still counts in the mean: MEAN returns {@code sum_c l_c / C}, SUM {@code sum_c l_c}, NONE the
 * vector l of shape (C).
 *
 * <p>The Dice score is the soft F1 score of each class, so the loss targets overlap directly and
 * does not depend on how many background pixels there are; it is not a proper scoring rule, so
 * softmax(x) does not become calibrated probabilities.
 *
 * <p>NOTE: the sums run over the whole batch (smp's dims (0, 2)), not per image, so the loss of
 * a batch is not the mean of the losses of its images.
 *
 * <p>Arguments (each has a {@code with...} method): smooth (default 0), eps (default 1e-7),
 * ignoreIndex (default -100, i.e. no label is ignored unless targets contain -100), logLoss
 * (default false), reduction (default MEAN).
 *
 * <p>Shape: logits (N, C, H, W) (any (N, C, d1, ..., dk)); target (N, H, W) class indices;
 * output a scalar, or (C) with Reduction.NONE. The gradient flows to the logits only.
 */
public final class DiceLoss implements Loss {
    private static final String NAME = "DiceLoss";

    private final double smooth;
    private final double eps;
    private final int ignoreIndex;
    private final boolean logLoss;
    private final Reduction reduction;

    /** smooth 0, eps 1e-7, ignore index -100, 1 - dice, MEAN over classes. */
    public DiceLoss() {
        this(0.0, 1e-7, -100, false, Reduction.MEAN);
    }

    private DiceLoss(double smooth, double eps, int ignoreIndex, boolean logLoss, Reduction reduction) {
        if (!(smooth >= 0) || Double.isInfinite(smooth)) {
            throw new IllegalArgumentException(NAME + ": smooth must be a finite value >= 0, got " + smooth);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(NAME + ": eps must be a finite value > 0, got " + eps);
        }
        if (reduction == null) {
            throw new IllegalArgumentException(NAME + ": reduction must be MEAN, SUM or NONE, got null");
        }
        this.smooth = smooth;
        this.eps = eps;
        this.ignoreIndex = ignoreIndex;
        this.logLoss = logLoss;
        this.reduction = reduction;
    }

    /** Added to the numerator and the denominator of each class's score. */
    public DiceLoss withSmooth(double smooth) {
        return new DiceLoss(smooth, eps, ignoreIndex, logLoss, reduction);
    }

    /** Lower bound of the denominator (and of the score with logLoss). */
    public DiceLoss withEps(double eps) {
        return new DiceLoss(smooth, eps, ignoreIndex, logLoss, reduction);
    }

    public DiceLoss withIgnoreIndex(int ignoreIndex) {
        return new DiceLoss(smooth, eps, ignoreIndex, logLoss, reduction);
    }

    /** Uses -log(dice) instead of 1 - dice. */
    public DiceLoss withLogLoss(boolean logLoss) {
        return new DiceLoss(smooth, eps, ignoreIndex, logLoss, reduction);
    }

    public DiceLoss withReduction(Reduction reduction) {
        return new DiceLoss(smooth, eps, ignoreIndex, logLoss, reduction);
    }

    @Override
    public Tensor forward(Tensor logits, Tensor target) {
        return compute(logits, ClassTargets.of(NAME, logits.shape(), target, ignoreIndex));
    }

    public Tensor forward(Tensor logits, int[] target, int... targetShape) {
        return compute(logits, ClassTargets.of(NAME, logits.shape(), target, targetShape, ignoreIndex));
    }

    public Tensor forward(Tensor logits, long[] target, int... targetShape) {
        return compute(logits, ClassTargets.of(NAME, logits.shape(), target, targetShape, ignoreIndex));
    }

    private Tensor compute(Tensor logits, int[] labels) {
        int[] shape = logits.shape();
        int n = shape[0];
        int c = shape[1];
        int s = labels.length / Math.max(n, 1);
        float[] p = Softmax.channels(logits.data(), n, c, s);  // (N, C, S)

        // Per-class sums over every counted pixel of the batch.
        double[] inter = new double[c];  // I_c
        double[] card = new double[c];   // S_c
        long[] present = new long[c];    // target pixels of class c
        for (int b = 0; b < n; b++) {
            for (int q = 0; q < s; q++) {
                int y = labels[b * s + q];
                if (y == ignoreIndex) {
                    continue;
                }
                for (int k = 0; k < c; k++) {
                    card[k] += p[(b * c + k) * s + q];
                }
                inter[y] += p[(b * c + y) * s + q];
                card[y] += 1;
                present[y]++;
            }
        }
        double[] score = new double[c];
        float[] perClass = new float[c];  // l_c
        for (int k = 0; k < c; k++) {
            score[k] = (2 * inter[k] + smooth) / Math.max(card[k] + smooth, eps);
            double l = logLoss ? -Math.log(Math.max(score[k], eps)) : 1 - score[k];
            perClass[k] = present[k] > 0 ? (float) l : 0f;
        }

        Backward backward;
        if (reduction == Reduction.NONE) {
            backward = dOut -> backwardInto(logits, labels, p, inter, card, score, present, dOut, 1.0);
            return Tensor.result(NAME, perClass, new int[] {c}, backward, logits);
        }
        double total = 0;
        for (float l : perClass) {
            total += l;
        }
        double scale = reduction == Reduction.MEAN ? 1.0 / c : 1.0;
        backward = dOut -> backwardInto(logits, labels, p, inter, card, score, present, null, dOut[0] * scale);
        return Tensor.result(NAME, new float[] {(float) (total * scale)}, new int[0], backward, logits);
    }

    /** dOut per class when non-null, else the factor g for every class. */
    private void backwardInto(Tensor logits, int[] labels, float[] p, double[] inter, double[] card,
            double[] score, long[] present, float[] dOut, double g) {
        if (!logits.requiresGrad()) {
            return;
        }
        int[] shape = logits.shape();
        int n = shape[0];
        int c = shape[1];
        int s = labels.length / Math.max(n, 1);

        // dLoss/dI_c and dLoss/dS_c, from dice_c = (2 I_c + smooth) / max(S_c + smooth, eps).
        double[] dInter = new double[c];
        double[] dCard = new double[c];
        for (int k = 0; k < c; k++) {
            if (present[k] == 0) {
                continue;
            }
            double gk = dOut == null ? g : dOut[k];
            double dScore;
            if (logLoss) {
                dScore = score[k] > eps ? -gk / score[k] : 0;
            } else {
                dScore = -gk;
            }
            double denom = Math.max(card[k] + smooth, eps);
            dInter[k] = dScore * 2 / denom;
            dCard[k] = card[k] + smooth > eps ? -dScore * (2 * inter[k] + smooth) / (denom * denom) : 0;
        }

        // dLoss/dp_ic = dCard_c + [y_i = c] dInter_c on counted pixels; then through the softmax.
        float[] dx = logits.gradBuffer();
        double[] gp = new double[c];
        for (int b = 0; b < n; b++) {
            for (int q = 0; q < s; q++) {
                int y = labels[b * s + q];
                if (y == ignoreIndex) {
                    continue;
                }
                double dot = 0;
                for (int k = 0; k < c; k++) {
                    gp[k] = dCard[k] + (k == y ? dInter[k] : 0);
                    dot += gp[k] * p[(b * c + k) * s + q];
                }
                for (int k = 0; k < c; k++) {
                    int at = (b * c + k) * s + q;
                    dx[at] += (float) (p[at] * (gp[k] - dot));
                }
            }
        }
    }

    @Override
    public String toString() {
        return NAME + "(smooth=" + smooth + ", eps=" + eps + ", ignoreIndex=" + ignoreIndex + ", logLoss=" + logLoss
                + ", reduction=" + reduction + ")";
    }
}
