package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Which command lines make {@link Main#main} start the kernels' compilation before parsing, and
 * which commands {@link Main#commandLine(String...)} builds for them.
 */
class MainTest {

    @Test
    void computingCommandsStartTheKernels() {
        assertTrue(Main.runsKernels("train"), "train");
        assertTrue(Main.runsKernels("--threads", "2", "bench", "unet", "--size", "small"), "bench unet after --threads");
        assertTrue(Main.runsKernels("evaluate", "--model", "m.safetensors"), "evaluate");
        assertTrue(Main.runsKernels("predict"), "predict");
    }

    @Test
    void otherCommandLinesDoNot() {
        assertFalse(Main.runsKernels(), "no arguments");
        assertFalse(Main.runsKernels("--version"), "--version alone, which names no command");
        assertFalse(Main.runsKernels("explain", "losses"), "explain");
        assertFalse(Main.runsKernels("help", "train"), "help");
        assertFalse(Main.runsKernels("evaluate", "--help"), "evaluate --help");
        assertFalse(Main.runsKernels("bench", "unet", "-h"), "bench unet -h");
        assertFalse(Main.runsKernels("train", "--version"), "train --version");
        assertFalse(Main.runsKernels("train", "--list-keys"), "train --list-keys");
    }

    @Test
    void benchBuildsOnlyTheNamedBenchmark() {
        assertEquals(List.of("unet"), benchmarks("--threads", "2", "bench", "unet", "--size", "small"));
        assertEquals(List.of("gemm"), benchmarks("bench", "--threads", "1", "gemm"));
        List<String> all = List.of("gemm", "conv", "unet", "data");
        assertEquals(all, benchmarks("bench"), "bench alone prints them all");
        assertEquals(all, benchmarks("bench", "--help"), "bench --help");
        assertEquals(all, benchmarks("bench", "nope"), "a misspelt benchmark gets the usage of all");
        assertEquals(all, benchmarks(), "the whole tree");
    }

    // The subcommands of bench in the tree built for args.
    private static List<String> benchmarks(String... args) {
        return List.copyOf(Main.commandLine(args).getSubcommands().get("bench").getSubcommands().keySet());
    }

    /** A bad FCN4J_THREADS ends the run with its own sentence and exit code 2, not a stack trace. */
    @Test
    void badThreadVariableIsReported() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "summary", "--input", "1x64x64");
        pb.environment().put("FCN4J_THREADS", "abc");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process did not end within 60 s");
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("fcn4j: environment variable FCN4J_THREADS must be a positive integer, got 'abc'"),
                output);
        assertFalse(output.contains("ExceptionInInitializerError"), output);
    }
}
