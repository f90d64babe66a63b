package org.fcn4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvTranspose2d;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j explain conv}: prints the matrix of a one-channel Conv2d with symbolic weights
 * (w11 ... wkk and 0), or its transpose with --transpose, then checks with random weights that
 * ConvTranspose2d with the same weight computes that transpose.
 */
@Command(name = "conv", mixinStandardHelpOptions = true, description = {
    "Print the matrix M of a one-channel Conv2d without bias (y = M x, input and output read row by row).",
    "The weights are printed as symbols w11 ... wkk; a check with random weights then shows that "
            + "ConvTranspose2d with the same kernel computes M^T. --transpose prints M^T, the map of the "
            + "transposed convolution."})
final class ExplainConvCommand implements Callable<Integer> {
    private static final int MAX_PIXELS = 256;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--input", paramLabel = "HxW", defaultValue = "4x4",
            description = "Input size of the Conv2d, HxW or one number for a square (default: ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "3", description = "Kernel size (default: ${DEFAULT-VALUE}).")
    int kernel;

    @Option(names = "--padding", paramLabel = "P", defaultValue = "0",
            description = "Zero padding on each side (default: ${DEFAULT-VALUE}).")
    int padding;

    @Option(names = "--stride", paramLabel = "S", defaultValue = "1", description = "Stride (default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--dilation", paramLabel = "D", defaultValue = "1",
            description = "Dilation (default: ${DEFAULT-VALUE}).")
    int dilation;

    @Option(names = "--transpose", description = "Print M^T, the matrix of ConvTranspose2d (output to input size).")
    boolean transpose;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "Seed of the random weights of the numerical check (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        int[] hw = parseSize(input);
        if (hw[0] * hw[1] > MAX_PIXELS) {
            throw new IllegalArgumentException("--input " + input + " has " + hw[0] * hw[1] + " pixels; the printed "
                    + "matrix is limited to " + MAX_PIXELS + " (e.g. 16x16)");
        }
        Conv2d.Options options = Conv2d.options().stride(stride).padding(padding).dilation(dilation).bias(false);
        Conv2d conv = new Conv2d(1, 1, kernel, options, new Generator(seed));
        int[] out = conv.outputSize(hw[0], hw[1]);
        int outPixels = out[0] * out[1];
        int inPixels = hw[0] * hw[1];

        // Step 1: the matrix with symbolic entries. Weight (kr, ks) contains the code kr * K + ks + 1, so
        // each entry of the zero-padded, one-channel matrix is 0 or exactly one code.
        float[] random = conv.weight().data().clone();
        float[] codes = conv.weight().data();
        for (int i = 0; i < codes.length; i++) {
            codes[i] = i + 1;
        }
        Tensor m = conv.matrix(hw[0], hw[1]); // (outPixels, inPixels)
        String[][] labels = transpose ? labels(m.transpose()) : labels(m);
        System.arraycopy(random, 0, codes, 0, random.length);

        PrintWriter pw = spec.commandLine().getOut();
        String layer = String.format("Conv2d(1, 1, kernel_size=%d, stride=%d, padding=%d, dilation=%d, bias=False)",
                kernel, stride, padding, dilation);
        int[] natural = transposedSize(out);
        int[] outputPadding = {hw[0] - natural[0], hw[1] - natural[1]};
        if (transpose) {
            pw.printf("M^T of %s: ConvTranspose2d with the same kernel%s maps a %d x %d image (y1..y%d, row by row) "
                    + "to a %d x %d one (x1..x%d); M^T is %d x %d.%n%n", layer, outputPaddingNote(outputPadding),
                    out[0], out[1], outPixels, hw[0], hw[1], inPixels, inPixels, outPixels);
        } else {
            pw.printf("M of %s: it maps a %d x %d input (x1..x%d, row by row) to a %d x %d output (y1..y%d); "
                    + "M is %d x %d.%n%n", layer, hw[0], hw[1], inPixels, out[0], out[1], outPixels, outPixels,
                    inPixels);
        }
        printAligned(pw, labels);

