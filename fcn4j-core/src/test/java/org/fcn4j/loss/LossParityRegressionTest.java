package org.fcn4j.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

/**
 * Small cases of the loss mismatches that tools/fixtures/gen_random.py found outside the fixture
 * grid; expected values are PyTorch 1.13's.
 */
class LossParityRegressionTest {

    /**
     * F.smooth_l1_loss(x, y, beta=0.0, reduction="sum") with x = y = [0, 1, -1] gives -1 to every
     * element of both x.grad and y.grad (the branch d &lt;= -beta), where L1Loss gives 0.
     */
    @Test
    void smoothL1WithBetaZeroAtAZeroResidual() {
        Tensor x = Tensor.of(new float[] {0, 1, -1, 2}, 4).requiresGrad(true);
        Tensor y = Tensor.of(new float[] {0, 1, -1, 0.5f}, 4).requiresGrad(true);
        new SmoothL1Loss(0.0, Reduction.SUM).forward(x, y).backward();
        Approx.assertClose("SmoothL1Loss(beta=0) input gradient", new float[] {-1, -1, -1, 1}, x.grad().data(), 0, 0);
        Approx.assertClose("SmoothL1Loss(beta=0) target gradient", new float[] {-1, -1, -1, -1}, y.grad().data(), 0,
                0);

        Tensor a = Tensor.of(new float[] {0, 3}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {0, 1}, 2).requiresGrad(true);
        new SmoothL1Loss(1.0, Reduction.SUM).forward(a, b).backward();
        Approx.assertClose("SmoothL1Loss(beta=1) input gradient", new float[] {0, 1}, a.grad().data(), 0, 0);
        Approx.assertClose("SmoothL1Loss(beta=1) target gradient", new float[] {0, -1}, b.grad().data(), 0, 0);
    }

    /**
     * smp's multi-class focal loss with MEAN over no counted pixel is 0 / 0: PyTorch's autograd of
     * the formula in tools/fixtures/gen_losses.py gives NaN for the loss and every logit.
     */
    @Test
    void focalMulticlassMeanOverNoCountedPixelIsNaN() {
        Tensor logits = Tensor.of(new float[] {0.5f, -1f, 2f, 0.25f}, 2, 2).requiresGrad(true);
        Tensor loss = FocalLoss.multiclass().withIgnoreIndex(255).forward(logits, new int[] {255, 255}, 2);
        assertTrue(Float.isNaN(loss.item()), "loss " + loss.item());
        loss.backward();
        for (float g : logits.grad().data()) {
            assertTrue(Float.isNaN(g), "gradient " + g);
        }
    }

    /**
     * A deliberate difference: torchvision.ops.sigmoid_focal_loss(x=20, t=1, alpha=0.25, gamma=0.5) has a NaN
     * gradient in float32 (sigmoid(20) rounds to 1 and pow's backward gives inf * 0) and
     * -3.50910878776931e-14 in float64; fcn4j returns the float64 value.
     */
    @Test
    void focalGammaBelowOneStaysFiniteForConfidentLogits() {
        Tensor x = Tensor.of(new float[] {20f}, 1).requiresGrad(true);
        FocalLoss.binary().withGamma(0.5).withAlpha(0.25).withReduction(Reduction.SUM)
                .forward(x, Tensor.of(new float[] {1f}, 1)).backward();
        org.junit.jupiter.api.Assertions.assertEquals(-3.50910878776931e-14, x.grad().data()[0], 1e-19);
    }

    /**
     * PyTorch also differentiates BCEWithLogitsLoss in its target, where fcn4j gave no gradient.
     * F.binary_cross_entropy_with_logits(x=[2, -1], t=[0.25, 1], pos_weight=[2, 0.5], reduction="sum").
     */
    @Test
    void bceWithLogitsGivesTheTargetAGradient() {
        Tensor x = Tensor.of(new float[] {2f, -1f}, 2).requiresGrad(true);
        Tensor t = Tensor.of(new float[] {0.25f, 1f}, 2).requiresGrad(true);
        new BCEWithLogitsLoss(Tensor.of(new float[] {2f, 0.5f}, 2), Reduction.SUM).forward(x, t).backward();
        float[] expected = {-1.8730720281600952f, 0.34336918592453003f};
        Approx.assertClose("BCEWithLogitsLoss target gradient", expected, t.grad().data(), 1e-6, 1e-6);
    }

    /**
     * Likewise torchvision's sigmoid_focal_loss: x=[1.5, -0.5], t=[0.25, 1], alpha=0.25, gamma=2,
     * reduction="sum" gives t.grad [-1.38846838, -0.0660238937].
     */
    @Test
    void focalBinaryGivesTheTargetAGradient() {
        Tensor x = Tensor.of(new float[] {1.5f, -0.5f}, 2).requiresGrad(true);
        Tensor t = Tensor.of(new float[] {0.25f, 1f}, 2).requiresGrad(true);
        FocalLoss.binary().withReduction(Reduction.SUM).forward(x, t).backward();
        float[] expected = {-1.3884683847427368f, -0.06602389365434647f};
        Approx.assertClose("FocalLoss.binary target gradient", expected, t.grad().data(), 1e-6, 1e-6);
    }
}
