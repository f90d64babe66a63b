package org.fcn4j.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.fcn4j.kernel.Gemm;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Generator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j bench gemm}: times {@link Gemm#sgemm} on random M x K and K x N matrices. Progress
 * goes to stderr; the last line on stdout is one JSON object with the median time.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = {"Time the single-precision matrix product C = A B (A is M x K, B is K x N).",
            "Runs untimed warm-up products first, then prints the median of the timed ones as JSON."})
final class BenchGemmCommand implements Callable<Integer> {
    @Option(names = "--m", paramLabel = "M", defaultValue = "1024",
            description = "Rows of A and C (default: ${DEFAULT-VALUE}).")
    int m;

    @Option(names = "--n", paramLabel = "N", defaultValue = "1024",
            description = "Columns of B and C (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--k", paramLabel = "K", defaultValue = "1024",
            description = "Columns of A and rows of B (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--trans-a", description = "Store A transposed (K x M), as convolution backward passes do.")
    boolean transA;

    @Option(names = "--trans-b", description = "Store B transposed (N x K), as convolution backward passes do.")
    boolean transB;

    @Option(names = "--warmup", paramLabel = "COUNT", defaultValue = "5",
            description = "Minimum number of untimed products run first, so the JIT compiles the kernel "
                    + "(default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-seconds", paramLabel = "SECONDS", defaultValue = "1",
            description = "Minimum duration of the warm-up, in seconds: on a busy machine the JIT compilers "
                    + "need longer than a few products (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--repeat", paramLabel = "COUNT", defaultValue = "10",
            description = "Timed products; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--cpu-time",
            description = "Time with the calling thread's CPU time instead of the wall clock. Only with --threads 1; "
                    + "on a busy machine it leaves out the time the thread waited for a core.")
    boolean cpuTime;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of the random matrices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException("--m, --n and --k must be at least 1, got " + m + ", " + n + ", " + k);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be at least 0, got " + warmup);
        }
        if (!(warmupSeconds >= 0)) {
            throw new IllegalArgumentException("--warmup-seconds must be at least 0, got " + warmupSeconds);
        }
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        }
        int threads = Parallel.threads();
        if (cpuTime && threads != 1) {
            throw new IllegalArgumentException("--cpu-time measures the calling thread only; use it with --threads 1,"
                    + " got " + threads + " threads");
        }
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        Generator rng = new Generator(seed);
        float[] a = random(rng, (long) m * k);
        float[] b = random(rng, (long) k * n);
        float[] c = new float[checkedSize((long) m * n)];
        System.err.printf(Locale.ROOT, "gemm %d x %d x %d%s%s, %d thread(s), kernel: %s%n", m, n, k,
                transA ? ", A transposed" : "", transB ? ", B transposed" : "", threads, Gemm.implementation());

        // Warm-up: the first products run in the interpreter and C1 until C2 compiles the kernel.
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmupRuns = 0;
        while (warmupRuns < warmup || System.nanoTime() < warmupEnd) {
            product(a, b, c);
            warmupRuns++;
        }

        // Timed repetitions.
        double[] ms = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            long t0 = cpuTime ? clock.getCurrentThreadCpuTime() : System.nanoTime();
            product(a, b, c);
            long t1 = cpuTime ? clock.getCurrentThreadCpuTime() : System.nanoTime();
            ms[i] = (t1 - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = repeat % 2 == 1 ? sorted[repeat / 2] : (sorted[repeat / 2 - 1] + sorted[repeat / 2]) / 2;
        double gflops = 2.0 * m * n * k / (median * 1e6);
        double best = 2.0 * m * n * k / (sorted[0] * 1e6);
        System.err.printf(Locale.ROOT, "times (ms): %s%n", Arrays.toString(Arrays.stream(ms)
                .map(t -> Math.round(t * 1000) / 1000.0).toArray()));
        System.out.printf(Locale.ROOT,
                "{\"bench\": \"gemm\", \"m\": %d, \"n\": %d, \"k\": %d, \"trans_a\": %b, \"trans_b\": %b, "
                        + "\"clock\": \"%s\", \"threads\": %d, \"ms\": %.6f, \"gflops\": %.2f, "
                        + "\"best_gflops\": %.2f, \"repeat\": %d, \"warmup\": %d, \"kernel\": \"%s\", "
                        + "\"vector_bits\": %d}%n",
                m, n, k, transA, transB, cpuTime ? "cpu" : "wall", threads, median, gflops, best, repeat,
                warmupRuns, Gemm.implementation(), Gemm.vectorBitSize());
        return 0;
    }

    private void product(float[] a, float[] b, float[] c) {
        Gemm.sgemm(transA, transB, m, n, k, a, 0, transA ? m : k, b, 0, transB ? k : n, c, 0, n, false);
    }

    private static float[] random(Generator rng, long size) {
        float[] x = new float[checkedSize(size)];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat() * 2f - 1f;
        }
        return x;
    }

    private static int checkedSize(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a matrix of " + size + " elements is larger than a Java array");
        }
        return (int) size;
    }
}
