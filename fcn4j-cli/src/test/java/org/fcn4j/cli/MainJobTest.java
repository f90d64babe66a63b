package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job: {@code fcn4j train} with the default configuration (minutes on 2 cores), then
 * {@code evaluate} reproducing its test line. Runs with -Pslow only.
 *
 * <p>NOTE: the default run reached test mIoUs of 0.3346 to 0.3560 over two code versions and
 * thread counts (docs/BENCHMARKS.md), and 0.2678 at the earlier constant rate of 1e-3. The floor
 * of 0.30 fails if the one-cycle schedule stops working, and leaves room for other rounding.
 */
@Tag("slow")
class MainJobTest {
    @TempDir
    Path dir;

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args), String.join(" ", args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void defaultTrainingLearnsAndEvaluateReproducesIt() {
        Path runDir = dir.resolve("main");
        long start = System.nanoTime();
        String out = run("train", "--set", "output.run_dir=" + runDir);
        double minutes = (System.nanoTime() - start) / 60e9;
        String testLine = out.lines().filter(l -> l.startsWith("test ")).findFirst().orElseThrow();
        double miou = Double.parseDouble(testLine.split(" ")[2]);
        assertTrue(miou > 0.30, "test mIoU after the default run: " + testLine);
        assertTrue(minutes < 10, "the default run took " + minutes + " minutes");
        String eval = run("evaluate", "--model", runDir.resolve("model.safetensors").toString());
        assertTrue(eval.contains(testLine), eval);
    }
}
