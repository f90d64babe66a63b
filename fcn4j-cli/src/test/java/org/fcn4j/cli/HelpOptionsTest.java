package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Every command and subcommand prints its usage on {@code --help}, the first thing a new user tries. */
class HelpOptionsTest {

    // Argument lists that reach each command, e.g. ["explain", "conv"], found by walking the command tree.
    private static List<List<String>> commandPaths(CommandLine command, List<String> prefix) {
        List<List<String>> paths = new ArrayList<>();
        for (var entry : command.getSubcommands().entrySet()) {
            if (entry.getValue().getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(entry.getKey());
            paths.add(path);
            paths.addAll(commandPaths(entry.getValue(), path));
        }
        return paths;
    }

    @Test
    void everyCommandPrintsUsageOnHelp() {
        List<List<String>> paths = commandPaths(Main.commandLine(), List.of());
        assertTrue(paths.contains(List.of("explain", "conv")), "command tree: " + paths);
        assertTrue(paths.contains(List.of("bench", "conv")), "command tree: " + paths);

        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            CliRun run = CliRun.of(args.toArray(String[]::new));
            String command = "fcn4j " + String.join(" ", args);
            assertEquals(0, run.exitCode(), command + " exit code; stderr:\n" + run.err());
            assertTrue(run.out().startsWith("Usage: fcn4j " + String.join(" ", path)), command + " stdout:\n" + run.out());
            assertFalse(run.err().contains("Unknown option"), command + " stderr:\n" + run.err());
        }
    }
}
