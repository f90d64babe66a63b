package org.fcn4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntBinaryOperator;
import java.util.function.IntFunction;

import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.GroupNorm;
import org.fcn4j.nn.InstanceNorm2d;
import org.fcn4j.nn.LayerNorm;
import org.fcn4j.nn.Module;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j explain norms}: normalises one small (N, C, H, W) tensor with BatchNorm2d,
 * InstanceNorm2d, LayerNorm and GroupNorm, and prints for each the axes of its statistics, every
 * mean and variance, and the output. The statistics are recomputed here in double from their
 * definition, and the largest difference between the layer's output and
 * (x - mean) / sqrt(var + eps) is printed as a check.
 */
@Command(name = "norms", mixinStandardHelpOptions = true,
        description = "Normalise one small tensor with BatchNorm2d, InstanceNorm2d, LayerNorm and GroupNorm "
                + "and print the statistics each one used.")
final class ExplainNormsCommand implements Callable<Integer> {
    private static final double EPS = 1e-5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "3",
            description = "Seed of the input's integer values (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--groups", paramLabel = "G", defaultValue = "2",
            description = "Number of groups of GroupNorm; must divide the 4 channels (default: ${DEFAULT-VALUE}).")
    int groups;

    /** One layer to explain: its module and the statistic group of every (n, c) plane. */
    private record Norm(String title, Module module, String axes, String perWhat, int count, IntBinaryOperator groupOf,
            IntFunction<String> label) {
    }

    @Override
    public Integer call() {
        int n = 2;
        int c = 4;
        int h = 2;
        int w = 2;
        if (groups < 1 || c % groups != 0) {
            throw new IllegalArgumentException("--groups must divide the " + c + " channels (1, 2 or 4), got " + groups);
        }
        int perGroup = c / groups;
        Tensor x = input(n, c, h, w);
        PrintWriter out = spec.commandLine().getOut();

        out.printf("Input x of shape (N, C, H, W) = (%d, %d, %d, %d), integers drawn with seed %d.%n", n, c, h, w, seed);
        out.printf("Every layer computes y = (x - mean) / sqrt(var + eps) * gamma + beta with the biased variance,%n"
                + "eps = 1e-5, and gamma = 1, beta = 0 as initialised. They differ in the axes of mean and var.%n%n");
        printPlanes(out, x, "%3.0f");
        out.println();

        Norm[] norms = {
            new Norm("BatchNorm2d(" + c + "), training mode", new BatchNorm2d(c), "(N, H, W)",
                    "channel c", c, (i, ch) -> ch, g -> "c=" + g),
            new Norm("InstanceNorm2d(" + c + ")", new InstanceNorm2d(c), "(H, W)", "image n and channel c",
                    n * c, (i, ch) -> i * c + ch, g -> "n=" + g / c + " c=" + g % c),
            new Norm("LayerNorm([" + c + ", " + h + ", " + w + "])", new LayerNorm(c, h, w), "(C, H, W)",
                    "image n", n, (i, ch) -> i, g -> "n=" + g),
            new Norm("GroupNorm(" + groups + ", " + c + ")", new GroupNorm(groups, c),
                    "(C / G = " + perGroup + (perGroup == 1 ? " channel" : " channels") + ", H, W)", "image n and group g", n * groups,
                    (i, ch) -> i * groups + ch / perGroup, g -> "n=" + g / groups + " g=" + g % groups),
        };
        for (Norm norm : norms) {
            explain(out, norm, x, n, c, h * w);
        }
        out.flush();
        return 0;
    }

    private Tensor input(int n, int c, int h, int w) {
        Generator rng = new Generator(seed);
        float[] v = new float[n * c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextInt(10);
        }
        return Tensor.of(v, n, c, h, w);
    }

    private static void explain(PrintWriter out, Norm norm, Tensor x, int n, int c, int s) {
        // Statistics from their definition, in double.
        double[] sum = new double[norm.count];
        long[] count = new long[norm.count];
        float[] xd = x.data();
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int g = norm.groupOf.applyAsInt(i, ch);
                for (int k = 0; k < s; k++) {
                    sum[g] += xd[(i * c + ch) * s + k];
                }
                count[g] += s;
            }
        }
        double[] mean = new double[norm.count];
        for (int g = 0; g < norm.count; g++) {
            mean[g] = sum[g] / count[g];
        }
        double[] var = new double[norm.count];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int g = norm.groupOf.applyAsInt(i, ch);
                for (int k = 0; k < s; k++) {
                    double d = xd[(i * c + ch) * s + k] - mean[g];
                    var[g] += d * d / count[g];
                }
            }
        }

        Tensor y = norm.module.forward(x);
        double worst = 0;
        float[] yd = y.data();
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int g = norm.groupOf.applyAsInt(i, ch);
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    double expected = (xd[at] - mean[g]) / Math.sqrt(var[g] + EPS);
                    worst = Math.max(worst, Math.abs(yd[at] - expected));
                }
            }
        }

        out.printf("%s%n", norm.title);
        out.printf("  statistics over %s: one mean and variance per %s, %d in all (%d values each)%n", norm.axes,
                norm.perWhat, norm.count, count[0]);
        for (int g = 0; g < norm.count; g++) {
            out.printf("  %-10s mean %7.4f   var %7.4f%n", norm.label.apply(g), mean[g], var[g]);
        }
        out.printf("  output y:%n");
        printPlanes(out, y, "%7.4f");
        out.printf("  check: max |y - (x - mean) / sqrt(var + eps)| = %.2e%n", worst);
        if (norm.module instanceof BatchNorm2d bn) {
            printRunning(out, bn, count[0]);
        }
        out.println();
    }

    /** Prints BatchNorm's running statistics after its one training step, and how they were formed. */
    private static void printRunning(PrintWriter out, BatchNorm2d bn, long count) {
        out.printf("  running statistics after this training step (momentum 0.1, from 0 and 1):%n");
        out.printf("    running_mean = 0.9 * 0 + 0.1 * mean%n");
        out.printf("    running_var  = 0.9 * 1 + 0.1 * var * %d / %d   (the unbiased variance)%n", count, count - 1);
        float[] mean = bn.runningMean().data();
        float[] var = bn.runningVar().data();
        for (int c = 0; c < mean.length; c++) {
            out.printf("    c=%d  running_mean %7.4f   running_var %7.4f%n", c, mean[c], var[c]);
        }
        out.printf("  in evaluation mode (eval()), BatchNorm2d normalises with these instead of the batch's.%n");
    }

    /** Prints a (N, C, H, W) tensor as a table: one column of H x W values per channel, H lines per image. */
    private static void printPlanes(PrintWriter out, Tensor t, String format) {
        int n = t.size(0);
        int c = t.size(1);
        int h = t.size(2);
        int w = t.size(3);
        int width = String.format(Locale.ROOT, format, 0f).length();
        int column = w * (width + 1) + 2;
        StringBuilder header = new StringBuilder("       ");
        for (int ch = 0; ch < c; ch++) {
            header.append(String.format(Locale.ROOT, "%-" + column + "s", "c=" + ch));
        }
        out.println(header.toString().stripTrailing());
        float[] d = t.data();
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < h; r++) {
                StringBuilder line = new StringBuilder(r == 0 ? String.format(Locale.ROOT, "  n=%d  ", i) : "       ");
                for (int ch = 0; ch < c; ch++) {
                    int base = ((i * c + ch) * h + r) * w;
                    for (int k = 0; k < w; k++) {
                        line.append(String.format(Locale.ROOT, format, d[base + k])).append(' ');
                    }
                    line.append("  ");
                }
                out.println(line.toString().stripTrailing());
            }
        }
    }
}
