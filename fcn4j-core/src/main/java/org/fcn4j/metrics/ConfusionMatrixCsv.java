package org.fcn4j.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader and writer of confusion matrices as CSV: C lines of C comma-separated numbers, rows true
 * class and columns predicted class, counts or percentages, optionally preceded by one line of C
 * class names. Blank lines and lines starting with '#' are skipped.
 *
 * <pre>
 *   background,cell
 *   9120,35
 *   12,833
 * </pre>
 *
 * <p>NOTE: names may not contain commas or quotes; the format has no quoting.
 */
public final class ConfusionMatrixCsv {
    private ConfusionMatrixCsv() {
    }

    /** A matrix read from CSV, with its class names (null when the file has no header line). */
    public record Table(List<String> names, double[][] values) {
        public SegmentationMetrics metrics() {
            return new SegmentationMetrics(values);
        }
    }

    /** Reads a CSV matrix; errors name the file, the line and the field. */
    public static Table read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> names = null;
        List<double[]> rows = new ArrayList<>();
        int columns = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int lineNo = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (columns < 0) {
                columns = fields.length;
                if (names == null && rows.isEmpty() && !isNumber(fields[0].strip())) {
                    names = new ArrayList<>();
                    for (int f = 0; f < fields.length; f++) {
                        String name = fields[f].strip();
                        if (name.isEmpty()) {
                            throw new IOException(file + ":" + lineNo + ": field " + (f + 1) + " of the class-name "
                                    + "line is empty");
                        }
                        names.add(name);
                    }
                    continue;
                }
            }
            if (fields.length != columns) {
                throw new IOException(file + ":" + lineNo + ": expected " + columns + " fields (one per class), got "
                        + fields.length);
            }
            double[] row = new double[columns];
            for (int f = 0; f < columns; f++) {
                String field = fields[f].strip();
                double v;
                try {
                    v = Double.parseDouble(field);
                } catch (NumberFormatException e) {
                    throw new IOException(file + ":" + lineNo + ": field " + (f + 1) + " is '" + field
                            + "', not a number");
                }
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IOException(file + ":" + lineNo + ": field " + (f + 1) + " is " + field
                            + "; counts and percentages must be finite and >= 0");
                }
                row[f] = v;
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ": no matrix rows found; expected C lines of C comma-separated numbers");
        }
        if (rows.size() != columns) {
            throw new IOException(file + ": expected a square matrix, got " + rows.size() + " rows of " + columns
                    + " columns");
        }
        return new Table(names, rows.toArray(new double[0][]));
    }

    /** Writes counts with an optional line of class names (null for none). */
    public static void write(Path file, ConfusionMatrix matrix, List<String> names) throws IOException {
        long[][] counts = matrix.counts();
        checkNames(names, counts.length);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            if (names != null) {
                w.write(String.join(",", names));
                w.newLine();
            }
            for (long[] row : counts) {
                StringBuilder sb = new StringBuilder();
                for (int p = 0; p < row.length; p++) {
                    sb.append(p > 0 ? "," : "").append(row[p]);
                }
                w.write(sb.toString());
                w.newLine();
            }
        }
    }

    private static void checkNames(List<String> names, int classes) {
        if (names == null) {
            return;
        }
        if (names.size() != classes) {
            throw new IllegalArgumentException("expected " + classes + " class names, got " + names.size() + ": "
                    + names);
        }
        for (String n : names) {
            if (n.isBlank() || n.contains(",") || n.contains("\"") || n.contains("\n") || isNumber(n.strip())) {
                throw new IllegalArgumentException("class name '" + n + "' cannot be written to CSV: it must be non-empty, "
                        + "not a number, and contain no comma, quote or line break");
            }
        }
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
