package org.fcn4j.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import javax.imageio.ImageIO;

import org.fcn4j.data.Dataset;
import org.fcn4j.data.Datasets;
import org.fcn4j.data.JointTransform;
import org.fcn4j.data.Sample;
import org.fcn4j.data.TargetKind;
import org.fcn4j.data.Transforms;
import org.fcn4j.io.ColorTable;
import org.fcn4j.tensor.Generator;
import org.fcn4j.tensor.Tensor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fcn4j data show}: draws samples of a dataset as a PNG grid of (input, target) pairs, class
 * maps in class colours with a legend, so a user can look at the data before training on it.
 */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Draw inputs and targets of a built-in dataset as a PNG grid.")
final class DataShowCommand implements Callable<Integer> {
    private static final int PAIRS_PER_ROW = 4;
    private static final int GAP = 6;

    @Parameters(index = "0", paramLabel = "NAME", description = "Dataset: ${COMPLETION-CANDIDATES}.",
            completionCandidates = DatasetNames.class)
    String name;

    @Option(names = "--count", paramLabel = "N", defaultValue = "8", description = "Samples to draw (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--output", paramLabel = "FILE.png", required = true, description = "PNG file to write.")
    Path output;

    @Option(names = "--split", paramLabel = "S", defaultValue = "train",
            description = "Split: train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0", description = "Seed of the generated samples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Folder of a dataset on disk, for voc2007: the folder that contains JPEGImages/.")
    Path root;

    @Option(names = "--zoom", paramLabel = "K",
            description = "Pixels per image pixel in the drawing (default: the largest that keeps tiles within "
                    + "192 pixels, at least 1).")
    Integer zoom;

    @Override
    public Integer call() throws IOException {
        try {
            return draw();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private int draw() throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        if (zoom != null && (zoom < 1 || zoom > 16)) {
            throw new IllegalArgumentException("--zoom must be in [1, 16], got " + zoom);
        }
        Dataset ds = Datasets.open(name, split, seed, root);
        int n = Math.min(count, ds.size());

        // Steps: draw each pair as two tiles, lay the tiles out, add a legend for class maps.
        // Samples of another size than the first (Pascal VOC) are resized to it, class maps by nearest neighbour.
        Sample first = ds.get(0);
        int h0 = first.input().size(1);
        int w0 = first.input().size(2);
        int k = zoom != null ? zoom : Math.max(1, 192 / Math.max(h0, w0));
        JointTransform fit = Transforms.resize(h0, w0);
        int h = h0 * k;
        int w = w0 * k;
        int cols = Math.min(n, PAIRS_PER_ROW);
        int rows = (n + cols - 1) / cols;
        boolean classes = ds.targetKind() == TargetKind.CLASS_MAP;
        int legendHeight = classes ? 18 * ((ds.numClasses() + 3) / 4) + GAP : 0;
        int width = cols * (2 * w + 3 * GAP);
        int height = rows * (h + GAP) + GAP + legendHeight;
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setColor(new Color(0x404040));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < n; i++) {
            Sample s = ds.get(i);
            if (s.input().size(1) != h0 || s.input().size(2) != w0) {
                s = fit.apply(s, new Generator(0));
            }
            int x = (i % cols) * (2 * w + 3 * GAP) + GAP;
            int y = (i / cols) * (h + GAP) + GAP;
            // A field target shares its input's intensity scale so denoising pairs compare by eye.
            float[] range = range(s.input(), classes ? null : s.target());
            g.drawImage(tile(s.input(), range, k), x, y, null);
            BufferedImage target = classes ? classTile(s.target(), k) : tile(s.target(), range, k);
            g.drawImage(target, x + w + GAP, y, null);
        }
        if (classes) {
            drawLegend(g, ds.classNames(), ds.numClasses(), rows * (h + GAP) + GAP, width);
        }
        g.dispose();
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        if (!ImageIO.write(grid, "png", output.toFile())) {
            throw new IOException("no PNG writer available to write " + output);
        }
        System.out.println("wrote " + output + ": " + n + " samples of " + name + " (" + split + "), "
                + (classes ? "input and class map" : "input and target") + " side by side, " + width + "x" + height
                + " pixels");
        return 0;
    }

    /**
     * Returns the display range, from min(0, minimum) to the 99.5th percentile, so that a few
     * bright noisy-clutter pixels do not darken everything else.
     */
    private static float[] range(Tensor a, Tensor b) {
        int n = a.numel() + (b == null ? 0 : b.numel());
        float[] all = new float[n];
        System.arraycopy(a.data(), 0, all, 0, a.numel());
        if (b != null) {
            System.arraycopy(b.data(), 0, all, a.numel(), b.numel());
        }
        java.util.Arrays.sort(all);
        float lo = all[0];
        float hi = all[Math.min(n - 1, (int) (0.995 * n))];
        if (!(hi > lo)) {
            hi = all[n - 1] > lo ? all[n - 1] : lo + 1;
        }
        return new float[] {Math.min(lo, 0f), hi};
    }

    /** Draws a (1, H, W) or (3, H, W) image, mapping [range[0], range[1]] to black..white; other channel counts show channel 0. */
    private static BufferedImage tile(Tensor t, float[] range, int zoom) {
        int c = t.size(0);
        int h = t.size(1);
        int w = t.size(2);
        float[] d = t.data();
        float scale = 255f / (range[1] - range[0]);
        BufferedImage img = new BufferedImage(w * zoom, h * zoom, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb;
                if (c == 3) {
                    rgb = level(d[y * w + x], range[0], scale) << 16 | level(d[h * w + y * w + x], range[0], scale) << 8
                            | level(d[2 * h * w + y * w + x], range[0], scale);
                } else {
                    int v = level(d[y * w + x], range[0], scale);
                    rgb = v << 16 | v << 8 | v;
                }
                fill(img, x, y, zoom, rgb);
            }
        }
        return img;
    }

    private static int level(float v, float lo, float scale) {
        return Math.clamp(Math.round((v - lo) * scale), 0, 255);
    }

    private static BufferedImage classTile(Tensor t, int zoom) {
        int h = t.size(0);
        int w = t.size(1);
        float[] d = t.data();
        BufferedImage img = new BufferedImage(w * zoom, h * zoom, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                fill(img, x, y, zoom, ColorTable.displayColor((int) d[y * w + x]));
            }
        }
        return img;
    }

    private static void fill(BufferedImage img, int x, int y, int zoom, int rgb) {
        for (int dy = 0; dy < zoom; dy++) {
            for (int dx = 0; dx < zoom; dx++) {
                img.setRGB(x * zoom + dx, y * zoom + dy, rgb);
            }
        }
    }

    private static void drawLegend(Graphics2D g, List<String> names, int numClasses, int top, int width) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int colWidth = Math.max(1, width / 4);
        for (int c = 0; c < numClasses; c++) {
            int x = GAP + (c % 4) * colWidth;
            int y = top + (c / 4) * 18;
            g.setColor(new Color(ColorTable.displayColor(c)));
            g.fillRect(x, y + 2, 12, 12);
            g.setColor(Color.WHITE);
            g.drawRect(x, y + 2, 12, 12);
            String label = c < names.size() ? c + " " + names.get(c) : Integer.toString(c);
            g.drawString(label, x + 18, y + 13);
        }
    }

    /** The built-in dataset names, for the help text. */
    static final class DatasetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            List<String> names = new java.util.ArrayList<>(Datasets.NAMES);
            names.add(Datasets.VOC);
            return names.iterator();
        }
    }
}
