package org.fcn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fcn4j explain}: a group of subcommands. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Show what the course's layers and losses compute, with small worked examples.",
        subcommands = {ExplainConvCommand.class, ExplainNormsCommand.class, ExplainLossesCommand.class})
final class ExplainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
