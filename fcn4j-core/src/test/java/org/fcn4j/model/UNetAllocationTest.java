package org.fcn4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.loss.CrossEntropyLoss;
import org.fcn4j.optim.SGD;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Heap allocated by one warmed-up training step of the small unet-bench workload (batch 8,
 * 1 x 64 x 64 inputs, base 16, 11 classes, SGD with momentum), summed over every live thread, the
 * compute pool included. Not a timing test: the count does not depend on the machine's speed.
 * Without the U-Net's arena and the gradient pool every activation, gradient and scratch array of
 * a step would be new, an estimated 100 MB.
 */
class UNetAllocationTest {
    /** The bound for one steady-state training step. */
    static final long MAX_BYTES_PER_STEP = 5_000_000;

    @Test
    void warmedUpTrainingStepAllocatesUnderFiveMegabytes() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            Generator rng = new Generator(0);
            UNet model = new UNet(ModelConfig.unetFromBase(1, 11, 16, 4), rng);
            Tensor x = Tensor.randn(rng, 8, 1, 64, 64);
            int[] labels = new int[8 * 64 * 64];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rng.nextInt(11);
            }
            CrossEntropyLoss lossFn = new CrossEntropyLoss();
            SGD opt = new SGD(model.parameters(), SGD.Options.of(0.01).withMomentum(0.9));
            model.train();
            Runnable step = () -> {
                opt.zeroGrad();
                lossFn.forward(model.forward(x), labels, 8, 64, 64).backward();
                opt.step();
            };
            for (int i = 0; i < 3; i++) {
                step.run();
            }

            long bytes = Long.MAX_VALUE;
            // The smallest of up to eight steps, so that a one-off allocation elsewhere in the JVM (a
            // JIT compiler thread's, a logger's) does not fail the test. Until C2 has compiled a Vector
            // API kernel, its vectors are objects, so on a busy machine a kernel still interpreted
            // after the first steps allocated megabytes per step.
            for (int i = 0; i < 8 && bytes >= MAX_BYTES_PER_STEP; i++) {
                long before = allocatedBytes();
                step.run();
                bytes = Math.min(bytes, allocatedBytes() - before);
            }
            System.out.printf("UNetAllocationTest: one training step allocated %.2f MB%n", bytes / 1e6);
            assertTrue(bytes < MAX_BYTES_PER_STEP, "a warmed-up training step of the small unet-bench workload "
                    + "allocated " + bytes + " bytes across all threads, expected under " + MAX_BYTES_PER_STEP);

            // Evaluation passes after training run in the training passes' buffers, Winograd's
            // included, once the first pass has made Winograd's per-thread buffers (about 8 MB
            // here). Remaking those for each layer had cost 9 MB per pass. As for the training
            // steps, the smallest of up to eight passes after the first counts: the vector loops
            // that only evaluation runs may still be uncompiled in the first passes.
            model.eval();
            try (var _ = GradMode.noGrad()) {
                long before = allocatedBytes();
                model.forward(x);
                System.out.printf("UNetAllocationTest: evaluation pass 1 allocated %.2f MB%n",
                        (allocatedBytes() - before) / 1e6);
                long evalBytes = Long.MAX_VALUE;
                for (int pass = 2; pass <= 9 && evalBytes >= MAX_BYTES_PER_STEP; pass++) {
                    before = allocatedBytes();
                    model.forward(x);
                    long passBytes = allocatedBytes() - before;
                    System.out.printf("UNetAllocationTest: evaluation pass %d allocated %.2f MB%n", pass,
                            passBytes / 1e6);
                    evalBytes = Math.min(evalBytes, passBytes);
                }
                assertTrue(evalBytes < MAX_BYTES_PER_STEP, "evaluation passes after training steps of the small "
                        + "unet-bench workload allocated at least " + evalBytes + " bytes across all threads, "
                        + "expected under " + MAX_BYTES_PER_STEP);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void reusedStorageGivesTheSameOutputsAndGradients() {
        // Model a frees its graph after the first step, so its second step reuses the arena's
        // buffers; model b keeps its first graph (retainGraph), so its second step gets new ones.
        ModelConfig config = ModelConfig.unetFromBase(1, 3, 4, 2);
        UNet a = new UNet(config, new Generator(7));
        UNet b = new UNet(config, new Generator(7));
        Generator rng = new Generator(3);
        Tensor x1 = Tensor.randn(rng, 2, 1, 8, 8);
        Tensor x2 = Tensor.randn(rng, 2, 1, 8, 8);
        Tensor seed = Tensor.randn(rng, 2, 3, 8, 8);
        a.train();
        b.train();
        a.forward(x1).backward(seed);
        b.forward(x1).backward(seed, true);
        a.zeroGrad();
        b.zeroGrad();

        Tensor ya = a.forward(x2);
        Tensor yb = b.forward(x2);
        assertArrayEquals(yb.data(), ya.data(), "UNet forward, second pass: reused against new storage");
        ya.backward(seed);
        yb.backward(seed);
        for (var e : b.namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().grad().data(), a.namedParameters().get(e.getKey()).grad().data(),
                    "UNet backward, gradient of " + e.getKey() + ": reused against new storage");
        }

        // An evaluation pass without a graph reuses the buffers too, and leaves the returned output alone.
        Tensor kept = ya.copy();
        try (var scope = GradMode.noGrad()) {
            a.eval();
            Tensor first = a.forward(x1);
            Tensor firstCopy = first.copy();
            a.forward(x2);
            assertArrayEquals(firstCopy.data(), first.data(), "UNet eval output overwritten by the next pass");
        }
        assertArrayEquals(kept.data(), ya.data(), "UNet training output overwritten by later passes");
    }

    @Test
    void concurrentForwardPassesStayCorrect() throws Exception {
        // Two threads share one model in evaluation mode: the one that finds the arena taken gets
        // new arrays, so both must match outputs computed one at a time.
        UNet model = new UNet(ModelConfig.unetFromBase(1, 3, 4, 2), new Generator(11));
        model.eval();
        Generator rng = new Generator(12);
        Tensor[] inputs = {Tensor.randn(rng, 2, 1, 8, 8), Tensor.randn(rng, 2, 1, 8, 8)};
        float[][] expected = new float[2][];
        try (var scope = GradMode.noGrad()) {
            for (int i = 0; i < 2; i++) {
                expected[i] = model.forward(inputs[i]).data();
            }
        }
        Throwable[] failure = new Throwable[2];
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                try (var scope = GradMode.noGrad()) {
                    for (int k = 0; k < 200; k++) {
                        assertArrayEquals(expected[id], model.forward(inputs[id]).data(),
                                "UNet eval output of thread " + id + ", pass " + k);
                    }
                } catch (Throwable e) {
                    failure[id] = e;
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (Throwable f : failure) {
            if (f != null) {
                throw new AssertionError(f);
            }
        }
    }

    // Heap allocated so far by every thread but the kernels' warm-up threads, whose calls before
    // compilation allocate (and which end on their own, taking their counts with them).
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        java.lang.management.ThreadInfo[] infos = mx.getThreadInfo(ids);
        long total = 0;
        for (int i = 0; i < ids.length; i++) {
            boolean warmUp = infos[i] != null && infos[i].getThreadName().equals("fcn4j-kernel-warm-up");
            if (bytes[i] > 0 && !warmUp) {
                total += bytes[i];
            }
        }
        return total;
    }
}
