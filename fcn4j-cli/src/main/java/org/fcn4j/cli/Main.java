package org.fcn4j.cli;

import java.util.concurrent.Callable;

import org.fcn4j.kernel.Parallel;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code fcn4j} command: entry point and global options. */
@Command(name = "fcn4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train and run fully convolutional networks (U-Net, FCN) on the JVM.",
        subcommands = {
            CommandLine.HelpCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            SummaryCommand.class,
            BenchCommand.class,
            ExplainCommand.class,
            DataCommand.class,
            IouCommand.class,
        })
public final class Main implements Callable<Integer> {

    @Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT, paramLabel = "N",
            description = "Compute threads (default: FCN4J_THREADS, else all cores).")
    void setThreads(int n) {
        Parallel.setThreads(n);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof IllegalStateException) {
                cmd.getErr().println("fcn4j: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
