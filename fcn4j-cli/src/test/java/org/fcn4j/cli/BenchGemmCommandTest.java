package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.fcn4j.kernel.Parallel;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** {@code fcn4j bench gemm} on a small product: exit code and the JSON object on the last stdout line. */
class BenchGemmCommandTest {

    private static String[] run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int saveThreads = Parallel.threads();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
            Parallel.setThreads(saveThreads);
        }
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void smallProductPrintsJsonLastLine() {
        String[] r = run("bench", "gemm", "--m", "37", "--n", "45", "--k", "29", "--threads", "2",
                "--warmup", "1", "--warmup-seconds", "0", "--repeat", "3");
        assertEquals("0", r[0], "exit code; stderr: " + r[2]);
        String[] lines = r[1].strip().split("\\R");
        String last = lines[lines.length - 1];
        // SnakeYAML reads this JSON object as a YAML flow mapping.
        Map<String, Object> json = new Yaml().load(last);
        assertEquals(37, json.get("m"));
        assertEquals(45, json.get("n"));
        assertEquals(29, json.get("k"));
        assertEquals(2, json.get("threads"));
        assertEquals(3, json.get("repeat"));
        assertEquals("wall", json.get("clock"));
        assertEquals(1, json.get("warmup"), "with --warmup-seconds 0, exactly --warmup untimed products");
        double ms = ((Number) json.get("ms")).doubleValue();
        double gflops = ((Number) json.get("gflops")).doubleValue();
        assertTrue(ms > 0, "ms must be positive: " + last);
        assertEquals(2.0 * 37 * 45 * 29 / (ms * 1e6), gflops, 0.01 + 1e-3 * gflops,
                "gflops must follow from ms: " + last);
        assertTrue(json.get("kernel") instanceof String, last);
        assertFalse(((String) json.get("kernel")).isEmpty(), last);
        assertTrue(json.get("vector_bits") instanceof Integer, last);
        assertTrue(r[2].contains("gemm 37 x 45 x 29, 2 thread(s)"), "progress goes to stderr: " + r[2]);
    }

    @Test
    void transposedOperandsAreReported() {
        String[] r = run("bench", "gemm", "--m", "19", "--n", "23", "--k", "31", "--trans-a", "--trans-b",
                "--warmup", "0", "--warmup-seconds", "0.05", "--repeat", "1");
        assertEquals("0", r[0], "exit code; stderr: " + r[2]);
        String[] lines = r[1].strip().split("\\R");
        Map<String, Object> json = new Yaml().load(lines[lines.length - 1]);
        assertEquals(true, json.get("trans_a"));
        assertEquals(true, json.get("trans_b"));
        assertEquals(1, json.get("repeat"));
        assertTrue((Integer) json.get("warmup") >= 1, "50 ms of warm-up runs at least one product: " + json);
    }

    @Test
    void cpuTimeClockNeedsOneThread() {
        String[] r = run("bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--threads", "2", "--cpu-time");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("use it with --threads 1, got 2 threads"), r[2]);

        r = run("bench", "gemm", "--m", "40", "--n", "40", "--k", "40", "--threads", "1", "--cpu-time",
                "--warmup-seconds", "0", "--repeat", "3");
        assertEquals("0", r[0], "exit code; stderr: " + r[2]);
        String[] lines = r[1].strip().split("\\R");
        Map<String, Object> json = new Yaml().load(lines[lines.length - 1]);
        assertEquals("cpu", json.get("clock"));
    }

    @Test
    void invalidSizeIsRejected() {
        String[] r = run("bench", "gemm", "--m", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--m, --n and --k must be at least 1, got 0, 1024, 1024"), r[2]);
    }

    @Test
    void invalidRepeatIsNamed() {
        String[] r = run("bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--repeat", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--repeat must be at least 1, got 0"), r[2]);
    }
}
