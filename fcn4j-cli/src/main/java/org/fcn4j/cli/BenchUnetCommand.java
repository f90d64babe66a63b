package org.fcn4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.fcn4j.autograd.GradMode;
import org.fcn4j.io.Json;
import org.fcn4j.kernel.Gemm;
import org.fcn4j.kernel.Parallel;
import org.fcn4j.loss.CrossEntropyLoss;
import org.fcn4j.model.ModelConfig;
import org.fcn4j.model.UNet;
import org.fcn4j.optim.SGD;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j bench unet}: the unet-bench workload, the reference U-Net that fcn4j is compared with
 * PyTorch on (encoder widths base * 2^i for 4 levels, bottleneck 16 base, Conv2d 3x3 without bias,
 * BatchNorm2d, ReLU, ConvTranspose2d 2x2/2 with bias, a 1x1 head; softmax cross-entropy; SGD with lr
 * 0.01 and momentum 0.9). It is timed as the PyTorch reference script times it (training step:
 * median of the timed steps after the warm-up ones), with one JSON object per stdout line of the
 * same kinds: model, train, infer, and startup (time from the JVM's start to the end of the first
 * training step and to the model and data being ready, the process's CPU time at the end of the first
 * step, and the peak resident set).
 */
@Command(name = "unet", mixinStandardHelpOptions = true, description = {
    "Time training steps and inference of the reference U-Net (unet-bench).",
    "Prints JSON lines shaped like the PyTorch reference script's: kind model, train, infer and startup."})
final class BenchUnetCommand implements Callable<Integer> {
    /** The workload sizes: batch N, input channels, H = W, base width, classes. */
    enum Size {
        small(8, 1, 64, 16, 11),
        standard(8, 3, 128, 32, 13);

        final int n;
        final int inChannels;
        final int hw;
        final int base;
        final int classes;

        Size(int n, int inChannels, int hw, int base, int classes) {
            this.n = n;
            this.inChannels = inChannels;
            this.hw = hw;
            this.base = base;
            this.classes = classes;
        }
    }