        // Step 2: ConvTranspose2d with the random weights, applied to each basis image, against M^T.
        double maxDiff = maxDifferenceFromTranspose(conv, hw, out, outputPadding);
        pw.printf("%nCheck with random weights (seed %d): ConvTranspose2d(1, 1, kernel_size=%d, stride=%d, "
                + "padding=%d, dilation=%d%s, bias=False)%nwith the same kernel, applied to each of the %d basis images "
                + "of %d x %d, gives the columns of M^T.%nLargest absolute difference from M^T: %.2e%n", seed, kernel,
                stride, padding, dilation, outputPadding[0] == 0 && outputPadding[1] == 0 ? ""
                        : ", output_padding=(" + outputPadding[0] + ", " + outputPadding[1] + ")",
                outPixels, out[0], out[1], maxDiff);
        pw.flush();
        return 0;
    }

    private int[] transposedSize(int[] out) {
        int[] size = new int[2];
        for (int a = 0; a < 2; a++) {
            size[a] = (out[a] - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1;
        }
        return size;
    }

    private static String outputPaddingNote(int[] op) {
        if (op[0] == 0 && op[1] == 0) {
            return "";
        }
        return " (and output_padding (" + op[0] + ", " + op[1] + "), since a strided Conv2d maps several input sizes "
                + "to the same output size)";
    }

    // Runs ConvTranspose2d on every basis image of the Conv2d's output size and compares with M^T.
    private double maxDifferenceFromTranspose(Conv2d conv, int[] hw, int[] out, int[] outputPadding) {
        Tensor m = conv.matrix(hw[0], hw[1]); // (outPixels, inPixels)
        ConvTranspose2d convT = new ConvTranspose2d(1, 1, kernel, ConvTranspose2d.options().stride(stride)
                .padding(padding).dilation(dilation).outputPadding(outputPadding).bias(false), new Generator(seed + 1));
        System.arraycopy(conv.weight().data(), 0, convT.weight().data(), 0, conv.weight().numel());
        int outPixels = out[0] * out[1];
        int inPixels = hw[0] * hw[1];
        double maxDiff = 0;
        for (int j = 0; j < outPixels; j++) {
            Tensor basis = Tensor.zeros(1, 1, out[0], out[1]);
            basis.data()[j] = 1f;
            float[] column = convT.forward(basis).data(); // (inPixels), column j of M^T
            for (int i = 0; i < inPixels; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(column[i] - m.data()[j * inPixels + i]));
            }
        }
        return maxDiff;
    }

    private String[][] labels(Tensor codes) {
        int rows = codes.size(0);
        int cols = codes.size(1);
        String[][] out = new String[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float v = codes.data()[i * cols + j];
                out[i][j] = v == 0f ? "0" : weightName(Math.round(v) - 1);
            }
        }
        return out;
    }

    private String weightName(int tap) {
        int row = tap / kernel + 1;
        int col = tap % kernel + 1;
        return kernel < 10 ? "w" + row + col : "w" + row + "," + col;
    }

    private static void printAligned(PrintWriter pw, String[][] labels) {
        int width = 1;
        for (String[] row : labels) {
            for (String s : row) {
                width = Math.max(width, s.length());
            }
        }
        for (String[] row : labels) {
            StringBuilder sb = new StringBuilder();
            for (String s : row) {
                sb.append(s).append(" ".repeat(width + 1 - s.length()));
            }
            pw.println(sb.toString().stripTrailing());
        }
    }

    private static int[] parseSize(String text) {
        String[] parts = text.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (parts.length == 1) {
                int n = Integer.parseInt(parts[0].trim());
                return checkPositive(text, new int[] {n, n});
            }
            if (parts.length == 2) {
                return checkPositive(text, new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())});
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("invalid --input '" + text + "': expected HxW, e.g. 4x4, or one number");
    }

    private static int[] checkPositive(String text, int[] hw) {
        if (hw[0] < 1 || hw[1] < 1) {
            throw new IllegalArgumentException("invalid --input '" + text + "': sizes must be positive");
        }
        return hw;
    }
}
