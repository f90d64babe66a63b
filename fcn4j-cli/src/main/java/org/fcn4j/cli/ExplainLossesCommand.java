package org.fcn4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import javax.imageio.ImageIO;

import org.fcn4j.tensor.Generator;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.statistics.HistogramType;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fcn4j explain losses}: fits a constant, then a small network, to samples of a skewed law
 * once per loss, and shows that MSE learns the mean, MAE the median and the pinball loss at q the
 * q-quantile. Results on stdout, progress on stderr, the plot to a PNG file.
 */
@Command(name = "losses", mixinStandardHelpOptions = true,
        description = {"Show what MSE, MAE and the pinball loss make a model learn: the mean, the median, a quantile.",
            "Fits a constant to samples of Exp(1), then a small network to y = x * E with E ~ Exp(1), x ~ U(0.2, 2), "
                    + "once per loss, and prints each fit beside the true statistic."})
final class ExplainLossesCommand implements Callable<Integer> {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd)};

    @Option(names = "--samples", defaultValue = "100000", paramLabel = "N",
            description = "Samples of Exp(1) for the constant fits (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--network-samples", defaultValue = "20000", paramLabel = "N",
            description = "Samples (x, y) for the network fits (default: ${DEFAULT-VALUE}).")
    int networkSamples;

    @Option(names = "--steps", defaultValue = "600", paramLabel = "N",
            description = "Gradient steps of each constant fit (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--network-steps", defaultValue = "3000", paramLabel = "N",
            description = "Adam steps (batches of 256) of each network fit (default: ${DEFAULT-VALUE}).")
    int networkSteps;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "2026", description = "Seed of the samples and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, defaultValue = "explain-losses.png", paramLabel = "FILE.png",
            description = "Plot file (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (samples < 1 || networkSamples < 1 || steps < 1 || networkSteps < 1) {
            throw new IllegalArgumentException("--samples, --network-samples, --steps and --network-steps must be "
                    + "at least 1");
        }
        Generator rng = new Generator(seed);

        // Constant fits.
        float[] y = LossFits.exponential(rng, samples);
        double[] constants = new double[LossFits.TARGETS.size()];
        System.out.printf(Locale.ROOT, "Constant c minimising the mean loss over %d samples of Exp(1)%n", samples);
        System.out.printf(Locale.ROOT, "%-12s %10s   %-13s %10s %10s%n", "loss", "fitted c", "statistic", "true",
                "sample");
        for (int k = 0; k < constants.length; k++) {
            LossFits.Target t = LossFits.TARGETS.get(k);
            System.err.println("fitting a constant with " + t.loss() + "...");
            constants[k] = LossFits.fitConstant(t.newLoss(), y, steps);
            System.out.printf(Locale.ROOT, "%-12s %10.4f   %-13s %10.4f %10.4f%n", t.loss(), constants[k],
                    t.statistic(), t.trueValue(), sampleStatistic(y, t));
        }

        // Network fits.
        LossFits.Conditional data = LossFits.Conditional.draw(rng, networkSamples);
        LossFits.Mlp[] nets = new LossFits.Mlp[LossFits.TARGETS.size()];
        double[] probes = {0.5, 1.0, 1.5, 2.0};
        System.out.printf(Locale.ROOT, "%nNetwork 1 -> 16 (tanh) -> 1 fitted to %d samples of y = x * E, "
                + "E ~ Exp(1), x ~ U(0.2, 2)%n", networkSamples);
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-12s %-13s", "loss", "statistic"));
        for (double x : probes) {
            header.append(String.format(Locale.ROOT, "   x=%.1f fit / true", x));
        }
        System.out.println(header);
        for (int k = 0; k < nets.length; k++) {
            LossFits.Target t = LossFits.TARGETS.get(k);
            System.err.println("training a network with " + t.loss() + "...");
            nets[k] = LossFits.fitNetwork(t.newLoss(), data, 16, networkSteps, 256, rng);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-12s %-13s", t.loss(), t.statistic()));
            for (double x : probes) {
                line.append(String.format(Locale.ROOT, "   %6.3f / %6.3f", nets[k].predict(x), t.conditional(x)));
            }
            System.out.println(line);
        }

        writePlot(y, constants, data, nets);
        System.out.println();
        System.out.println("plot written to " + output);
        return 0;
    }

    /** Computes the statistic on the samples themselves (sample mean or empirical quantile). */
    private static double sampleStatistic(float[] y, LossFits.Target t) {
        if (Double.isNaN(t.level())) {
            double s = 0;
            for (float v : y) {
                s += v;
            }
            return s / y.length;
        }
        float[] sorted = y.clone();
        java.util.Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(t.level() * sorted.length))];
    }

    private void writePlot(float[] y, double[] constants, LossFits.Conditional data, LossFits.Mlp[] nets)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        JFreeChart left = constantChart(y, constants);
        JFreeChart right = networkChart(data, nets);
        int w = 1400;
        int h = 600;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        left.draw(g, new Rectangle2D.Double(0, 0, w / 2.0, h));
        right.draw(g, new Rectangle2D.Double(w / 2.0, 0, w / 2.0, h));
        g.dispose();
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", output.toFile())) {
            throw new IOException("no PNG writer available to write " + output);
        }
    }

    /** Histogram of the samples, with the fitted constants (solid) and the true statistics (dashed). */
    private static JFreeChart constantChart(float[] y, double[] constants) {
        HistogramDataset hist = new HistogramDataset();
        hist.setType(HistogramType.SCALE_AREA_TO_1);
        double[] belowFive = java.util.Arrays.stream(toDoubles(y)).filter(v -> v < 5.0).toArray();
        hist.addSeries("samples of Exp(1) below 5", belowFive, 100, 0, 5);
        JFreeChart chart = ChartFactory.createHistogram("Constant fits to Exp(1) samples", "y", "density", hist,
                PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(
                "solid: constant fitted with each loss; dashed black: true mean, median and quantiles"));
        XYPlot plot = chart.getXYPlot();
        whiteBackground(plot);
        plot.getRenderer().setSeriesPaint(0, new Color(0xb0b0b0));
        for (int k = 0; k < constants.length; k++) {
            LossFits.Target t = LossFits.TARGETS.get(k);
            ValueMarker fit = new ValueMarker(constants[k], COLORS[k], new BasicStroke(2f));
            fit.setLabel(String.format(Locale.ROOT, "%s: %.3f", t.loss(), constants[k]));
            fit.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            fit.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            fit.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(5 + 15 * k, 2, 2, 2));
            plot.addDomainMarker(fit);
            plot.addDomainMarker(new ValueMarker(t.trueValue(), Color.BLACK, dashed()));
        }
        return chart;
    }

    /** Scatter of (x, y), fitted network curves (solid) and true conditional statistics (dashed). */
    private static JFreeChart networkChart(LossFits.Conditional data, LossFits.Mlp[] nets) {
        XYSeriesCollection series = new XYSeriesCollection();
        XYSeries points = new XYSeries("samples", false);
        for (int i = 0; i < Math.min(3000, data.x().length); i++) {
            points.add(data.x()[i], data.y()[i]);
        }
        series.addSeries(points);
        List<LossFits.Target> targets = LossFits.TARGETS;
        for (int k = 0; k < nets.length; k++) {
            XYSeries fit = new XYSeries(targets.get(k).loss() + " network", false);
            XYSeries truth = new XYSeries("true " + targets.get(k).statistic(), false);
            for (int i = 0; i <= 50; i++) {
                double x = LossFits.X_MIN + (LossFits.X_MAX - LossFits.X_MIN) * i / 50;
                fit.add(x, nets[k].predict(x));
                truth.add(x, targets.get(k).conditional(x));
            }
            series.addSeries(fit);
            series.addSeries(truth);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Network fits to y = x * Exp(1)", "x", "y", series,
                PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(
                "solid: network fitted with each loss; dashed: true conditional statistic"));
        XYPlot plot = chart.getXYPlot();
        whiteBackground(plot);
        plot.getRangeAxis().setRange(0, 8);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, false);
        r.setSeriesShapesVisible(0, true);
        r.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-1, -1, 2, 2));
        r.setSeriesPaint(0, new Color(0xb0b0b0));
        for (int k = 0; k < nets.length; k++) {
            r.setSeriesShapesVisible(1 + 2 * k, false);
            r.setSeriesShapesVisible(2 + 2 * k, false);
            r.setSeriesPaint(1 + 2 * k, COLORS[k]);
            r.setSeriesPaint(2 + 2 * k, COLORS[k]);
            r.setSeriesStroke(1 + 2 * k, new BasicStroke(2.5f));
            r.setSeriesStroke(2 + 2 * k, dashed());
        }
        plot.setRenderer(r);
        return chart;
    }

    private static void whiteBackground(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static BasicStroke dashed() {
        return new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    }
}
