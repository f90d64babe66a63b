package org.fcn4j.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Callable;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvTranspose2d;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j bench conv}: times Conv2d (or ConvTranspose2d) forward and forward plus backward,
 * on the shapes of PyTorch's reference script (torch_micro_bench.py, kind conv3x3 and convT), and
 * prints one line per pass with the median, minimum and GFLOP/s. It also prints the process CPU time
 * per run. On a shared machine the wall time grows with the other processes' load and the CPU time
 * much less, so one-thread CPU times (tools/bench/torch_conv_cpu.py measures PyTorch's) still show
 * which implementation does less work. With more threads PyTorch's OpenMP workers spin while they
 * wait, and that spinning counts as CPU time too.
 */
@Command(name = "conv", mixinStandardHelpOptions = true, description = {
    "Time Conv2d forward and forward+backward (input and weight gradients) on one input shape.",
    "GFLOP/s counts 2 multiply-adds per weight tap and output value, times 3 for forward+backward."})
final class BenchConvCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Batch size N (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--in", paramLabel = "C", defaultValue = "64", description = "Input channels (default: ${DEFAULT-VALUE}).")
    int in;

    @Option(names = "--out", paramLabel = "F", defaultValue = "64", description = "Output channels (default: ${DEFAULT-VALUE}).")
    int out;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "64", description = "Input height and width (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "3", description = "Kernel size (default: ${DEFAULT-VALUE}).")
    int kernel;

    @Option(names = "--stride", paramLabel = "S", defaultValue = "1", description = "Stride (default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--padding", paramLabel = "P", defaultValue = "1", description = "Zero padding (default: ${DEFAULT-VALUE}).")
    int padding;

    @Option(names = "--transpose", description = "Time ConvTranspose2d (with a bias) instead of Conv2d (without).")
    boolean transpose;

    @Option(names = "--warmup", paramLabel = "COUNT", defaultValue = "5", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", paramLabel = "COUNT", defaultValue = "10", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int iters;

    @Override
    public Integer call() {
        if (warmup < 0 || iters < 1) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --iters >= 1, got " + warmup + " and " + iters);
        }
        Generator rng = new Generator(0);
        Tensor x = Tensor.randn(rng, batch, in, size, size).requiresGrad(true);
        java.util.function.Function<Tensor, Tensor> layer;
        long macs;
        String name;
        if (transpose) {
            ConvTranspose2d convT = new ConvTranspose2d(in, out, kernel, ConvTranspose2d.options().stride(stride)
                    .padding(padding), rng);
            layer = convT::forward;
            macs = (long) batch * in * size * size * out * kernel * kernel;
            name = convT.toString();
        } else {
            Conv2d conv = new Conv2d(in, out, kernel, Conv2d.options().stride(stride).padding(padding).bias(false), rng);
            layer = conv::forward;
            int[] o = conv.outputSize(size, size);
            macs = (long) batch * out * o[0] * o[1] * in * kernel * kernel;
            name = conv.toString();
        }
        Tensor probe;
        try (var _ = GradMode.noGrad()) {
            probe = layer.apply(x);
        }
        Tensor seed = Tensor.randn(rng, probe.shape());

        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("%s, input (%d, %d, %d, %d), %d threads%n", name, batch, in, size, size, Parallel.threads());
        Timing fwd = time(() -> {
            try (var _ = GradMode.noGrad()) {
                layer.apply(x);
            }
        });
        report(pw, "forward", fwd, 2.0 * macs);
        Timing both = time(() -> {
            x.dropGrad();
            layer.apply(x).backward(seed);
        });
        report(pw, "forward+backward", both, 6.0 * macs);
        pw.flush();
        return 0;
    }

    /** Wall times of the timed runs, sorted, and the process CPU time per run. */
    private record Timing(double[] sortedMs, double cpuMsPerRun) {
    }

    private Timing time(Runnable body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] ms = new double[iters];
        long cpu0 = os.getProcessCpuTime();
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6 / iters;
        Arrays.sort(ms);
        return new Timing(ms, cpuMs);
    }

    private static void report(PrintWriter pw, String pass, Timing t, double flop) {
        double[] sorted = t.sortedMs();
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        pw.printf("%-17s median %8.2f ms  min %8.2f ms  %7.1f GFLOP/s  cpu %8.2f ms/run%n", pass, median, sorted[0],
                flop / (median / 1e3) / 1e9, t.cpuMsPerRun());
    }
}
