package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fcn4j.tensor.Generator;
import org.junit.jupiter.api.Test;

class ExplainNormsCommandTest {
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @Test
    void printsEveryLayerWithItsStatistics() {
        Run r = run("explain", "norms", "--seed", "11");
        assertEquals(0, r.exitCode(), r.err());
        for (String title : new String[] {"BatchNorm2d(4), training mode", "InstanceNorm2d(4)", "LayerNorm([4, 2, 2])",
            "GroupNorm(2, 4)"}) {
            assertTrue(r.out().contains(title), "missing section " + title + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("statistics over (N, H, W): one mean and variance per channel c, 4 in all"),
                r.out());
        assertTrue(r.out().contains("statistics over (C / G = 2 channels, H, W)"), r.out());

        // The per-channel BatchNorm statistics, recomputed from the same seeded integers.
        Generator rng = new Generator(11);
        double[] values = new double[32];
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextInt(10);
        }
        for (int c = 0; c < 4; c++) {
            double sum = 0;
            double sumSq = 0;
            for (int n = 0; n < 2; n++) {
                for (int k = 0; k < 4; k++) {
                    double v = values[(n * 4 + c) * 4 + k];
                    sum += v;
                    sumSq += v * v;
                }
            }
            double mean = sum / 8;
            double var = sumSq / 8 - mean * mean;
            String line = String.format(Locale.ROOT, "  c=%d        mean %7.4f   var %7.4f", c, mean, var);
            assertTrue(r.out().contains(line), "missing BatchNorm statistics line '" + line + "' in:\n" + r.out());
            String running = String.format(Locale.ROOT, "    c=%d  running_mean %7.4f   running_var %7.4f", c,
                    0.1 * mean, 0.9 + 0.1 * var * 8 / 7);
            assertTrue(r.out().contains(running), "missing running statistics line '" + running + "' in:\n" + r.out());
        }

        Matcher m = Pattern.compile("check: max \\|y - \\(x - mean\\) / sqrt\\(var \\+ eps\\)\\| = (\\S+)")
                .matcher(r.out());
        int checks = 0;
        while (m.find()) {
            checks++;
            assertTrue(Double.parseDouble(m.group(1)) < 1e-5, "layer output differs from its statistics: " + m.group());
        }
        assertEquals(4, checks, "one check line per layer");
    }

    @Test
    void rejectsGroupsThatDoNotDivideChannels() {
        Run r = run("explain", "norms", "--groups", "3");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--groups must divide the 4 channels"), r.err());
    }
}
