package org.fcn4j.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import org.fcn4j.kernel.Gemm;
import org.fcn4j.kernel.Parallel;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code fcn4j} command: entry point and global options.
 *
 * <p>NOTE: picocli builds the model of a command by reflection over it and its subcommands, which
 * loads every class their fields name, JFreeChart and AWT included. For the whole tree this took
 * about 0.4 s of a small unet-bench run on a busy 2-core machine, so a run that names a command
 * gets only that command's tree, and a run of {@code bench} only the benchmark it names. Usage,
 * {@code help} and unknown commands get the whole tree.
 */
@Command(name = "fcn4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train and run fully convolutional networks (U-Net, FCN) on the JVM.")
public final class Main implements Callable<Integer> {

    /** The top-level commands by name, in the order the usage lists them. */
    private static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();

    /**
     * The subcommands of {@code bench} by name. A run that names one gets only that one: built with
     * all four, {@code bench unet} took about 45 ms longer to reach its model (2 cores).
     */
    private static final Map<String, Class<?>> BENCHMARKS = new LinkedHashMap<>();

    /** Commands that run the kernels, whose compilation {@link #main} starts first. */
    private static final Set<String> COMPUTING = Set.of("train", "evaluate", "predict", "bench");

    static {
        COMMANDS.put("help", CommandLine.HelpCommand.class);
        COMMANDS.put("train", TrainCommand.class);
        COMMANDS.put("evaluate", EvaluateCommand.class);
        COMMANDS.put("predict", PredictCommand.class);
        COMMANDS.put("summary", SummaryCommand.class);
        COMMANDS.put("bench", BenchCommand.class);
        COMMANDS.put("explain", ExplainCommand.class);
        COMMANDS.put("data", DataCommand.class);
        COMMANDS.put("iou", IouCommand.class);
        BENCHMARKS.put("gemm", BenchGemmCommand.class);
        BENCHMARKS.put("conv", BenchConvCommand.class);
        BENCHMARKS.put("unet", BenchUnetCommand.class);
        BENCHMARKS.put("data", DataBenchCommand.class);
    }

    @Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT, paramLabel = "N",
            description = "Compute threads (default: FCN4J_THREADS, else all cores).")
    void setThreads(int n) {
        if (n < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1, got " + n);
        }
        Parallel.setThreads(n);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        commandLine().usage(System.out);
        return 0;
    }

    public static void main(String[] args) {
        try {
            Parallel.threads();
        } catch (ExceptionInInitializerError e) {
            // FCN4J_THREADS or fcn4j.threads is not a positive integer, and the cause names which.
            System.err.println("fcn4j: " + (e.getCause() == null ? e : e.getCause().getMessage()));
            System.exit(2);
        }
        if (runsKernels(args)) {
            // The kernels compile in the background while picocli builds and parses the command,
            // which takes some 100 ms.
            Gemm.prepare();
        }
        System.exit(run(args));
    }

    /**
     * Returns true when args name a command that runs the kernels (train, evaluate, predict, bench)
     * and do not ask for its help, its version or train's list of keys.
     */
    static boolean runsKernels(String... args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V")
                    || a.equals("--list-keys")) {
                return false;
            }
        }
        String named = commandName(args);
        return named != null && COMPUTING.contains(named);
    }

    /** Runs the command line and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = commandLine(args);
        cli.setParameterExceptionHandler((e, params) -> {
            // An option that the commands inherit from the top level (--threads) reports the top
            // level even when given after a command, so the usage shown is that of the command named.
            CommandLine cmd = e.getCommandLine() == cli ? namedCommand(cli, params) : e.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("fcn4j: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                cmd.usage(err);
            }
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
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

    /** Builds the whole command tree, every command and subcommand. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * Builds the command tree that running {@code args} needs: only the command they name, or
     * every command when they name none of them (usage, {@code help}, a misspelt command).
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        String named = commandName(args);
        if (named != null && !named.equals("help") && COMMANDS.containsKey(named)) {
            cli.addSubcommand(named, COMMANDS.get(named));
        } else {
            COMMANDS.forEach(cli::addSubcommand);
        }
        CommandLine bench = cli.getSubcommands().get("bench");
        if (bench != null) {
            String benchmark = "bench".equals(named) ? commandName(args, 1) : null;
            if (benchmark != null && BENCHMARKS.containsKey(benchmark)) {
                bench.addSubcommand(benchmark, BENCHMARKS.get(benchmark));
            } else {
                BENCHMARKS.forEach(bench::addSubcommand);
            }
        }
        return cli;
    }

    // The command (and benchmark) that args name, or cli itself when they name none.
    private static CommandLine namedCommand(CommandLine cli, String[] args) {
        CommandLine cmd = cli;
        for (int level = 0; level < 2; level++) {
            String name = commandName(args, level);
            if (name == null || !cmd.getSubcommands().containsKey(name)) {
                break;
            }
            cmd = cmd.getSubcommands().get(name);
        }
        return cmd;
    }

    // The first argument that is neither an option nor the value of --threads, or null.
    private static String commandName(String[] args) {
        return commandName(args, 0);
    }

    // Among the arguments that are neither options nor values of --threads, the one at index skip, or null.
    private static String commandName(String[] args, int skip) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--threads")) {
                i++;
            } else if (!a.startsWith("-") && skip-- == 0) {
                return a;
            }
        }
        return null;
    }
}
