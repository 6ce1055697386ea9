package org.badfl.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.badfl.experiment.ExperimentCell;
import org.badfl.experiment.ExperimentRunner;
import org.badfl.experiment.ExperimentSpec;
import org.badfl.experiment.ExperimentTable;
import org.badfl.gpu.TrainingDevice;
import org.badfl.sim.ScenarioConfig;
import org.badfl.sim.SimulationListener;
import org.badfl.sim.TrainingEngine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code badfl experiment NAME|FILE}: runs the grid of scenarios of an experiment file (experiments/NAME.yaml),
 * each cell an ordinary run folder, then writes the aggregated table (Markdown, CSV, JSON) and the figure (PNG).
 * Every cell is checked before any runs; bad input exits with code 2 and writes nothing. Running the same command
 * again skips finished cells and resumes an interrupted one from its checkpoint.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run an experiment: a grid of scenarios from experiments/NAME.yaml (one file per table or figure "
        + "of the paper), each cell a run folder under <out>/cells/, then the aggregated table (table.md, table.csv, "
        + "table.json; mean and 95%% t-interval over seeds) and figure.png. Finished cells are skipped; after an "
        + "interruption (even kill -9) the same command resumes.", ""})
public final class ExperimentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME|FILE",
        description = "An experiment name (a file NAME.yaml in the experiments folder) or a path to a .yaml file.")
    String experiment;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "quick",
        description = "quick (minutes on 2 cores) or paper (the paper's sizes). Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--dry-run",
        description = "Check every cell, print the cells and an estimate of the time from a one-round calibration, "
            + "and exit without running (nothing written).")
    boolean dryRun;

    @Option(names = "--out", paramLabel = "DIR",
        description = "Output folder (default: runs/experiments/<name>-<profile>).")
    Path out;

    @Option(names = "--dataset", paramLabel = "SPEC",
        description = "Dataset of every cell instead of the file's (e.g. idx:DIR, cifar10:DIR, fashion-mnist); the "
            + "data used is printed in the table's caption.")
    String dataset;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
        description = "Threads per run (0 = all cores; results do not depend on it). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
        description = "Where clients train: auto, gpu, cpu or emu (as for run). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = TrainingEngine.LOCAL,
        description = "Where the runs' clients train: local or spark (as for run). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--spark-master", paramLabel = "URL", defaultValue = "local[*]",
        description = "With --engine spark: the master URL (as for run). Default: ${DEFAULT-VALUE}.")
    String sparkMaster;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
        description = "auto, bar, plain or none (as for run). Default: ${DEFAULT-VALUE}.")
    String progress;

    @Option(names = "--experiments-dir", paramLabel = "DIR", defaultValue = "experiments",
        description = "Folder of the experiment files. Default: ${DEFAULT-VALUE}.")
    Path experimentsDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ProgressPrinter.Mode mode = ProgressPrinter.Mode.parse(progress);
        if (!ExperimentSpec.PROFILES.contains(profile)) {
            throw new IllegalArgumentException("--profile: expected " + String.join(" or ", ExperimentSpec.PROFILES)
                + ", found '" + profile + "'");
        }
        ExperimentSpec experimentSpec = ExperimentSpec.find(experiment, experimentsDir);
        Path folder = this.out != null ? this.out
            : Path.of("runs", "experiments", experimentSpec.name() + "-" + profile);
        ObjectNode overrides = JsonNodeFactory.instance.objectNode();
        if (dataset != null) {
            overrides.put("dataset", dataset);
        }
        boolean local = engine.equals(TrainingEngine.LOCAL);
        if (!local && !device.equals("auto") && !device.equals("cpu")) {
            throw new IllegalArgumentException("--device " + device + " trains in this JVM, --engine " + engine
                + " on its workers' CPU engine: give one of them");
        }
        try (TrainingDevice training = TrainingDevice.select(local ? device : "cpu");
             TrainingEngine.Session session = local || dryRun ? null
                 : TrainingEngine.named(engine).connect(sparkMaster)) {
            ExperimentRunner runner = new ExperimentRunner(experimentSpec, profile, folder, threads, overrides)
                .device(training.device(), session != null ? session.description()
                    : training.onCpu() ? "cpu" : training.message())
                .engine(session)
                .version(version())
                .charts(Plots::render)
                .figure(ExperimentFigure::render);
            out.println("badfl experiment " + experimentSpec.name() + " (" + experimentSpec.file() + "), profile "
                + profile + ": " + experimentSpec.title());
            out.println(session != null ? "clients train on " + session.description() : training.message());
            out.flush();
            ExperimentRunner.Plan plan = runner.plan(); // every cell checked; nothing written yet
            printCells(plan, out);
            if (dryRun) {
                return dryRun(runner, plan, out);
            }
            out.println("outputs: " + folder + "  (after an interruption, the same command resumes)");
            out.flush();
            runner.listener(new Progress(mode, out));
            long t0 = System.nanoTime();
            ExperimentTable table = runner.run(plan);
            out.println();
            out.print(table.markdown());
            out.printf(Locale.ROOT, "%nwrote %s/{table.md, table.csv, table.json, figure.png, experiment.json, cells/} "
                + "in %s%n", folder, duration((System.nanoTime() - t0) / 1e9));
            out.flush();
            return 0;
        }
    }

    private static String version() {
        String[] v = new CommandLine(new Main()).getCommandSpec().version();
        return v.length == 0 ? "unknown" : v[0].replaceFirst("^badfl ", "");
    }

    private void printCells(ExperimentRunner.Plan plan, PrintWriter out) {
        out.printf(Locale.ROOT, "%d cells (%s):%n", plan.cells().size(), String.join(" x ",
            plan.cells().isEmpty() ? List.of() : List.copyOf(plan.cells().get(0).labels().keySet())) + " x seeds");
        for (int i = 0; i < plan.cells().size(); i++) {
            ExperimentCell c = plan.cells().get(i);
            ScenarioConfig s = c.config();
            out.printf(Locale.ROOT, "  %3d  %-50s %s; %d clients, fraction %s, %d rounds, %s, %s; defenses %s%n",
                i + 1, c.id(), state(plan.states().get(i)), s.clients, s.fraction, s.rounds, s.dataset, s.model,
                String.join(",", s.defenses));
        }
        out.flush();
    }

    private static String state(ExperimentRunner.CellState s) {
        return switch (s) {
            case NEW -> "to run";
            case PARTIAL -> "to resume";
            case DONE -> "done";
        };
    }

    private int dryRun(ExperimentRunner runner, ExperimentRunner.Plan plan, PrintWriter out) {
        out.println("calibrating (one round of every defense of the first unfinished cell per dataset and model, in "
            + "memory)...");
        out.flush();
        ExperimentRunner.Estimate e = runner.estimate(plan);
        e.basis().forEach(line -> out.println("  " + line));
        for (int i = 0; i < plan.cells().size(); i++) {
            if (plan.states().get(i) != ExperimentRunner.CellState.DONE) {
                out.printf(Locale.ROOT, "  %3d  %-50s ~%s%n", i + 1, plan.cells().get(i).id(),
                    duration(e.cellSeconds().get(i)));
            }
        }
        out.printf(Locale.ROOT, "estimated time: ~%s with %s threads (an estimate from the calibration above, "
                + "not a measurement; calibration took %s). Nothing was written.%n", duration(e.totalSeconds()),
            threads == 0 ? "all " + Runtime.getRuntime().availableProcessors() : String.valueOf(threads),
            duration(e.calibrationSeconds()));
        out.flush();
        return 0;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /** A line per cell, then the run's own progress ({@link ProgressPrinter}) for its defenses and rounds. */
    private static final class Progress implements ExperimentRunner.Listener {
        private final ProgressPrinter.Mode mode;
        private final PrintWriter out;
        private ProgressPrinter printer;

        Progress(ProgressPrinter.Mode mode, PrintWriter out) {
            this.mode = mode;
            this.out = out;
        }

        @Override
        public void message(String line) {
            if (mode != ProgressPrinter.Mode.NONE) {
                out.println(line);
                out.flush();
            }
        }

        @Override
        public SimulationListener cellStarted(int index, int count, ExperimentCell cell, boolean resumed) {
            message(String.format(Locale.ROOT, "[cell %d/%d] %s (%s)%s", index + 1, count, cell.id(),
                cell.description(), resumed ? ": resuming from its checkpoint" : ""));
            printer = new ProgressPrinter(mode, out, System.err);
            return printer;
        }

        @Override
        public void cellFinished(int index, int count, ExperimentCell cell, double seconds) {
            if (printer != null) {
                printer.close();
                printer = null;
            }
            message(String.format(Locale.ROOT, "[cell %d/%d] %s finished in %s", index + 1, count, cell.id(),
                duration(seconds)));
        }
    }
}
