package org.fcn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.fcn4j.autograd.GradCheck;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.fcn4j.testing.Approx;
import org.junit.jupiter.api.Test;

class NormLayersTest {
    private final Generator rng = new Generator(2024);

    private void randomise(Tensor t, float offset) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = offset + 0.5f * (float) rng.nextGaussian();
        }
    }

    @Test
    void batchNormWorkedExample() {
        BatchNorm2d bn = new BatchNorm2d(1);
        Tensor y = bn.forward(Tensor.of(new float[] {1, 2, 3, 4}, 4, 1, 1, 1));
        Approx.assertClose("BatchNorm2d(1) on 1, 2, 3, 4, forward", new float[] {-1.341635f, -0.447212f, 0.447212f,
            1.341635f}, y.data(), 1e-6, 0);
        assertEquals(0.25f, bn.runningMean().item(), 1e-6, "running_mean after one step");
        assertEquals(1.066667f, bn.runningVar().item(), 1e-6, "running_var after one step");
        assertEquals(1f, bn.numBatchesTracked().item(), "num_batches_tracked after one step");
    }

    @Test
    void batchNormRejectsOneValuePerChannel() {
        BatchNorm2d bn = new BatchNorm2d(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bn.forward(Tensor.ones(1, 3, 1, 1)));
        assertTrue(e.getMessage().contains("more than 1 value per channel"), e.getMessage());
        assertTrue(e.getMessage().contains("(1, 3, 1, 1)"), e.getMessage());
        bn.eval();
        assertEquals(4, bn.forward(Tensor.ones(1, 3, 1, 1)).dim(), "evaluation uses running statistics");
        BatchNorm2d untracked = new BatchNorm2d(3, 1e-5, 0.1, true, false);
        untracked.eval();
        assertThrows(IllegalArgumentException.class, () -> untracked.forward(Tensor.ones(1, 3, 1, 1)),
                "without running statistics, evaluation also needs batch statistics");
    }

    @Test
    void batchNormRejectsWrongChannelCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm2d(3).forward(Tensor.ones(8, 1, 4, 4)));
        assertEquals("BatchNorm2d(3): expected input of shape (N, 3, H, W), got (8, 1, 4, 4)", e.getMessage());
    }

    @Test
    void groupNormRejectsIndivisibleChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6));
        assertTrue(e.getMessage().contains("4 groups") && e.getMessage().contains("6 channels"), e.getMessage());
    }

    @Test
    void batchNormStateDictOrder() {
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(new BatchNorm2d(4).stateDict().keySet()));
        assertEquals(List.of(), List.copyOf(new BatchNorm2d(4, 1e-5, 0.1, false, false).stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(new GroupNorm(2, 4).stateDict().keySet()));
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(new InstanceNorm2d(4, 1e-5, 0.1, false, true).stateDict().keySet()));
        assertArrayEquals(new int[] {3, 4}, new LayerNorm(3, 4).weight().shape());
    }

    @Test
    void nullMomentumIsCumulativeAverage() {
        BatchNorm2d bn = new BatchNorm2d(2, 1e-5, null, false, true);
        double[] sumMean = new double[2];
        int steps = 5;
        for (int s = 0; s < steps; s++) {
            Tensor x = Tensor.randn(rng, 3, 2, 2, 2);
            x = x.add(Tensor.full(s, 1, 1, 1, 1));
            float[] d = x.data();
            for (int c = 0; c < 2; c++) {
                double sum = 0;
                for (int n = 0; n < 3; n++) {
                    for (int i = 0; i < 4; i++) {
                        sum += d[(n * 2 + c) * 4 + i];
                    }
                }
                sumMean[c] += sum / 12;
            }
            bn.forward(x);
        }
        for (int c = 0; c < 2; c++) {
            assertEquals(sumMean[c] / steps, bn.runningMean().data()[c], 1e-5, "running_mean of channel " + c);
        }
        assertEquals(steps, bn.numBatchesTracked().item());
    }

    @Test
    void evaluationUsesRunningStatistics() {
        BatchNorm2d bn = new BatchNorm2d(1);
        bn.runningMean().data()[0] = 2f;
        bn.runningVar().data()[0] = 4f;
        bn.eval();
        Tensor y = bn.forward(Tensor.of(new float[] {0, 2, 4, 6}, 1, 1, 2, 2));
        double inv = 1 / Math.sqrt(4 + 1e-5);
        Approx.assertClose("BatchNorm2d eval", new float[] {(float) (-2 * inv), 0f, (float) (2 * inv),
            (float) (4 * inv)}, y.data(), 1e-6, 0);
        assertEquals(0f, bn.numBatchesTracked().item(), "evaluation must not count a batch");
    }

    @Test
    void groupNormOneGroupEqualsLayerNorm() {
        Tensor x = Tensor.randn(rng, 2, 4, 3, 5).requiresGrad(true);
        Tensor dy = Tensor.randn(rng, 2, 4, 3, 5);
        GroupNorm gn = new GroupNorm(1, 4, 1e-5, false);
        LayerNorm ln = new LayerNorm(new int[] {4, 3, 5}, 1e-5, false);
        Tensor a = gn.forward(x);
        a.backward(dy);
        float[] da = x.grad().toArray();
        x.dropGrad();
        Tensor b = ln.forward(x);
        b.backward(dy);
        Approx.assertClose("GroupNorm(1) vs LayerNorm(C, H, W), forward", b, a, 1e-6, 1e-6);
        Approx.assertClose("GroupNorm(1) vs LayerNorm(C, H, W), input gradient", x.grad().data(), da, 1e-6, 1e-6);
    }

    @Test
    void groupNormPerChannelEqualsInstanceNorm() {
        Tensor x = Tensor.randn(rng, 3, 4, 3, 3).requiresGrad(true);
        Tensor dy = Tensor.randn(rng, 3, 4, 3, 3);
        GroupNorm gn = new GroupNorm(4, 4);
        InstanceNorm2d in = new InstanceNorm2d(4, 1e-5, 0.1, true, false);
        randomise(gn.weight(), 1f);
        randomise(gn.bias(), 0f);
        System.arraycopy(gn.weight().data(), 0, in.weight().data(), 0, 4);
        System.arraycopy(gn.bias().data(), 0, in.bias().data(), 0, 4);

        Tensor a = gn.forward(x);
        a.backward(dy);
        float[] dxA = x.grad().toArray();
        x.dropGrad();
        Tensor b = in.forward(x);
        b.backward(dy);
        Approx.assertClose("GroupNorm(C) vs InstanceNorm2d, forward", b, a, 1e-6, 1e-6);
        Approx.assertClose("GroupNorm(C) vs InstanceNorm2d, input gradient", x.grad().data(), dxA, 1e-6, 1e-6);
        Approx.assertClose("GroupNorm(C) vs InstanceNorm2d, gradient of weight", in.weight().grad(),
                gn.weight().grad(), 1e-5, 1e-5);
        Approx.assertClose("GroupNorm(C) vs InstanceNorm2d, gradient of bias", in.bias().grad(), gn.bias().grad(),
                1e-5, 1e-5);
    }

    @Test
    void largeMeanDoesNotCancelVariance() {
        Tensor x = Tensor.randn(rng, 4, 2, 8, 8).add(1e4f);
        Tensor y = new BatchNorm2d(2).forward(x);
        Tensor mean = y.mean(new int[] {0, 2, 3}, false);
        Tensor var = y.var(new int[] {0, 2, 3}, false, false);
        for (int c = 0; c < 2; c++) {
            assertEquals(0f, mean.data()[c], 2e-3, "mean of channel " + c);
            assertEquals(1f, var.data()[c], 2e-3, "variance of channel " + c);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(rng, 2, 3, 3, 2).requiresGrad(true);

        BatchNorm2d bn = new BatchNorm2d(3);
        randomise(bn.weight(), 1f);
        randomise(bn.bias(), 0f);
        GradCheck.check("BatchNorm2d training", in -> bn.forward(in[0]), x, bn.weight(), bn.bias());
        bn.eval();
        GradCheck.check("BatchNorm2d evaluation", in -> bn.forward(in[0]), x, bn.weight(), bn.bias());

        InstanceNorm2d inorm = new InstanceNorm2d(3, 1e-5, 0.1, true, true);
        randomise(inorm.weight(), 1f);
        GradCheck.check("InstanceNorm2d training", in -> inorm.forward(in[0]), x, inorm.weight(), inorm.bias());
        inorm.eval();
        GradCheck.check("InstanceNorm2d evaluation", in -> inorm.forward(in[0]), x, inorm.weight(), inorm.bias());

        LayerNorm ln = new LayerNorm(3, 2);
        randomise(ln.weight(), 1f);
        GradCheck.check("LayerNorm", in -> ln.forward(in[0]), x, ln.weight(), ln.bias());

        GroupNorm gn = new GroupNorm(3, 3);
        randomise(gn.weight(), 1f);
        GradCheck.check("GroupNorm", in -> gn.forward(in[0]), x, gn.weight(), gn.bias());
        Tensor x6 = Tensor.randn(rng, 2, 6, 2, 2).requiresGrad(true);
        GroupNorm gn2 = new GroupNorm(2, 6);
        randomise(gn2.weight(), 1f);
        GradCheck.check("GroupNorm(2, 6)", in -> gn2.forward(in[0]), x6, gn2.weight(), gn2.bias());
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Tensor x = Tensor.randn(rng, 4, 8, 9, 7).requiresGrad(true);
        Tensor dy = Tensor.randn(rng, 4, 8, 9, 7);
        int saved = Parallel.threads();
        float[][] runs = new float[2][];
        float[][] grads = new float[2][];
        try {
            for (int r = 0; r < 2; r++) {
                Parallel.setThreads(r == 0 ? 1 : 3);
                GroupNorm gn = new GroupNorm(2, 8);
                BatchNorm2d bn = new BatchNorm2d(8);
                x.dropGrad();
                Tensor y = bn.forward(gn.forward(x));
                y.backward(dy);
                runs[r] = y.toArray();
                grads[r] = x.grad().toArray();
                assertNotNull(gn.weight().grad());
            }
        } finally {
            Parallel.setThreads(saved);
        }
        assertArrayEquals(runs[0], runs[1], "forward with 1 and 3 threads");
        assertArrayEquals(grads[0], grads[1], "input gradient with 1 and 3 threads");
    }

    @Test
    void instanceNormRejectsSingleSpatialValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InstanceNorm2d(2).forward(Tensor.ones(4, 2, 1, 1)));
        assertTrue(e.getMessage().contains("more than 1 spatial element"), e.getMessage());
    }

    @Test
    void layerNormRejectsOtherTrailingShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LayerNorm(3, 4).forward(Tensor.ones(2, 4, 3)));
        assertEquals("LayerNorm(3, 4): expected input of shape (*, 3, 4), got (2, 4, 3)", e.getMessage());
    }
}
