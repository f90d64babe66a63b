package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Checks that the Vector API kernels, once C2 has compiled them, allocate nothing, whatever the
 * type profiles of the JDK's own vector methods contain. C2 keeps a vector in a register only when
 * it inlines every call on it, and the JDK's vector methods are virtual. A call whose receiver C2
 * cannot type exactly (an accumulator carried around a loop, for example) is inlined only if its
 * type profile names one class. Otherwise it is a real call, which boxes every vector it passes.
 * Profiles depend on what ran before, so a kernel that relied on one allocated in some runs and
 * not in others. That was the likely cause of two intermittent failures: about 100 MB per second
 * in one standard unet-bench run in three, and 48 MB per small training step in one run of the
 * core tests in a dozen.
 *
 * <p>A child JVM therefore runs each kernel with type profiles off ({@code -XX:-UseTypeProfile})
 * and with vectors of every shape loaded, so that class hierarchy analysis cannot name the
 * receiver's class either, until a round of calls allocates nothing or the budget is spent.
 */
class KernelBoxingTest {
    /** Calls per measured round of one kernel. */
    static final int ROUND = 500;
    /** Rounds per kernel before it counts as allocating. */
    static final int MAX_ROUNDS = 400;

    @Test
    void compiledKernelsAllocateNothing() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-XX:-UseTypeProfile",
                "-D" + KernelWarmUp.PROPERTY + "=false", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not end within 120 s: " + out);
        assertEquals(0, p.exitValue(), "the child JVM failed: " + out);
        if (out.contains("skipped:")) {
            System.out.println("KernelBoxingTest: " + out.strip());
            return;
        }
        List<String> allocating = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("kernel ") && !line.endsWith(" 0 bytes")) {
                allocating.add(line.strip());
            }
        }
        assertTrue(out.contains("kernel maxPool2x2Taps"), "the child JVM did not run every kernel: " + out);
        assertTrue(allocating.isEmpty(), "kernels still allocating per call of their last round of " + ROUND
                + " (their vectors are boxed): " + allocating + "\n" + out);
    }

    /** Runs in the child JVM: prints "kernel NAME: N bytes" per kernel, N for its last round. */
    public static final class Probe {
        public static void main(String[] args) {
            KernelSupport ks = KernelProvider.get();
            if (ks.vectorBitSize() <= Float.SIZE) {
                System.out.println("skipped: the kernels are scalar here (" + ks.description() + ")");
                return;
            }
            loadEveryShape();
            for (Map.Entry<String, Runnable> e : kernels(ks).entrySet()) {
                System.out.println("kernel " + e.getKey() + ": " + lastRoundBytes(e.getValue()) + " bytes");
            }
        }

        // Vectors of each shape, so that FloatVector and DoubleVector have several concrete classes
        // loaded, as in a JVM where other code uses other shapes.
        private static void loadEveryShape() {
            float[] f = new float[64];
            double[] d = new double[64];
            for (var s : List.of(jdk.incubator.vector.FloatVector.SPECIES_64,
                    jdk.incubator.vector.FloatVector.SPECIES_128, jdk.incubator.vector.FloatVector.SPECIES_256,
                    jdk.incubator.vector.FloatVector.SPECIES_512, jdk.incubator.vector.FloatVector.SPECIES_MAX)) {
                jdk.incubator.vector.FloatVector.fromArray(s, f, 0).add(1f).intoArray(f, 0);
            }
            for (var s : List.of(jdk.incubator.vector.DoubleVector.SPECIES_64,
                    jdk.incubator.vector.DoubleVector.SPECIES_128, jdk.incubator.vector.DoubleVector.SPECIES_256,
                    jdk.incubator.vector.DoubleVector.SPECIES_512, jdk.incubator.vector.DoubleVector.SPECIES_MAX)) {
                jdk.incubator.vector.DoubleVector.fromArray(s, d, 0).add(1.0).intoArray(d, 0);
            }
        }

        private static long lastRoundBytes(Runnable kernel) {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long bytes = -1;
            for (int round = 0; round < MAX_ROUNDS && bytes != 0; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < ROUND; i++) {
                    kernel.run();
                }
                bytes = mx.getCurrentThreadAllocatedBytes() - before;
            }
            return bytes;
        }

        // Every kernel on operands of a few hundred values, each branch taken (tails, ReLU or not,
        // written or added), so that no branch is left for a later call to hit.
        private static Map<String, Runnable> kernels(KernelSupport ks) {
            int mr = ks.tileRows();
            int nr = ks.tileCols();
            int lanes = ks.vectorBitSize() / Float.SIZE;
            int kc = 64;
            float[] a = filled(kc * mr);
            float[] b = filled(kc * nr);
            float[] c = new float[mr * nr];
            int[] rowOff = new int[kc];
            for (int p = 0; p < kc; p++) {
                rowOff[p] = (kc - 1 - p) * nr;
            }

            float[] rows = filled(7 * 8 * lanes);
            int[] rowStart = new int[7];
            for (int r = 0; r < rowStart.length; r++) {
                rowStart[r] = r * 8 * lanes;
            }
            int[] run = {0, 2 * lanes, 4 * lanes};
            float[] acc = new float[24 * lanes];

            int n = 9 * lanes + 5;
            float[] x = filled(n);
            float[] y = filled(n);
            float[] dx = new float[n];
            double[] sums = new double[2];
            float[] sink = new float[1];

            int group = ScalarKernelSupport.TAPS_PER_INT;
            float[] plane = filled(4 * 4 * group);
            float[] pooled = new float[4 * group];
            int[] taps = new int[8];

            int wide = 4 * lanes + 3;
            float[] patches = filled(4 * (2 * wide + 2));
            float[] transformed = new float[16 * wide];
            float[] outputs = new float[4 * wide];

            Map<String, Runnable> k = new LinkedHashMap<>();
            k.put("gemmTile", () -> ks.gemmTile(kc, a, 0, b, 0, nr, c, 0, nr));
            k.put("gemmTileRows", () -> ks.gemmTileRows(kc, a, 0, b, rowOff, 0, 0, c, 0, nr));
            k.put("dotTile4x3", () -> ks.dotTile4x3(0, 3, 2 * lanes, rows, rowStart, 0, run, rows, rowStart, 3, run,
                    acc));
            k.put("dotTile4x6", () -> ks.dotTile4x6(0, 3, 2 * lanes, rows, rowStart, 0, run, rows, rowStart, 1, run,
                    acc));
            k.put("dot", () -> sink[0] += ks.dot(n, x, 0, y, 0));
            k.put("sum", () -> sink[0] += ks.sum(n, x, 0));
            k.put("axpy", () -> ks.axpy(n, 1e-3f, x, 0, dx, 0));
            k.put("scaleShift", () -> ks.scaleShift(n, 0.5f, 0.25f, x, 0, dx, 0));
            k.put("normStats", () -> ks.normStats(n, x, 0, 0.125, sums));
            k.put("normBackwardSums", () -> {
                ks.normBackwardSums(n, y, x, 0, 0.5f, true, 2f, -0.25f, sums);
                ks.normBackwardSums(n, y, x, 0, 0.5f, false, 1f, 0f, sums);
            });
            k.put("normBackwardDx", () -> {
                ks.normBackwardDx(n, y, x, 0, 0.5f, true, 2f, -0.25f, 1.5, 0.75, 0.125, -0.5, dx, false);
                ks.normBackwardDx(n, y, x, 0, 0.5f, false, 1f, 0f, 1.5, 0.75, 0.125, -0.5, dx, true);
            });
            k.put("maxPool2x2", () -> ks.maxPool2x2(plane, 0, 4 * group, 2, 2 * group - 1, pooled, 0));
            k.put("winogradInputTiles", () -> ks.winogradInputTiles(patches, 0, 2 * wide + 2, wide, transformed, 0,
                    wide));
            k.put("winogradOutputTiles", () -> {
                ks.winogradOutputTiles(transformed, 0, wide, wide, outputs, 0, 2 * wide, true);
                ks.winogradOutputTiles(transformed, 0, wide, wide, outputs, 0, 2 * wide, false);
            });
            k.put("maxPool2x2Taps", () -> ks.maxPool2x2Taps(plane, 0, 4 * group, 2, 2 * group, pooled, 0, taps, 0));
            return k;
        }

        private static float[] filled(int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (i % 11) * 0.125f - 0.625f;
            }
            return v;
        }
    }
}
