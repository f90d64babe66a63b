package org.fcn4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The PNG pictures of a run folder: learning curves, the row-normalised confusion matrix, per-class
 * IoU bars (JFreeChart) and a grid of sample predictions (Java2D, with the same class colours).
 */
final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** Class colours: background black, then distinct hues; index 255 (ignored) is white. */
    static Color classColor(int k) {
        if (k == 255) {
            return Color.WHITE;
        }
        if (k == 0) {
            return Color.BLACK;
        }
        float hue = ((k - 1) * 0.618034f) % 1f;
        return Color.getHSBColor(hue, 0.75f, 0.95f);
    }

    /**
     * Training and validation loss (top) and the validation metrics named in {@code metrics} (bottom)
     * per epoch, from the records of {@code metrics.jsonl}.
     */
    static void learningCurves(Path file, double[] epochs, double[] trainLoss, double[] valLoss, List<String> metricNames,
            List<double[]> metricValues) throws IOException {
        XYSeriesCollection losses = new XYSeriesCollection();
        losses.addSeries(series("training loss", epochs, trainLoss));
        losses.addSeries(series("validation loss", epochs, valLoss));
        XYPlot lossPlot = new XYPlot(losses, null, new NumberAxis("loss"), new XYLineAndShapeRenderer(true, true));
        ((NumberAxis) lossPlot.getRangeAxis()).setAutoRangeIncludesZero(false);

        XYSeriesCollection metrics = new XYSeriesCollection();
        for (int i = 0; i < metricNames.size(); i++) {
            metrics.addSeries(series(metricNames.get(i), epochs, metricValues.get(i)));
        }
        XYPlot metricPlot = new XYPlot(metrics, null, new NumberAxis("validation metric"),
                new XYLineAndShapeRenderer(true, true));
        ((NumberAxis) metricPlot.getRangeAxis()).setAutoRangeIncludesZero(false);

        NumberAxis epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
        plot.add(lossPlot, 1);
        plot.add(metricPlot, 1);
        save(file, new JFreeChart("Learning curves", JFreeChart.DEFAULT_TITLE_FONT, plot, true), 800, 700);
    }

    private static XYSeries series(String name, double[] x, double[] y) {
        XYSeries s = new XYSeries(name);
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i])) {
                s.add(x[i], y[i]);
            }
        }
        return s;
    }

    /**
     * The confusion matrix as a heat map, each row (true class) normalised to 100 percent, with the
     * percentage written in each cell and class names on both axes.
     */
    static void confusionMatrix(Path file, long[][] counts, List<String> names, String title) throws IOException {
        int k = counts.length;
        double[] xs = new double[k * k];
        double[] ys = new double[k * k];
        double[] zs = new double[k * k];
        DefaultXYZDataset data = new DefaultXYZDataset();
        String[] labels = names.toArray(new String[0]);
        SymbolAxis predicted = new SymbolAxis("predicted class", labels);
        SymbolAxis truth = new SymbolAxis("true class", labels);
        truth.setInverted(true);
        predicted.setVerticalTickLabels(true);
        XYBlockRenderer renderer = new XYBlockRenderer();
        PaintScale scale = new PercentScale();
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, predicted, truth, renderer);
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, k > 15 ? 8 : 11);
        for (int t = 0; t < k; t++) {
            long row = 0;
            for (long c : counts[t]) {
                row += c;
            }
            for (int p = 0; p < k; p++) {
                int i = t * k + p;
                xs[i] = p;
                ys[i] = t;
                zs[i] = row == 0 ? Double.NaN : 100.0 * counts[t][p] / row;
                if (!Double.isNaN(zs[i]) && zs[i] >= 0.05) {
                    XYTextAnnotation a = new XYTextAnnotation(String.format(Locale.ROOT, "%.1f", zs[i]), p, t);
                    a.setFont(cellFont);
                    a.setPaint(zs[i] > 50 ? Color.WHITE : Color.BLACK);
                    plot.addAnnotation(a);
                }
            }
        }
        data.addSeries("percent", new double[][] {xs, ys, zs});
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis("% of the true class");
        legendAxis.setRange(0, 100);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        int side = Math.max(500, 60 + 45 * k);
        save(file, chart, side + 120, side);
    }

    /** White to dark blue over [0, 100] percent; NaN (a class absent from the targets) is grey. */
    private static final class PercentScale implements PaintScale {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 100;
        }

        @Override
        public java.awt.Paint getPaint(double value) {
            if (Double.isNaN(value)) {
                return new Color(220, 220, 220);
            }
            double f = Math.max(0, Math.min(1, value / 100));
            return new Color((int) (255 - 230 * f), (int) (255 - 190 * f), (int) (255 - 100 * f));
        }
    }

    /** Per-class IoU bars; NaN (a class absent from targets and predictions) is left out. */
    static void iouBars(Path file, double[] iou, List<String> names, double miou) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int i = 0; i < iou.length; i++) {
            if (Double.isFinite(iou[i])) {
                data.addValue(iou[i], "IoU", names.get(i));
            }
        }
        CategoryAxis classes = new CategoryAxis("class");
        classes.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        NumberAxis value = new NumberAxis("IoU");
        value.setRange(0, 1);
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, new Color(40, 90, 170));
        CategoryPlot plot = new CategoryPlot(data, classes, value, renderer);
        plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(miou, Color.RED, new BasicStroke(1.5f)));
        String title = String.format(Locale.ROOT, "Per-class IoU (mIoU %.4f, red line)", miou);
        save(file, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false), 800, 500);
    }

    /** One row of the sample grid: an input image (C, H, W) and target and prediction maps. */
    record SampleRow(float[] input, int channels, int height, int width, float[] target, float[] prediction) {
    }

    /**
     * A grid with one row per sample: input (grey or RGB, min-max scaled), target, prediction. Class
     * maps use {@link #classColor}; fields (regression) use a blue-to-yellow colour map whose scale,
     * shared by target and prediction, is drawn on the right.
     */
    static void sampleGrid(Path file, List<SampleRow> rows, boolean classes) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        int h = rows.get(0).height();
        int w = rows.get(0).width();
        int cell = Math.max(96, Math.min(192, 4 * Math.max(h, w)));
        int gap = 6;
        int header = 22;
        int legend = classes ? 0 : 80;
        int width = 3 * (cell + gap) + gap + legend;
        int height = header + rows.size() * (cell + gap) + gap;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        String[] titles = {"input", "target", "prediction"};
        for (int c = 0; c < 3; c++) {
            g.drawString(titles[c], gap + c * (cell + gap) + 4, 16);
        }

        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        if (!classes) {
            for (SampleRow r : rows) {
                for (float[] a : new float[][] {r.target(), r.prediction()}) {
                    for (float v : a) {
                        if (Float.isFinite(v)) {
                            lo = Math.min(lo, v);
                            hi = Math.max(hi, v);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            SampleRow r = rows.get(i);
            int y = header + i * (cell + gap);
            g.drawImage(inputImage(r), gap, y, cell, cell, null);
            g.drawImage(mapImage(r.target(), r.height(), r.width(), classes, lo, hi), gap + cell + gap, y, cell, cell,
                    null);
            g.drawImage(mapImage(r.prediction(), r.height(), r.width(), classes, lo, hi), gap + 2 * (cell + gap), y,
                    cell, cell, null);
        }
        if (!classes) {
            int x = 3 * (cell + gap) + gap;
            int top = header;
            int barHeight = height - header - 2 * gap;
            for (int yy = 0; yy < barHeight; yy++) {
                g.setColor(fieldColor(1f - (float) yy / Math.max(1, barHeight - 1)));
                g.fillRect(x, top + yy, 16, 1);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(String.format(Locale.ROOT, "%.3g", hi), x + 20, top + 10);
            g.drawString(String.format(Locale.ROOT, "%.3g", (lo + hi) / 2), x + 20, top + barHeight / 2 + 4);
            g.drawString(String.format(Locale.ROOT, "%.3g", lo), x + 20, top + barHeight);
        }
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private static BufferedImage inputImage(SampleRow r) {
        int h = r.height();
        int w = r.width();
        int plane = h * w;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : r.input()) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        float span = hi > lo ? hi - lo : 1f;
        for (int i = 0; i < plane; i++) {
            int[] rgb = new int[3];
            for (int c = 0; c < 3; c++) {
                int src = r.channels() >= 3 ? c : 0;
                float v = (r.input()[src * plane + i] - lo) / span;
                rgb[c] = Math.round(255 * Math.max(0, Math.min(1, Float.isFinite(v) ? v : 0)));
            }
            img.setRGB(i % w, i / w, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
        }
        return img;
    }

    private static BufferedImage mapImage(float[] map, int h, int w, boolean classes, float lo, float hi) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float span = hi > lo ? hi - lo : 1f;
        for (int i = 0; i < h * w; i++) {
            Color c = classes ? classColor(Math.round(map[i])) : fieldColor((map[i] - lo) / span);
            img.setRGB(i % w, i / w, c.getRGB() & 0xffffff);
        }
        return img;
    }

    /** Maps t in [0, 1] to a dark-blue, teal, green, yellow ramp in the style of viridis. */
    static Color fieldColor(float t) {
        float x = Float.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
        float[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        float pos = x * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) pos);
        float f = pos - i;
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            rgb[c] = Math.round(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
        }
        return new Color(rgb[0], rgb[1], rgb[2]);
    }

    private static void save(Path file, JFreeChart chart, int width, int height) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(file.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
    }
}
