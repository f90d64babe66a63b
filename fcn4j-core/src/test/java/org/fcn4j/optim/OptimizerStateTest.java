package org.fcn4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Saving and restoring optimiser and schedule state, hyperparameter checks and toString. */
class OptimizerStateTest {

    private static void fillGrad(Tensor p, Generator rng) {
        float[] g = p.gradBuffer();
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rng.nextGaussian();
        }
    }

    /** Runs 5 steps straight, or 2 steps, a save and restore into a fresh optimiser, then 3 more. */
    private static float[] run(Function<List<Tensor>, Optimizer> make, boolean restart) {
        Generator rng = new Generator(7);
        Tensor p = Tensor.randn(new Generator(3), 4, 3).requiresGrad(true);
        Optimizer opt = make.apply(List.of(p));
        LrScheduler sched = new StepLR(opt, 2, 0.5);
        for (int k = 0; k < 5; k++) {
            if (restart && k == 2) {
                Map<String, Tensor> tensors = opt.stateTensors();
                Map<String, String> values = opt.stateValues();
                Map<String, String> schedValues = sched.stateValues();
                Tensor copy = p.copy().requiresGrad(true);
                opt = make.apply(List.of(copy));
                sched = new StepLR(opt, 2, 0.5);
                opt.loadState(copyOf(tensors), values);
                sched.loadState(schedValues);
                p = copy;
            }
            opt.zeroGrad();
            fillGrad(p, rng);
            opt.step();
            sched.step();
        }
        return p.data();
    }

    private static Map<String, Tensor> copyOf(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    @Test
    void restoredStateContinuesBitwise() {
        List<Function<List<Tensor>, Optimizer>> makers = List.of(
                ps -> new SGD(ps, SGD.Options.of(0.1).withMomentum(0.9).withNesterov(true)),
                ps -> new Adam(ps, Adam.Options.adam().withLr(0.01).withAmsgrad(true)),
                ps -> new Adam(ps, Adam.Options.adamW().withLr(0.01)));
        for (Function<List<Tensor>, Optimizer> make : makers) {
            String name = make.apply(List.of(Tensor.zeros(1).requiresGrad(true))).toString();
            assertArrayEquals(run(make, false), run(make, true), name + ": weights after restart");
        }
    }

    @Test
    void invalidHyperparametersAreRejected() {
        List<Tensor> ps = List.of(Tensor.zeros(1).requiresGrad(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(ps, SGD.Options.of(-0.1)));
        assertTrue(e.getMessage().contains("-0.1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SGD.Options.of(0.1).withNesterov(true));
        e = assertThrows(IllegalArgumentException.class, () -> Adam.Options.adam().withBetas(0.9, 1.0));
        assertTrue(e.getMessage().contains("beta2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.zeros(1)), 0.1));
        assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.Options.defaults().withFactor(1.0));
        assertThrows(IllegalArgumentException.class, () -> ReduceLROnPlateau.Options.defaults().withMode("lowest"));
    }

    @Test
    void toStringEchoesHyperparameters() {
        List<Tensor> ps = List.of(Tensor.zeros(1).requiresGrad(true));
        String s = new SGD(ps, SGD.Options.of(0.05).withMomentum(0.9).withWeightDecay(1e-4)).toString();
        assertTrue(s.contains("lr=0.05") && s.contains("momentum=0.9") && s.contains("weight_decay=1.0E-4"), s);
        String a = new Adam(ps, Adam.Options.adamW()).toString();
        assertTrue(a.startsWith("AdamW(") && a.contains("betas=(0.9, 0.999)"), a);
    }

    @Test
    void oneCycleRejectsStepsBeyondTotal() {
        Tensor p = Tensor.zeros(1).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), SGD.Options.of(0.1).withMomentum(0.9));
        OneCycleLR s = new OneCycleLR(sgd, OneCycleLR.Options.of(0.1, 3));
        s.step();
        s.step();
        s.step();
        assertThrows(IllegalStateException.class, s::step);
    }
}
