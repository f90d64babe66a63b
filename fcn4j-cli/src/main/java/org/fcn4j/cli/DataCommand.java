package org.fcn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fcn4j data}: a group of subcommands. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Look at and export the built-in datasets.",
        subcommands = {DataShowCommand.class, DataExportCommand.class})
final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
