package org.fcn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fcn4j bench}: timing workloads. {@link Main#commandLine(String...)} adds its subcommands. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time fcn4j's kernels and reference workloads.")
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
