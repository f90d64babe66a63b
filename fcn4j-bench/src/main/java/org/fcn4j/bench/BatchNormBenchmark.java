package org.fcn4j.bench;

import java.util.concurrent.TimeUnit;

import org.fcn4j.kernel.Parallel;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.ReLU;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;
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
 * BatchNorm2d(64) in training mode on an (8, 64, 64, 64) input, the shape of PyTorch's
 * micro-benchmark: forward, forward plus backward (input, weight and bias
 * gradients), and the same with the following ReLU, as two layers and fused
 * ({@link BatchNorm2d#forwardReLU}, as the U-Net's double convolution runs it). Memory-bound: 16 MB
 * in, 16 MB out. Run with {@code java -jar fcn4j-bench/target/benchmarks.jar BatchNormBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class BatchNormBenchmark {
    @Param({"2"})
    int threads;

    BatchNorm2d bn;
    final ReLU relu = new ReLU();
    Tensor x;     // (8, 64, 64, 64), requires a gradient
    Tensor seed;  // dLoss/dOutput, same shape

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        Generator rng = new Generator(0);
        bn = new BatchNorm2d(64);
        bn.train();
        x = Tensor.randn(rng, 8, 64, 64, 64).requiresGrad(true);
        seed = Tensor.randn(rng, 8, 64, 64, 64);
    }

    @Benchmark
    public Tensor forward() {
        return bn.forward(x);
    }

    @Benchmark
    public Tensor forwardBackward() {
        bn.zeroGrad();
        x.zeroGrad();
        bn.forward(x).backward(seed);
        return x;
    }

    @Benchmark
    public Tensor forwardBackwardThenReLU() {
        bn.zeroGrad();
        x.zeroGrad();
        relu.forward(bn.forward(x)).backward(seed);
        return x;
    }

    @Benchmark
    public Tensor forwardBackwardFusedReLU() {
        bn.zeroGrad();
        x.zeroGrad();
        bn.forwardReLU(x).backward(seed);
        return x;
    }
}
