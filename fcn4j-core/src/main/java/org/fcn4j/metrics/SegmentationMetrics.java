package org.fcn4j.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Metrics of one confusion matrix M (rows: true class, columns: predicted class), given as counts
 * or as percentages (for example a row-normalised matrix copied from a report). With
 * {@code row_k = sum_p M[k][p]}, {@code col_k = sum_t M[t][k]} and N the sum of all entries:
 *
 * <pre>
 *   IoU_k   = M_kk / (row_k + col_k - M_kk)          (Jaccard index)
 *   Dice_k  = 2 M_kk / (row_k + col_k)               (F1 score)
 *   pixel accuracy          = sum_k M_kk / N
 *   mean class accuracy     = mean over classes with row_k > 0 of M_kk / row_k
 *   frequency-weighted IoU  = sum_k (row_k / N) IoU_k
 * </pre>
 *
 * <p>A class with an empty union (row_k + col_k - M_kk = 0: never true and never predicted) is
 * absent: its IoU and Dice are NaN and it is left out of the mIoU, which is the mean over the
 * present classes. A class that is predicted but never true is present, with IoU 0.
 *
 * <p>NOTE: the metrics of a percentage matrix weight every true class equally (each row sums to
 * 100), so its mIoU differs from the mIoU of the counts it was normalised from.
 */
public final class SegmentationMetrics {
    private final double[][] m;  // (C, C)
    private final double[] row;
    private final double[] col;
    private final double total;

    /** Metrics of a square matrix of finite, non-negative values. */
    public SegmentationMetrics(double[][] matrix) {
        int c = matrix.length;
        if (c == 0) {
            throw new IllegalArgumentException("expected a confusion matrix with at least one class, got 0 rows");
        }
        m = new double[c][];
        row = new double[c];
        col = new double[c];
        double sum = 0;
        for (int t = 0; t < c; t++) {
            if (matrix[t].length != c) {
                throw new IllegalArgumentException("expected a square confusion matrix: row " + t + " has "
                        + matrix[t].length + " values, expected " + c);
            }
            m[t] = matrix[t].clone();
            for (int p = 0; p < c; p++) {
                double v = m[t][p];
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("confusion matrix entry (" + t + ", " + p + ") must be finite "
                            + "and >= 0, got " + v);
                }
                row[t] += v;
                col[p] += v;
                sum += v;
            }
        }
        total = sum;
    }

    public int numClasses() {
        return m.length;
    }

    /** Row sum: the amount of true class k. */
    public double support(int k) {
        return row[k];
    }

    /** True when class k is true or predicted somewhere (its union is not empty). */
    public boolean isPresent(int k) {
        return union(k) > 0;
    }

    /** IoU of class k, or NaN when the class is absent. */
    public double iou(int k) {
        double u = union(k);
        return u > 0 ? m[k][k] / u : Double.NaN;
    }

    /** Per-class IoU, NaN for absent classes. */
    public double[] ious() {
        double[] out = new double[m.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = iou(k);
        }
        return out;
    }

    /** Mean IoU over the present classes; NaN when no class is present. */
    public double meanIoU() {
        double sum = 0;
        int present = 0;
        for (int k = 0; k < m.length; k++) {
            if (isPresent(k)) {
                sum += iou(k);
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    /** Indices of the classes with an empty union, left out of the mIoU. */
    public List<Integer> absentClasses() {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < m.length; k++) {
            if (!isPresent(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Dice (F1) score of class k, or NaN when the class is absent. */
    public double dice(int k) {
        double d = row[k] + col[k];
        return d > 0 ? 2 * m[k][k] / d : Double.NaN;
    }

    /** Fraction of counted pixels whose prediction is right; NaN for an empty matrix. */
    public double pixelAccuracy() {
        double diag = 0;
        for (int k = 0; k < m.length; k++) {
            diag += m[k][k];
        }
        return total > 0 ? diag / total : Double.NaN;
    }

    /** Mean of the per-class recall M_kk / row_k over the classes that occur as true classes. */
    public double meanClassAccuracy() {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < m.length; k++) {
            if (row[k] > 0) {
                sum += m[k][k] / row[k];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Sum over present classes of (row_k / N) IoU_k. */
    public double frequencyWeightedIoU() {
        if (total == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int k = 0; k < m.length; k++) {
            if (isPresent(k)) {
                sum += row[k] / total * iou(k);
            }
        }
        return sum;
    }

    /** Returns the matrix with each row divided by its sum, in percent. A row summing to 0 stays 0. */
    public double[][] rowNormalisedPercent() {
        double[][] out = new double[m.length][m.length];
        for (int t = 0; t < m.length; t++) {
            for (int p = 0; p < m.length; p++) {
                out[t][p] = row[t] > 0 ? 100.0 * m[t][p] / row[t] : 0.0;
            }
        }
        return out;
    }

    /** Returns a copy of the matrix. */
    public double[][] matrix() {
        double[][] out = new double[m.length][];
        for (int t = 0; t < m.length; t++) {
            out[t] = m[t].clone();
        }
        return out;
    }

    private double union(int k) {
        return row[k] + col[k] - m[k][k];
    }

    /**
     * Formats a table with one line per class (name and IoU, or "absent"), then {@code mIoU <value>}, then
     * a line listing the absent classes left out of the mean when there are any.
     *
     * @param names class names, or null for "class 0", "class 1", ...
     */
    public String format(List<String> names) {
        int c = m.length;
        if (names != null && names.size() != c) {
            throw new IllegalArgumentException("expected " + c + " class names, got " + names.size() + ": " + names);
        }
        List<String> labels = new ArrayList<>();
        int width = "class".length();
        for (int k = 0; k < c; k++) {
            String name = names == null ? "class " + k : names.get(k);
            labels.add(name);
            width = Math.max(width, name.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", "class", "IoU"));
        List<String> absent = new ArrayList<>();
        for (int k = 0; k < c; k++) {
            String value = isPresent(k) ? String.format(Locale.ROOT, "%.4f", iou(k)) : "absent";
            if (!isPresent(k)) {
                absent.add(labels.get(k));
            }
            sb.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", labels.get(k), value));
        }
        sb.append(String.format(Locale.ROOT, "mIoU %.4f%n", meanIoU()));
        if (!absent.isEmpty()) {
            sb.append("mIoU is the mean over the ").append(c - absent.size()).append(" present classes of ").append(c)
                    .append("; absent (never true nor predicted, left out): ").append(String.join(", ", absent))
                    .append(System.lineSeparator());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SegmentationMetrics(%d classes, mIoU %.4f, pixel accuracy %.4f)", m.length,
                meanIoU(), pixelAccuracy());
    }
}
