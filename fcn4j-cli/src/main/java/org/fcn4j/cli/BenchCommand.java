package org.fcn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fcn4j bench}: timing workloads. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time fcn4j's kernels and reference workloads.",
        subcommands = {BenchGemmCommand.class, BenchConvCommand.class, BenchUnetCommand.class,
            DataBenchCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
