package org.fcn4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fcn4j.io.AtomicFiles;
import org.fcn4j.io.Json;

/**
 * Per-epoch metrics of a run, written to {@code metrics.jsonl} (one JSON object per epoch) and
 * {@code metrics.csv} (one row per epoch, a column per metric) in the run folder.
 *
 * <p>Both files are rewritten atomically after each epoch from the records held here, so that a
 * resumed run, which reloads them with {@link #load}, continues them without duplicate epochs.
 * Values are numbers (NaN written as null in JSON and empty in CSV) or strings.
 */
public final class MetricsLog {
    private final Path dir;
    private final List<Map<String, Object>> records = new ArrayList<>();

    /** A log writing into the run folder {@code dir}. */
    public MetricsLog(Path dir) {
        this.dir = dir;
    }

    /** Reloads the records of {@code dir/metrics.jsonl}, if present, for a resumed run. */
    public static MetricsLog load(Path dir) throws IOException {
        MetricsLog log = new MetricsLog(dir);
        Path f = dir.resolve("metrics.jsonl");
        if (Files.exists(f)) {
            int line = 0;
            for (String s : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                try {
                    log.records.add(Json.parseObject(s));
                } catch (IllegalArgumentException e) {
                    throw new IOException(f + ":" + line + ": " + e.getMessage(), e);
                }
            }
        }
        return log;
    }

    /** Records with an {@code epoch} value above {@code epoch} are dropped (records of an interrupted epoch). */
    public void truncateAfter(int epoch) {
        records.removeIf(r -> r.get("epoch") instanceof Number n && n.intValue() > epoch);
    }

    /** Appends one epoch's record and rewrites both files. */
    public void append(Map<String, Object> record) {
        records.add(new LinkedHashMap<>(record));
        try {
            write();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics files in " + dir, e);
        }
    }

    /** The records so far, oldest first. */
    public List<Map<String, Object>> records() {
        return List.copyOf(records);
    }

    /** The values of one column, NaN where a record lacks it. */
    public double[] column(String key) {
        double[] out = new double[records.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = records.get(i).get(key);
            out[i] = v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        return out;
    }

    private void write() throws IOException {
        StringBuilder jsonl = new StringBuilder();
        Set<String> columns = new LinkedHashSet<>();
        for (Map<String, Object> r : records) {
            jsonl.append(Json.write(r)).append('\n');
            columns.addAll(r.keySet());
        }
        AtomicFiles.writeString(dir.resolve("metrics.jsonl"), jsonl.toString());

        StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Object> r : records) {
            boolean first = true;
            for (String c : columns) {
                if (!first) {
                    csv.append(',');
                }
                first = false;
                csv.append(cell(r.get(c)));
            }
            csv.append('\n');
        }
        AtomicFiles.writeString(dir.resolve("metrics.csv"), csv.toString());
    }

    private static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? d.toString() : "";
        }
        if (v instanceof Float f) {
            return Float.isFinite(f) ? Double.toString(f) : "";
        }
        String s = v.toString();
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** A record builder keeping insertion order. */
    public static Map<String, Object> record() {
        return new LinkedHashMap<>();
    }
}
