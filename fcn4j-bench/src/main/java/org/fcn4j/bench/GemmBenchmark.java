package org.fcn4j.bench;

import java.util.concurrent.TimeUnit;

import org.fcn4j.kernel.Gemm;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.tensor.Generator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of one square single-precision product C = A B of size M = N = K, on the compute pool
 * with the given thread count. GFLOP/s = 2 size^3 / time. Run with
 * {@code java -jar fcn4j-bench/target/benchmarks.jar GemmBenchmark}; the fork adds the Vector
 * API module itself.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class GemmBenchmark {
    @Param({"256", "1024"})
    int size;

    @Param({"1", "2"})
    int threads;

    float[] a; // (size, size)
    float[] b; // (size, size)
    float[] c; // (size, size)

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        Generator rng = new Generator(1);
        a = random(rng, size * size);
        b = random(rng, size * size);
        c = new float[size * size];
    }

    private static float[] random(Generator rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextFloat() * 2f - 1f;
        }
        return x;
    }

    @Benchmark
    public float[] sgemm() {
        Gemm.sgemm(false, false, size, size, size, a, 0, size, b, 0, size, c, 0, size, false);
        return c;
    }
}