    /** Encoder levels; the bottleneck is at H / 2^LEVELS with base * 2^LEVELS channels. */
    static final int LEVELS = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--size", defaultValue = "small",
            description = "Workload: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Size size;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps and batches first (default: "
            + "${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", defaultValue = "10", description = "Timed steps and batches; the median is reported "
            + "(default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights, input and labels (default: "
            + "${DEFAULT-VALUE}).")
    long seed;

    /** The configuration of the unet-bench network for a size, as a {@link UNet} configuration. */
    static ModelConfig config(Size s) {
        return ModelConfig.unetFromBase(s.inChannels, s.classes, s.base, LEVELS);
    }

    @Override
    public Integer call() {
        if (warmup < 0 || iters < 1) {
            throw new IllegalArgumentException("--warmup must be at least 0 and --iters at least 1, got " + warmup
                    + " and " + iters);
        }
        PrintWriter out = spec.commandLine().getOut();
        Size s = size;
        Generator rng = new Generator(seed);
        UNet model = new UNet(config(s), rng);
        double fwdFlops = forwardFlopsPerImage(s);
        emit(out, "kind", "model", "size", s.name(), "N", s.n, "C_in", s.inChannels, "H", s.hw, "W", s.hw,
                "base", s.base, "classes", s.classes, "params", model.parameterCount(),
                "fwd_gflops_per_image", round(fwdFlops / 1e9, 4), "fwd_gflops_per_batch", round(s.n * fwdFlops / 1e9, 4),
                "kernel", Gemm.implementation());

        Tensor x = Tensor.randn(rng, s.n, s.inChannels, s.hw, s.hw);
        int[] labels = new int[s.n * s.hw * s.hw];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rng.nextInt(s.classes);
        }
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        SGD opt = new SGD(model.parameters(), SGD.Options.of(0.01).withMomentum(0.9));
        double readyMs = System.currentTimeMillis() - jvmStartMillis();

        // Training steps: zero the gradients, forward, loss, backward, update.
        model.train();
        double[] trainMs = new double[iters];
        double[] warmupMs = new double[warmup];
        double firstStepMs = Double.NaN;
        double firstStepCpuMs = Double.NaN;
        float loss = Float.NaN;
        for (int i = 0; i < warmup + iters; i++) {
            long t0 = System.nanoTime();
            opt.zeroGrad();
            Tensor l = lossFn.forward(model.forward(x), labels, s.n, s.hw, s.hw);
            l.backward();
            opt.step();
            long t1 = System.nanoTime();
            if (i == 0) {
                firstStepMs = System.currentTimeMillis() - jvmStartMillis();
                firstStepCpuMs = processCpuMs();
            }
            if (i >= warmup) {
                trainMs[i - warmup] = (t1 - t0) / 1e6;
            } else {
                warmupMs[i] = (t1 - t0) / 1e6;
            }
            loss = l.item();
        }
        double trainMedian = median(trainMs);
        emit(out, "kind", "train", "size", s.name(), "threads", Parallel.threads(), "train_step_ms", round(trainMedian, 3),
                "min_ms", round(min(trainMs), 3), "max_ms", round(max(trainMs), 3), "samples_ms", rounded(trainMs),
                "warmup_ms", rounded(warmupMs), "warmup", warmup, "iters", iters, "final_loss", round(loss, 5),
                "approx_train_gflop_per_s", round(3 * s.n * fwdFlops / (trainMedian / 1e3) / 1e9, 2));

        // A full collection between the phases. Until the next one, the old generation still
        // contains garbage of the training steps, up to about 50 MB on standard. When the inference's
        // first buffers came on top of it, the heap grew, and such runs peaked at 725 to 739 MB
        // against 675 to 687 MB. With the collection, standard runs peak at 661 to 666 MB.
        System.gc();

        // Inference: evaluation mode, no gradient recording.
        model.eval();
        double[] inferMs = new double[iters];
        try (var _ = GradMode.noGrad()) {
            for (int i = 0; i < warmup + iters; i++) {
                long t0 = System.nanoTime();
                Tensor y = model.forward(x);
                long t1 = System.nanoTime();
                if (y.size(1) != s.classes) {
                    throw new IllegalStateException("unet-bench output has " + y.size(1) + " channels, expected "
                            + s.classes);
                }
                if (i >= warmup) {
                    inferMs[i - warmup] = (t1 - t0) / 1e6;
                }
            }
        }
        double inferMedian = median(inferMs);
        emit(out, "kind", "infer", "size", s.name(), "threads", Parallel.threads(),
                "infer_img_per_s", round(s.n / (inferMedian / 1e3), 2), "batch_ms_median", round(inferMedian, 3),
                "min_ms", round(min(inferMs), 3), "max_ms", round(max(inferMs), 3), "samples_ms", rounded(inferMs),
                "warmup", warmup, "iters", iters, "fwd_gflop_per_s", round(s.n * fwdFlops / (inferMedian / 1e3) / 1e9, 2));

        emit(out, "kind", "startup", "size", s.name(), "first_step_ms", round(firstStepMs, 1),
                "first_step_cpu_ms", round(firstStepCpuMs, 1), "ready_ms", round(readyMs, 1),
                "since", "jvm start", "peak_rss_mb", round(peakRssMb(), 1),
                "jvm", Runtime.version().toString());
        out.flush();
        return 0;
    }

    /**
     * 2 x multiply-adds of every Conv2d and ConvTranspose2d for one image, as the PyTorch script
     * counts them (bias, BatchNorm, ReLU, pooling and concatenation are not counted).
     */
    static double forwardFlopsPerImage(Size s) {
        long macs = 0;
        int prev = s.inChannels;
        long px = s.hw;
        int[] ch = new int[LEVELS];
        for (int i = 0; i < LEVELS; i++) {
            ch[i] = s.base << i;
            if (i > 0) {
                px /= 2;
            }
            macs += 9L * prev * ch[i] * px * px + 9L * ch[i] * ch[i] * px * px;
            prev = ch[i];
        }
        px /= 2;
        int cb = s.base << LEVELS;
        macs += 9L * ch[LEVELS - 1] * cb * px * px + 9L * cb * cb * px * px;
        int above = cb;
        for (int i = LEVELS - 1; i >= 0; i--) {
            macs += 4L * above * ch[i] * px * px;
            px *= 2;
            macs += 9L * 2 * ch[i] * ch[i] * px * px + 9L * ch[i] * ch[i] * px * px;
            above = ch[i];
        }
        macs += (long) ch[0] * s.classes * px * px;
        return 2.0 * macs;
    }

    // first_step_ms counts from the JVM's start time, so the ./fcn4j launcher's own shell
    // work before it (the check that the jar is up to date) is not counted.
    private static long jvmStartMillis() {
        return ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    // CPU time of the whole process so far (every thread: compute, JIT compiler, GC), which a busy
    // machine distorts less than the wall clock; NaN where the JVM does not report it.
    private static double processCpuMs() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long ns = os.getProcessCpuTime();
            return ns < 0 ? Double.NaN : ns / 1e6;
        }
        return Double.NaN;
    }

    /** VmHWM of /proc/self/status in MB (10^6 bytes), or NaN off Linux. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024 / 1e6;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    private static void emit(PrintWriter out, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        out.println(Json.write(m));
        out.flush();
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static double round(double value, int digits) {
        if (!Double.isFinite(value)) {
            return value;
        }
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static List<Double> rounded(double[] values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            out.add(round(v, 3));
        }
        return out;
    }
}
