package org.fcn4j.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fcn4j.tensor.Tensor;

/**
 * Reader of the PyTorch parity fixtures written by tools/fixtures/fixture_io.py (format 1), kept
 * as test resources under {@code fixtures/}.
 */
public final class Fixtures {
    public static final int FORMAT_VERSION = 1;

    private Fixtures() {
    }

    /** One configuration: string attributes and named tensors. */
    public record Case(String name, Map<String, String> attrs, Map<String, Tensor> tensors,
            Map<String, long[]> integers) {

        public String attr(String key) {
            String v = attrs.get(key);
            if (v == null) {
                throw new IllegalArgumentException("fixture case " + name + " has no attribute '" + key + "'");
            }
            return v;
        }

        public boolean has(String key) {
            return attrs.containsKey(key) || tensors.containsKey(key) || integers.containsKey(key);
        }

        public int attrInt(String key) {
            return Integer.parseInt(attr(key));
        }

        public double attrDouble(String key) {
            return Double.parseDouble(attr(key));
        }

        /** An attribute holding comma-separated integers, e.g. {@code 2,3}. */
        public int[] attrInts(String key) {
            String[] parts = attr(key).split(",");
            int[] out = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = Integer.parseInt(parts[i].trim());
            }
            return out;
        }

        /** A float32 tensor of the case. */
        public Tensor tensor(String key) {
            Tensor t = tensors.get(key);
            if (t == null) {
                throw new IllegalArgumentException("fixture case " + name + " has no float tensor '" + key + "'");
            }
            return t.copy();
        }

        /** An int64 tensor of the case, as a flat array. */
        public long[] longs(String key) {
            long[] v = integers.get(key);
            if (v == null) {
                throw new IllegalArgumentException("fixture case " + name + " has no int64 tensor '" + key + "'");
            }
            return v.clone();
        }
    }

    /** Loads {@code fixtures/FILE} from the test class path. */
    public static List<Case> load(String file) {
        String resource = "/fixtures/" + file;
        InputStream in = Fixtures.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("fixture " + resource + " not found; regenerate it with the script named "
                    + "in tools/fixtures/README.md");
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parse(resource, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads a fixture file from the file system, e.g. one that tools/fixtures/gen_random.py wrote. */
    public static List<Case> load(java.nio.file.Path file) {
        try (BufferedReader r = java.nio.file.Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Case> parse(String resource, BufferedReader r) throws IOException {
        String header = r.readLine();
        if (header == null || !header.equals("# fcn4j fixture format " + FORMAT_VERSION)) {
            throw new IllegalStateException(resource + ": expected header '# fcn4j fixture format " + FORMAT_VERSION
                    + "', got '" + header + "'; regenerate the fixture with the current generator");
        }
        List<Case> cases = new ArrayList<>();
        String name = null;
        Map<String, String> attrs = null;
        Map<String, Tensor> tensors = null;
        Map<String, long[]> integers = null;
        String line;
        int lineNo = 1;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            if (line.startsWith("case ")) {
                name = line.substring(5).trim();
                attrs = new LinkedHashMap<>();
                tensors = new LinkedHashMap<>();
                integers = new LinkedHashMap<>();
            } else if (line.startsWith("attr ")) {
                String[] kv = line.substring(5).split(" ", 2);
                attrs.put(kv[0], kv.length > 1 ? kv[1] : "");
            } else if (line.startsWith("tensor ")) {
                String[] f = line.substring(7).split(" ");
                int[] shape = f[2].equals("-") ? new int[0] : parseInts(f[2]);
                String values = r.readLine();
                lineNo++;
                String[] parts = values == null || values.isEmpty() ? new String[0] : values.split(" ");
                if (f[1].equals("int64")) {
                    long[] v = new long[parts.length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Long.parseLong(parts[i]);
                    }
                    integers.put(f[0], v);
                } else {
                    float[] v = new float[parts.length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = parseFloat(parts[i]);
                    }
                    tensors.put(f[0], Tensor.of(v, shape));
                }
            } else if (line.equals("end")) {
                cases.add(new Case(name, attrs, tensors, integers));
            } else {
                throw new IllegalStateException(resource + ":" + lineNo + ": unexpected line '" + line + "'");
            }
        }
        return cases;
    }

    /** A float32 value as Python's "%.9g" prints it, including nan, inf and -inf. */
    private static float parseFloat(String s) {
        return switch (s) {
            case "nan", "-nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(s);
        };
    }

    private static int[] parseInts(String csv) {
        String[] p = csv.split(",");
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Integer.parseInt(p[i]);
        }
        return out;
    }
}
