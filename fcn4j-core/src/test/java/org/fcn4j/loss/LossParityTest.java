package org.fcn4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;

import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * Every loss against PyTorch 1.13 (and torchvision 0.14 for the binary focal loss): loss value,
 * then the gradient of the input (and of the target for the regression losses), from the cases
 * of tools/fixtures/gen_losses.py.
 */
class LossParityTest {
    private static final List<Fixtures.Case> CASES = Fixtures.load("losses.txt");

    @Test
    void fixtureCoversEveryLoss() {
        for (String kind : List.of("mse", "l1", "smooth_l1", "huber", "pinball", "pinball_multi", "cross_entropy",
                "bce", "dice", "focal_binary", "focal_multiclass")) {
            assertTrue(CASES.stream().anyMatch(c -> c.attr("kind").equals(kind)), "no fixture case of kind " + kind);
        }
    }

    @Test
    void regressionLossesMatchPyTorch() {
        int checked = 0;
        for (Fixtures.Case c : CASES) {
            String kind = c.attr("kind");
            Reduction r = reduction(c);
            Loss loss = switch (kind) {
                case "mse" -> new MSELoss(r);
                case "l1" -> new L1Loss(r);
                case "smooth_l1" -> new SmoothL1Loss(c.attrDouble("beta"), r);
                case "huber" -> new HuberLoss(c.attrDouble("delta"), r);
                case "pinball" -> new PinballLoss(c.attrDouble("q"), r);
                case "pinball_multi" -> PinballLoss.multiQuantile(doubles(c.attr("levels"))).withReduction(r);
                default -> null;
            };
            if (loss == null) {
                continue;
            }
            Tensor x = c.tensor("input").requiresGrad(true);
            Tensor y = c.tensor("target").requiresGrad(true);
            Tensor out = loss.forward(x, y);
            Approx.assertClose(c.name() + " forward", c.tensor("loss"), out, 1e-6, 1e-5);
            backward(c, out);
            Approx.assertClose(c.name() + " input gradient", c.tensor("grad_input"), x.grad(), 1e-7, 1e-5);
            Approx.assertClose(c.name() + " target gradient", c.tensor("grad_target"), y.grad(), 1e-7, 1e-5);
            checked++;
        }
        assertEquals(30, checked, "regression cases checked");
    }

    @Test
    void classificationLossesMatchPyTorch() {
        int checked = 0;
        for (Fixtures.Case c : CASES) {
            String kind = c.attr("kind");
            Reduction r = reduction(c);
            Tensor x = c.tensor("input").requiresGrad(true);
            int[] tShape = ClassTargets.expectedShape("test", x.shape());
            Tensor out;
            switch (kind) {
                case "cross_entropy" -> {
                    CrossEntropyLoss ce = new CrossEntropyLoss().withReduction(r)
                            .withIgnoreIndex(c.attrInt("ignore_index"))
                            .withLabelSmoothing(c.attrDouble("label_smoothing"));
                    if (c.has("weight")) {
                        ce = ce.withWeight(c.tensor("weight").data());
                    }
                    out = ce.forward(x, c.longs("target"), tShape);
                }
                case "dice" -> {
                    DiceLoss dice = new DiceLoss().withReduction(r).withSmooth(c.attrDouble("smooth"))
                            .withEps(c.attrDouble("eps")).withIgnoreIndex(c.attrInt("ignore_index"))
                            .withLogLoss(c.attrInt("log_loss") == 1);
                    out = dice.forward(x, c.longs("target"), tShape);
                }
                case "focal_multiclass" -> {
                    FocalLoss focal = FocalLoss.multiclass().withReduction(r).withGamma(c.attrDouble("gamma"))
                            .withAlpha(c.attrDouble("alpha")).withIgnoreIndex(c.attrInt("ignore_index"));
                    out = focal.forward(x, c.longs("target"), tShape);
                }
                case "focal_binary" -> {
                    FocalLoss focal = FocalLoss.binary().withReduction(r).withGamma(c.attrDouble("gamma"))
                            .withAlpha(c.attrDouble("alpha"));
                    out = focal.forward(x, c.tensor("target"));
                }
                case "bce" -> {
                    Tensor pw = c.has("pos_weight") ? c.tensor("pos_weight") : null;
                    out = new BCEWithLogitsLoss(pw, r).forward(x, c.tensor("target"));
                }
                default -> {
                    continue;
                }
            }
            Approx.assertClose(c.name() + " forward", c.tensor("loss"), out, 1e-5, 1e-5);
            backward(c, out);
            Approx.assertClose(c.name() + " input gradient", c.tensor("grad_input"), x.grad(), 1e-6, 1e-4);
            checked++;
        }
        assertEquals(76, checked, "classification cases checked");
    }

    private static void backward(Fixtures.Case c, Tensor out) {
        if (out.dim() == 0) {
            out.backward();
        } else {
            out.backward(c.tensor("gout"));
        }
    }

    private static Reduction reduction(Fixtures.Case c) {
        return Reduction.valueOf(c.attr("reduction").toUpperCase(Locale.ROOT));
    }

    private static double[] doubles(String csv) {
        String[] parts = csv.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i]);
        }
        return out;
    }
}
