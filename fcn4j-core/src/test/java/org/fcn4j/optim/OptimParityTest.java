package org.fcn4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.fcn4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** Optimisers, schedules and clipping against PyTorch 1.13 (fixtures/optim.txt, tools/fixtures/gen_optim.py). */
class OptimParityTest {
    private static final List<Fixtures.Case> CASES = Fixtures.load("optim.txt");

    @Test
    void optimizersMatchPyTorchOverFiveSteps() {
        int checked = 0;
        for (Fixtures.Case c : CASES) {
            if (!c.has("optimizer") || c.has("schedule")) {
                continue;
            }
            int n = c.attrInt("params");
            List<Tensor> params = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                params.add(c.tensor("param" + i).requiresGrad(true));
            }
            Optimizer opt = build(c, params);
            for (int k = 0; k < c.attrInt("steps"); k++) {
                opt.zeroGrad();
                for (int i = 0; i < n; i++) {
                    float[] g = c.tensor("grad" + i + "_step" + k).data();
                    System.arraycopy(g, 0, params.get(i).gradBuffer(), 0, g.length);
                }
                opt.step();
                for (int i = 0; i < n; i++) {
                    Approx.assertClose(opt + " parameter " + i + " after step " + (k + 1),
                            c.tensor("param" + i + "_after" + k), params.get(i), 1e-7, 2e-6);
                }
            }
            assertEquals(c.attrInt("steps"), opt.stepCount(0), opt + " step count");
            checked++;
        }
        assertEquals(16, checked, "optimizer cases in optim.txt");
    }

    private static Optimizer build(Fixtures.Case c, List<Tensor> params) {
        String kind = c.attr("optimizer");
        if (kind.equals("sgd")) {
            return new SGD(params, new SGD.Options(c.attrDouble("lr"), c.attrDouble("momentum"),
                    c.attrDouble("dampening"), c.attrDouble("weight_decay"), bool(c, "nesterov")));
        }
        Adam.Options base = kind.equals("adamw") ? Adam.Options.adamW() : Adam.Options.adam();
        return new Adam(params, base.withLr(c.attrDouble("lr")).withBetas(c.attrDouble("beta1"), c.attrDouble("beta2"))
                .withEps(c.attrDouble("eps")).withWeightDecay(c.attrDouble("weight_decay"))
                .withAmsgrad(bool(c, "amsgrad")));
    }

    @Test
    void schedulesMatchPyTorchSequences() {
        int checked = 0;
        for (Fixtures.Case c : CASES) {
            if (!c.has("schedule")) {
                continue;
            }
            Tensor p = Tensor.zeros(1).requiresGrad(true);
            Optimizer opt = c.has("optimizer") && c.attr("optimizer").equals("adam")
                    ? new Adam(List.of(p), Adam.Options.adam().withLr(c.attrDouble("lr")))
                    : new SGD(List.of(p), SGD.Options.of(c.attrDouble("lr"))
                            .withMomentum(c.has("optimizer") ? 0.9 : 0));
            LrScheduler s = buildSchedule(c, opt);
            double[] lrs = doubles(c.attr("lrs"));
            double[] moms = c.attr("momenta").isEmpty() ? new double[0] : doubles(c.attr("momenta"));
            double[] metrics = c.has("metrics") ? doubles(c.attr("metrics")) : null;
            boolean cyclesMomentum = c.attr("schedule").equals("onecycle");
            assertLr(c, s, 0, lrs[0], opt.lr());
            for (int e = 0; e < c.attrInt("steps"); e++) {
                if (metrics != null) {
                    s.step(metrics[e]);
                } else {
                    s.step();
                }
                assertLr(c, s, e + 1, lrs[e + 1], opt.lr());
                if (cyclesMomentum) {
                    assertEquals(moms[e + 1], opt.momentum(), 1e-15, s + " momentum after step " + (e + 1));
                }
            }
            checked++;
        }
        assertEquals(8, checked, "schedule cases in optim.txt");
    }

    private static void assertLr(Fixtures.Case c, LrScheduler s, int step, double expected, double actual) {
        assertEquals(expected, actual, 1e-15 + 1e-12 * Math.abs(expected),
                c.name() + " " + s + ": learning rate after step " + step);
    }

    private static LrScheduler buildSchedule(Fixtures.Case c, Optimizer opt) {
        return switch (c.attr("schedule")) {
            case "step" -> new StepLR(opt, c.attrInt("step_size"), c.attrDouble("gamma"));
            case "multistep" -> new MultiStepLR(opt, c.attrInts("milestones"), c.attrDouble("gamma"));
            case "cosine" -> new CosineAnnealingLR(opt, c.attrInt("t_max"), c.attrDouble("eta_min"));
            case "onecycle" -> {
                OneCycleLR.Options o = OneCycleLR.Options.of(c.attrDouble("max_lr"), c.attrInt("total_steps"))
                        .withPctStart(c.attrDouble("pct_start")).withAnneal(c.attr("anneal"))
                        .withThreePhase(bool(c, "three_phase"));
                if (c.has("div_factor")) {
                    o = o.withDivFactors(c.attrDouble("div_factor"), c.attrDouble("final_div_factor"));
                }
                yield new OneCycleLR(opt, o);
            }
            case "plateau" -> new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults()
                    .withMode(c.attr("mode")).withFactor(c.attrDouble("factor")).withPatience(c.attrInt("patience"))
                    .withThreshold(c.attrDouble("threshold"), c.attr("threshold_mode"))
                    .withCooldown(c.attrInt("cooldown")).withMinLr(c.attrDouble("min_lr")));
            default -> throw new IllegalArgumentException("unknown schedule in fixture: " + c.attr("schedule"));
        };
    }

    @Test
    void clipGradNormMatchesPyTorch() {
        int checked = 0;
        for (Fixtures.Case c : CASES) {
            if (!c.has("clip")) {
                continue;
            }
            int n = c.attrInt("params");
            List<Tensor> params = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Tensor g = c.tensor("grad" + i);
                Tensor p = Tensor.zeros(g.shape()).requiresGrad(true);
                System.arraycopy(g.data(), 0, p.gradBuffer(), 0, g.numel());
                params.add(p);
            }
            String type = c.attr("norm_type");
            double normType = type.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(type);
            double norm = GradClip.clipGradNorm(params, c.attrDouble("max_norm"), normType);
            double expected = c.tensor("norm").item();
            assertEquals(expected, norm, 1e-6 * expected, c.name() + ": returned norm");
            for (int i = 0; i < n; i++) {
                Approx.assertClose(c.name() + ": clipped gradient " + i, c.tensor("clipped" + i).data(),
                        params.get(i).gradOrNull(), 1e-8, 1e-6);
            }
            checked++;
        }
        assertEquals(4, checked, "clip cases in optim.txt");
    }

    @Test
    void parameterWithoutGradientIsSkipped() {
        Tensor a = Tensor.ones(2).requiresGrad(true);
        Tensor b = Tensor.ones(2).requiresGrad(true);
        a.gradBuffer()[0] = 1f;
        Adam adam = new Adam(List.of(a, b), Adam.Options.adam().withLr(0.1));
        adam.step();
        assertEquals(1, adam.stepCount(0));
        assertEquals(0, adam.stepCount(1));
        assertEquals(1f, b.data()[0]);
        assertFalse(adam.stateTensors().containsKey("1.exp_avg"));
    }

    private static boolean bool(Fixtures.Case c, String key) {
        return c.attr(key).equalsIgnoreCase("true");
    }

    private static double[] doubles(String csv) {
        return Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
