package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class KernelWarmUpTest {

    @Test
    void bringsEveryVectorKernelToCompiledSpeed() {
        for (KernelWarmUp.Phase phase : KernelWarmUp.Phase.values()) {
            KernelWarmUp warmUp = new KernelWarmUp(KernelProvider.get(), phase);
            assertEquals(-1, warmUp.left(), "before running");
            warmUp.run();
            // The evaluation warm-up stops after 1 s. Without the launcher's lower compile
            // thresholds, on a busy machine, C2 may need longer, so a few more runs may follow.
            for (int attempt = 1; attempt < 5 && warmUp.left() > 0; attempt++) {
                warmUp = new KernelWarmUp(KernelProvider.get(), phase);
                warmUp.run();
            }
            assertEquals(0, warmUp.left(), phase + " kernels still slow after the warm-up of "
                    + Gemm.implementation());
        }
    }

    @Test
    void bringsEveryScalarKernelToCompiledSpeed() {
        for (KernelWarmUp.Phase phase : KernelWarmUp.Phase.values()) {
            KernelWarmUp warmUp = new KernelWarmUp(new ScalarKernelSupport(), phase);
            warmUp.run();
            assertEquals(0, warmUp.left(), phase + " scalar kernels still slow after the warm-up");
        }
    }

    @Test
    void startsUnlessPropertyIsFalse() throws InterruptedException {
        String before = System.getProperty(KernelWarmUp.PROPERTY);
        try {
            System.setProperty(KernelWarmUp.PROPERTY, "false");
            AtomicInteger off = new AtomicInteger();
            KernelWarmUp.start(counting(off));
            Thread.sleep(200);
            assertEquals(0, off.get(), "kernel calls with " + KernelWarmUp.PROPERTY + "=false");

            System.clearProperty(KernelWarmUp.PROPERTY);
            AtomicInteger on = new AtomicInteger();
            KernelWarmUp.start(counting(on));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (on.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(on.get() > 0, "no kernel call within 10 s of the start of the warm-up");
        } finally {
            if (before == null) {
                System.clearProperty(KernelWarmUp.PROPERTY);
            } else {
                System.setProperty(KernelWarmUp.PROPERTY, before);
            }
        }
    }

    /** Returns the scalar kernels, counting the calls to the kernels proper (not to the size queries). */
    private static KernelSupport counting(AtomicInteger calls) {
        KernelSupport scalar = new ScalarKernelSupport();
        return (KernelSupport) Proxy.newProxyInstance(KernelSupport.class.getClassLoader(),
                new Class<?>[] {KernelSupport.class}, (proxy, method, args) -> {
                    if (method.getParameterCount() > 0) {
                        calls.incrementAndGet();
                    }
                    try {
                        return method.invoke(scalar, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
