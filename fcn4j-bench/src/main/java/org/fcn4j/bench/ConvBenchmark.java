package org.fcn4j.bench;

import java.util.concurrent.TimeUnit;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvTranspose2d;
import org.fcn4j.nn.Module;
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
 * Conv2d 3x3 (padding 1, no bias) and ConvTranspose2d 2x2 stride 2 (with bias), the U-Net's two
 * convolutions, on the shapes of the PyTorch micro-benchmark they are compared with: the
 * forward pass alone (no gradient recording) and forward plus backward (input, weight and bias
 * gradients). GFLOP/s = 2 x multiply-adds / time for the forward pass, 3 times that for forward
 * plus backward. Run with {@code java -jar fcn4j-bench/target/benchmarks.jar ConvBenchmark}.
 *
 * <p>Shapes, "N C_in H W C_out": the four encoder levels of the standard unet-bench U-Net, and its
 * second decoder upsampling; "t" marks the transposed convolution, whose H W is its input's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class ConvBenchmark {
    @Param({"8 32 128 128 32", "8 64 64 64 64", "8 128 32 32 128", "8 256 16 16 256", "t 8 64 32 32 32"})
    String shape;

    @Param({"2"})
    int threads;

    Module layer;
    Tensor x;     // (N, C_in, H, W), requires a gradient
    Tensor seed;  // dLoss/dOutput, the output's shape

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        Generator rng = new Generator(0);
        String[] p = shape.trim().split("\\s+");
        boolean transpose = p[0].equals("t");
        int o = transpose ? 1 : 0;
        int n = Integer.parseInt(p[o]);
        int cin = Integer.parseInt(p[o + 1]);
        int h = Integer.parseInt(p[o + 2]);
        int w = Integer.parseInt(p[o + 3]);
        int cout = Integer.parseInt(p[o + 4]);
        layer = transpose
                ? new ConvTranspose2d(cin, cout, 2, ConvTranspose2d.options().stride(2), rng)
                : new Conv2d(cin, cout, 3, Conv2d.options().padding(1).bias(false), rng);
        x = Tensor.randn(rng, n, cin, h, w).requiresGrad(true);
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            y = layer.forward(x);
        }
        seed = Tensor.randn(rng, y.shape());
    }

    @Benchmark
    public Tensor forward() {
        try (var scope = GradMode.noGrad()) {
            return layer.forward(x);
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        layer.zeroGrad();
        x.zeroGrad();
        Tensor y = layer.forward(x);
        y.backward(seed);
        return x;
    }
}
