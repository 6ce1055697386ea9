package org.badfl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command line entry point: {@code ./badfl <command> [options]}. */
@Command(name = "badfl", mixinStandardHelpOptions = true, version = "badfl 0.1.0",
    description = "Backdoor-robust federated learning: BADFL, baseline defenses and attacks on a Java/CUDA engine.",
    subcommands = {
        CommandLine.HelpCommand.class,
        ModelsCommand.class,
        DatasetsCommand.class,
        GpuCommand.class,
        RunCommand.class,
        ExperimentCommand.class,
        HeatmapsCommand.class,
        ServeCommand.class,
    })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Exit codes: 0 success, 1 failure while running, 2 bad usage or bad input. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
