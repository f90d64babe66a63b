package org.fcn4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The start-up choice between the Vector API and the scalar twin, seen from a fresh JVM: the
 * choice is made once per JVM, so each case starts its own.
 */
class KernelProviderTest {

    /** Entry point of the child JVMs: prints the implementation and one product, 2 x 2 times 2 x 2. */
    public static void main(String[] args) {
        float[] a = {1, 2, 3, 4};
        float[] b = {5, 6, 7, 8};
        float[] c = new float[4];
        // Large enough for the blocked kernel: a 20 x 20 identity times B.
        int n = 20;
        float[] eye = new float[n * n];
        float[] big = new float[n * n];
        for (int i = 0; i < n; i++) {
            eye[i * n + i] = 1f;
            for (int j = 0; j < n; j++) {
                big[i * n + j] = i - j;
            }
        }
        float[] out = new float[n * n];
        Gemm.sgemm(false, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, false);
        Gemm.sgemm(false, false, n, n, n, eye, 0, n, big, 0, n, out, 0, n, false);
        System.out.println("implementation=" + Gemm.implementation());
        System.out.println("small=" + java.util.Arrays.toString(c));
        System.out.println("identity=" + java.util.Arrays.equals(out, big));
    }

    /** Entry point of a child JVM: prints the bits of {@link #products} with the Vector API kernel. */
    static final class VectorProducts {
        public static void main(String[] args) {
            System.out.println("products=" + products(KernelProvider.loadVector()));
        }
    }

    /**
     * Returns a hash of the bits of two seeded products, one that packs B and one that reads it in
     * place, so that runs in different JVMs can be compared bit for bit.
     */
    static int products(KernelSupport ks) {
        int[][] shapes = {{37, 45, 29}, {13, 50, 20}};
        int hash = 1;
        for (int[] s : shapes) {
            org.fcn4j.tensor.Generator rng = new org.fcn4j.tensor.Generator(s[0]);
            float[] a = GemmKernelTest.random(rng, s[0] * s[2]);
            float[] b = GemmKernelTest.random(rng, s[2] * s[1]);
            float[] c = new float[s[0] * s[1]];
            BlockedGemm.gemm(ks, false, false, s[0], s[1], s[2], a, 0, s[2], b, 0, s[1], c, 0, s[1], false);
            for (float v : c) {
                hash = 31 * hash + Float.floatToRawIntBits(v);
            }
        }
        return hash;
    }

    private static String[] runChild(String... jvmOptions) throws IOException, InterruptedException {
        return runChild(KernelProviderTest.class, jvmOptions);
    }

    private static String[] runChild(Class<?> mainClass, String... jvmOptions) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String stdout = new String(out, StandardCharsets.UTF_8);
        String stderr = new String(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM failed: " + stdout + stderr);
        return new String[] {stdout, stderr};
    }

    @Test
    void withoutVectorModuleScalarPathRuns() throws Exception {
        String[] out = runChild();
        assertTrue(out[0].contains("implementation=scalar"), out[0]);
        assertTrue(out[0].contains("small=[19.0, 22.0, 43.0, 50.0]"), out[0]);
        assertTrue(out[0].contains("identity=true"), out[0]);
        assertTrue(out[1].contains("fcn4j kernels: scalar"), "the log line names the scalar path: " + out[1]);
        assertTrue(out[1].contains("start the JVM with --add-modules jdk.incubator.vector"),
                "the log line gives the fix: " + out[1]);
        assertEquals(1, count(out[1], "fcn4j kernels:"), "exactly one log line: " + out[1]);
    }

    @Test
    void propertyForcesScalarPath() throws Exception {
        String[] out = runChild("--add-modules", "jdk.incubator.vector", "-Dfcn4j.scalar=true");
        assertTrue(out[0].contains("implementation=scalar"), out[0]);
        assertTrue(out[0].contains("identity=true"), out[0]);
        assertTrue(out[1].contains("the system property fcn4j.scalar is true"), out[1]);
    }

    @Test
    void withoutC2ScalarPathRuns() throws Exception {
        String[] out = runChild("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
        assertTrue(out[0].contains("implementation=scalar"), out[0]);
        assertTrue(out[1].contains("C2 is disabled (-XX:TieredStopAtLevel=1)"), out[1]);
    }

    @Test
    void withoutFmaScalarPathRuns() throws Exception {
        String[] out = runChild("--add-modules", "jdk.incubator.vector", "-XX:-UseFMA");
        assertTrue(out[0].contains("implementation=scalar"), out[0]);
        assertTrue(out[0].contains("identity=true"), out[0]);
        assertTrue(out[1].contains("no fused multiply-add (UseFMA is false)"), out[1]);
    }

    @Test
    void withVectorModuleVectorPathRuns() throws Exception {
        String[] out = runChild("--add-modules", "jdk.incubator.vector");
        assertTrue(out[0].contains("implementation=Vector API"), out[0]);
        assertTrue(out[0].contains("identity=true"), out[0]);
        assertEquals(1, count(out[1], "fcn4j kernels: Vector API"), out[1]);
    }

    @Test
    void interpretedVectorKernelGivesSameBits() throws Exception {
        // FMA and lane-wise addition round the same way in the interpreter and in C2, so a product
        // computed before JIT warm-up must equal one computed after it, bit for bit.
        int compiled = 0;
        for (int i = 0; i < 200; i++) {
            compiled = products(KernelProvider.loadVector());
        }
        String[] out = runChild(VectorProducts.class, "--add-modules", "jdk.incubator.vector", "-Xint");
        assertEquals("products=" + compiled, out[0].strip());
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
