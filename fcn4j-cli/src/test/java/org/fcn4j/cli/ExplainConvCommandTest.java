package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** {@code fcn4j explain conv} prints the course's 4 x 16 matrix and a passing transpose check. */
class ExplainConvCommandTest {
    // The matrix of Conv2d(1, 1, kernel 3) on a 4 x 4 input, as the course writes it.
    private static final List<String> COURSE_MATRIX = List.of(
            "w11 w12 w13 0   w21 w22 w23 0   w31 w32 w33 0   0   0   0   0",
            "0   w11 w12 w13 0   w21 w22 w23 0   w31 w32 w33 0   0   0   0",
            "0   0   0   0   w11 w12 w13 0   w21 w22 w23 0   w31 w32 w33 0",
            "0   0   0   0   0   w11 w12 w13 0   w21 w22 w23 0   w31 w32 w33");

    private record Run(int exitCode, String out, String err) {
        // The matrix is the block between the first two blank lines.
        List<String> matrixRows() {
            List<String> lines = out.lines().toList();
            int start = lines.indexOf("") + 1;
            int end = lines.subList(start, lines.size()).indexOf("") + start;
            return lines.subList(start, end);
        }
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static double largestDifference(String out) {
        Matcher m = Pattern.compile("Largest absolute difference from M\\^T: (\\S+)").matcher(out);
        assertTrue(m.find(), "no difference line in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void defaultPrintsCourseMatrix() {
        Run r = run("explain", "conv", "--input", "4x4", "--kernel", "3");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(COURSE_MATRIX, r.matrixRows(), r.out());
        assertTrue(largestDifference(r.out()) <= 1e-6, r.out());
    }

    @Test
    void transposePrintsSixteenRowsOfFour() {
        Run r = run("explain", "conv", "--transpose");
        assertEquals(0, r.exitCode(), r.err());
        List<String> rows = r.matrixRows();
        assertEquals(16, rows.size(), r.out());
        assertEquals("w11 0   0   0", rows.get(0));
        assertEquals("w22 w21 w12 w11", rows.get(5));
        assertEquals("0   0   0   w33", rows.get(15));
        for (String row : rows) {
            assertEquals(4, row.trim().split(" +").length, row);
        }
    }

    @Test
    void stridedPaddedDilatedCheckPasses() {
        Run r = run("explain", "conv", "--input", "6x5", "--kernel", "3", "--padding", "2", "--stride", "2",
                "--dilation", "2");
        assertEquals(0, r.exitCode(), r.err());
        // (6 + 4 - 4 - 1) / 2 + 1 = 3 rows of output by (5 + 4 - 4 - 1) / 2 + 1 = 3 columns: 9 rows of 30.
        assertEquals(9, r.matrixRows().size(), r.out());
        assertEquals(30, r.matrixRows().get(0).trim().split(" +").length);
        assertTrue(largestDifference(r.out()) <= 1e-6, r.out());
    }

    @Test
    void invalidInputIsRejected() {
        Run r = run("explain", "conv", "--input", "4by4");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("invalid --input '4by4'"), r.err());
    }
}
