package org.fcn4j.loss;

import org.fcn4j.autograd.GradCheck;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every loss's backward pass, for each reduction. */
class LossGradCheckTest {
    private final Generator rng = new Generator(7);

    /** Inputs and targets whose residuals stay at least 0.1 away from 0 and from +-1 (the kinks). */
    private Tensor[] residualPair(int... shape) {
        Tensor x = Tensor.randn(rng, shape);
        Tensor y = x.copy();
        float[] yd = y.data();
        for (int i = 0; i < yd.length; i++) {
            float d = 0.1f + 0.8f * rng.nextFloat() + (rng.nextBoolean(0.5) ? 1f : 0f);
            yd[i] -= rng.nextBoolean(0.5) ? d : -d;
        }
        return new Tensor[] {x.requiresGrad(true), y.requiresGrad(true)};
    }

    private Tensor labels(int n, int h, int w, int classes, int ignore) {
        float[] v = new float[n * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextBoolean(0.15) ? ignore : rng.nextInt(classes);
        }
        return Tensor.of(v, n, h, w);
    }

    @Test
    void regressionLossesGradCheck() {
        for (Reduction r : Reduction.values()) {
            Tensor[] xy = residualPair(2, 3, 4, 4);
            GradCheck.check("MSELoss " + r, in -> new MSELoss(r).forward(in[0], in[1]), xy);
            GradCheck.check("L1Loss " + r, in -> new L1Loss(r).forward(in[0], in[1]), xy);
            GradCheck.check("SmoothL1Loss(0.5) " + r, in -> new SmoothL1Loss(0.5, r).forward(in[0], in[1]), xy);
            GradCheck.check("SmoothL1Loss(1) " + r, in -> new SmoothL1Loss(1.0, r).forward(in[0], in[1]), xy);
            GradCheck.check("HuberLoss(0.7) " + r, in -> new HuberLoss(0.7, r).forward(in[0], in[1]), xy);
            GradCheck.check("PinballLoss(0.3) " + r, in -> new PinballLoss(0.3, r).forward(in[0], in[1]), xy);
        }
    }

    @Test
    void multiQuantilePinballGradCheck() {
        Tensor[] xy = residualPair(2, 3, 3, 3);
        Tensor target = xy[1].slice(1, 0, 1).detach().requiresGrad(true);
        // Keep the shared target away from every channel's prediction.
        float[] x = xy[0].data();
        float[] t = target.data();
        for (int i = 0; i < x.length; i++) {
            int n = i / 27;
            int p = i % 9;
            if (Math.abs(x[i] - t[n * 9 + p]) < 0.1f) {
                x[i] += 0.3f;
            }
        }
        for (Reduction r : Reduction.values()) {
            PinballLoss loss = PinballLoss.multiQuantile(0.1, 0.5, 0.9).withReduction(r);
            GradCheck.check("PinballLoss(0.1, 0.5, 0.9) " + r, in -> loss.forward(in[0], in[1]), xy[0], target);
        }
    }

    @Test
    void crossEntropyGradCheck() {
        Tensor x = Tensor.randn(rng, 2, 4, 3, 3).requiresGrad(true);
        Tensor t = labels(2, 3, 3, 4, 255);
        for (Reduction r : Reduction.values()) {
            CrossEntropyLoss plain = new CrossEntropyLoss().withReduction(r).withIgnoreIndex(255);
            GradCheck.check("CrossEntropyLoss " + r, in -> plain.forward(in[0], t), x);
            CrossEntropyLoss full = plain.withWeight(0.5f, 2f, 1f, 3f).withLabelSmoothing(0.2);
            GradCheck.check("CrossEntropyLoss weighted smoothed " + r, in -> full.forward(in[0], t), x);
        }
        Tensor x2 = Tensor.randn(rng, 5, 3).requiresGrad(true);
        Tensor t2 = Tensor.vector(0, 2, 1, 1, 2);
        GradCheck.check("CrossEntropyLoss (N, C)", in -> new CrossEntropyLoss().forward(in[0], t2), x2);
    }

    @Test
    void bceWithLogitsGradCheck() {
        Tensor x = Tensor.randn(rng, 2, 3, 3, 3).requiresGrad(true);
        Tensor t = Tensor.uniform(rng, 0f, 1f, 2, 3, 3, 3);
        Tensor pw = Tensor.of(new float[] {0.5f, 2f, 4f}, 3, 1, 1);
        for (Reduction r : Reduction.values()) {
            GradCheck.check("BCEWithLogitsLoss " + r, in -> new BCEWithLogitsLoss(null, r).forward(in[0], t), x);
            GradCheck.check("BCEWithLogitsLoss pos_weight " + r, in -> new BCEWithLogitsLoss(pw, r).forward(in[0], t), x);
        }
    }

    @Test
    void diceGradCheck() {
        Tensor x = Tensor.randn(rng, 2, 3, 4, 4).requiresGrad(true);
        Tensor t = labels(2, 4, 4, 3, 255);
        for (Reduction r : Reduction.values()) {
            DiceLoss dice = new DiceLoss().withReduction(r).withIgnoreIndex(255);
            GradCheck.check("DiceLoss " + r, in -> dice.forward(in[0], t), x);
            GradCheck.check("DiceLoss smooth log " + r, in -> dice.withSmooth(1).withLogLoss(true).forward(in[0], t), x);
        }
    }

    @Test
    void focalGradCheck() {
        Tensor x = Tensor.randn(rng, 2, 3, 3, 3).requiresGrad(true);
        Tensor hard = labels(2, 3, 3, 3, 255);
        Tensor binaryTarget = Tensor.uniform(rng, 0f, 1f, 2, 3, 3, 3);
        for (Reduction r : Reduction.values()) {
            FocalLoss binary = FocalLoss.binary().withReduction(r);
            GradCheck.check("FocalLoss binary " + r, in -> binary.forward(in[0], binaryTarget), x);
            GradCheck.check("FocalLoss binary gamma 0.5 " + r,
                    in -> binary.withGamma(0.5).withAlpha(-1).forward(in[0], binaryTarget), x);
            FocalLoss multi = FocalLoss.multiclass().withReduction(r).withIgnoreIndex(255);
            GradCheck.check("FocalLoss multiclass " + r, in -> multi.forward(in[0], hard), x);
            GradCheck.check("FocalLoss multiclass alpha " + r, in -> multi.withAlpha(0.25).forward(in[0], hard), x);
        }
    }
}
