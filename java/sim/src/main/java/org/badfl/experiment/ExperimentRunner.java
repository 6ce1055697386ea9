package org.badfl.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import org.badfl.data.DatasetSource;
import org.badfl.data.TrainTest;
import org.badfl.sim.SmoothedFinalEvaluation;
import org.badfl.gpu.Device;
import org.badfl.sim.AtomicFiles;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.DefenseResult;
import org.badfl.sim.RoundRecord;
import org.badfl.sim.RunFolder;
import org.badfl.sim.RunReport;
import org.badfl.sim.Scenario;
import org.badfl.sim.ScenarioConfig;
import org.badfl.sim.Simulation;
import org.badfl.sim.TrainingEngine;
import org.badfl.sim.SimulationListener;

/**
 * Runs an experiment's cells and aggregates them. The output folder:
 * <pre>
 *   experiment.json   the experiment, profile, fingerprint and cells (written before the first cell runs)
 *   cells/&lt;id&gt;/       one ordinary run folder per cell (config.json, rounds.csv, summary.json with provenance, ...)
 *   table.md, table.csv, table.json   the aggregated table ({@link ExperimentTable})
 *   figure.png        the figure (when a figure renderer is given)
 * </pre>
 * Every cell is prepared (data loaded, scenario checked) before any runs, so a bad cell stops the experiment with
 * nothing written. A folder holding another experiment (other fingerprint) is never written to. Finished cells
 * (with summary.json) are skipped; an interrupted cell resumes from its checkpoint, so after a {@code kill -9}
 * the same command continues where it stopped.
 */
public final class ExperimentRunner {

    static final String EXPERIMENT_JSON = "experiment.json";

    /** Progress of an experiment. */
    public interface Listener {
        /** A line of information. */
        default void message(String line) {
        }

        /**
         * Cell {@code index} (0-based) starts ({@code resumed}: from its checkpoint); returns the listener of its run.
         */
        default SimulationListener cellStarted(int index, int count, ExperimentCell cell, boolean resumed) {
            return SimulationListener.NONE;
        }

        /** Cell {@code index} finished in {@code seconds} (this session). */
        default void cellFinished(int index, int count, ExperimentCell cell, double seconds) {
        }
    }

    /** Draws the figure of a table as PNG bytes (the command line's JFreeChart; a library user may have none). */
    @FunctionalInterface
    public interface FigureRenderer {
        byte[] render(ExperimentTable table);
    }

    /** The state of a cell's folder. */
    public enum CellState {
        /** no folder yet */
        NEW,
        /** a folder without summary.json: resumes from its checkpoint */
        PARTIAL,
        /** summary.json written: skipped */
        DONE
    }

    /**
     * The checked cells of an experiment.
     *
     * @param cells       the cells in run order
     * @param states      each cell's state in the output folder
     * @param fingerprint SHA-256 over the experiment name, profile and every cell's scenario
     */
    public record Plan(List<ExperimentCell> cells, List<CellState> states, String fingerprint) {
    }

    /**
     * The calibrated estimate.
     *
     * @param cellSeconds estimated seconds per cell (0 for finished cells)
     * @param calibrationSeconds wall time of the calibration itself
     * @param basis       how it was measured, one line per calibrated cell
     */
    public record Estimate(List<Double> cellSeconds, double calibrationSeconds, List<String> basis) {
        public double totalSeconds() {
            return cellSeconds.stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    private final ExperimentSpec spec;
    private final String profile;
    private final Path out;
    private final int threads;
    private final ObjectNode overrides;
    private Device device;
    private String deviceDescription = "cpu";
    private TrainingEngine.Session engine;
    private String version = "unknown";
    private RunFolder.ChartRenderer charts;
    private FigureRenderer figure;
    private Listener listener = new Listener() {
    };
    private final Map<String, TrainTest> data = new HashMap<>();

    /**
     * @param spec      the experiment
     * @param profile   quick or paper
     * @param out       the experiment's output folder
     * @param threads   threads per run (0 = all cores)
     * @param overrides run keys applied to every cell after the profile's settings (e.g. {@code dataset} from the
     *                  command line), or null
     */
    public ExperimentRunner(ExperimentSpec spec, String profile, Path out, int threads, ObjectNode overrides) {
        this.spec = Objects.requireNonNull(spec);
        this.profile = Objects.requireNonNull(profile);
        this.out = Objects.requireNonNull(out);
        this.threads = threads;
        this.overrides = overrides == null ? JsonNodeFactory.instance.objectNode() : overrides;
        if (threads < 0) {
            throw new IllegalArgumentException("--threads: expected >= 0 (0 = all cores), found " + threads);
        }
    }

    /** Trains honest clients on {@code device} (null: the CPU), described as {@code description} in provenance. */
    public ExperimentRunner device(Device device, String description) {
        this.device = device;
        this.deviceDescription = description;
        return this;
    }

    /**
     * Trains the cells' clients on {@code engine}'s workers (not closed by the runner; null: in this JVM), with the
     * same results; the time estimate is calibrated in this JVM either way.
     */
    public ExperimentRunner engine(TrainingEngine.Session engine) {
        this.engine = engine;
        return this;
    }

    public ExperimentRunner version(String version) {
        this.version = version;
        return this;
    }

    /** Chart renderer of the cells' run folders (acc.png, asr.png). */
    public ExperimentRunner charts(RunFolder.ChartRenderer charts) {
        this.charts = charts;
        return this;
    }

    public ExperimentRunner figure(FigureRenderer figure) {
        this.figure = figure;
        return this;
    }

    public ExperimentRunner listener(Listener listener) {
        this.listener = Objects.requireNonNull(listener);
        return this;
    }

    public Path out() {
        return out;
    }

    public Path cellDir(ExperimentCell cell) {
        return out.resolve("cells").resolve(cell.id());
    }

    // ------------------------------------------------------------------ plan

    /**
     * Builds every cell, prepares each scenario (loading each dataset once) and checks the output folder; nothing
     * is written.
     *
     * @throws IllegalArgumentException a bad cell (named, with the reason) or an output folder that holds something
     *                                  else than this experiment
     */
    public Plan plan() {
        List<ExperimentCell> cells = spec.cells(profile, threads, overrides);
        List<ObjectNode> scenarios = new ArrayList<>();
        for (ExperimentCell cell : cells) {
            ScenarioConfig c = cell.config();
            c.out = out.resolve("cells").toString();
            Scenario scenario;
            try {
                scenario = Scenario.prepare(c, load(c.dataset));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("experiment " + spec.name() + " (" + spec.file() + "), profile "
                    + profile + ", cell " + cell.id() + " (" + cell.description() + "): " + e.getMessage()
                    + "; no cell was run");
            }
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("id", cell.id());
            entry.set("scenario", scenario.scenarioConfigTree());
            scenarios.add(entry);
        }
        String fingerprint = fingerprint(scenarios);
        checkOutput(fingerprint);
        List<CellState> states = new ArrayList<>();
        for (ExperimentCell cell : cells) {
            Path dir = cellDir(cell);
            states.add(Files.isRegularFile(dir.resolve("summary.json")) ? CellState.DONE
                : Files.exists(dir) ? CellState.PARTIAL : CellState.NEW);
        }
        return new Plan(cells, states, fingerprint);
    }

    private TrainTest load(String dataset) {
        TrainTest tt = data.get(dataset);
        if (tt == null) {
            tt = DatasetSource.load(dataset);
            data.put(dataset, tt);
        }
        return tt;
    }

    private String fingerprint(List<ObjectNode> scenarios) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("experiment", spec.name());
        o.put("profile", profile);
        ArrayNode list = o.putArray("cells");
        scenarios.forEach(list::add);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(RunReport.json(o).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The output folder must be missing, empty, or hold this very experiment (same fingerprint). */
    private void checkOutput(String fingerprint) {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException("output folder " + out + ": exists and is not a folder; not writing "
                + "there (choose another with --out)");
        }
        Path marker = out.resolve(EXPERIMENT_JSON);
        if (!Files.isRegularFile(marker)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("output folder " + out + ": holds files but no " + EXPERIMENT_JSON
                        + ", so it is not this experiment's; nothing overwritten (choose another with --out)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + out + ": " + e.getMessage(), e);
            }
            return;
        }
        JsonNode existing;
        try {
            existing = ConfigLoader.json().readTree(Files.readString(marker));
        } catch (IOException e) {
            throw new IllegalArgumentException("output folder " + out + ": " + EXPERIMENT_JSON + " cannot be read ("
                + e.getMessage() + "); nothing overwritten");
        }
        String found = existing.path("fingerprint").asText("");
        if (!found.equals(fingerprint)) {
            throw new IllegalArgumentException("output folder " + out + " holds a different experiment ("
                + existing.path("experiment").asText("?") + ", profile " + existing.path("profile").asText("?")
                + ", fingerprint " + abbreviate(found) + "; this one is " + spec.name() + ", profile " + profile
                + ", fingerprint " + abbreviate(fingerprint) + "): the experiment file or its options changed since "
                + "that folder was written. Nothing overwritten; choose another --out or remove the folder");
        }
    }

    private static String abbreviate(String h) {
        return h.length() > 12 ? h.substring(0, 12) : h;
    }

    // ------------------------------------------------------------------ estimate

    /**
     * Times one round of every defense of the first unfinished cell of each (dataset, model) pair, in memory
     * (nothing written), and scales it to every unfinished cell: per defense and round, training time by the
     * training work (fraction x epochs), aggregation by the clients per round, evaluation as measured, plus the
     * measured final evaluation once. A defense not in the calibrated cell gets the slowest calibrated one's time.
     */
    public Estimate estimate(Plan plan) {
        long t0 = System.nanoTime();
        Map<String, Calibration> byKey = new LinkedHashMap<>();
        List<String> basis = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < plan.cells().size(); i++) {
            if (plan.states().get(i) == CellState.DONE) {
                seconds.add(0.0);
                continue;
            }
            ScenarioConfig c = plan.cells().get(i).config();
            String key = c.dataset + " / " + c.model;
            Calibration cal = byKey.get(key);
            if (cal == null) {
                cal = calibrate(c);
                byKey.put(key, cal);
                basis.add(String.format(Locale.ROOT, "%s: one round of %s (cell %s) took %.1f s", key,
                    String.join(", ", c.defenses), plan.cells().get(i).id(), cal.wallSeconds));
            }
            seconds.add(cal.estimate(c));
        }
        return new Estimate(seconds, (System.nanoTime() - t0) / 1e9, basis);
    }

    private static final class Calibration {
        final ScenarioConfig config;
        final int clientsPerRound;
        final Map<String, double[]> perDefense = new LinkedHashMap<>(); // train, defense, eval, final
        double wallSeconds;

        Calibration(ScenarioConfig config, int clientsPerRound) {
            this.config = config;
            this.clientsPerRound = clientsPerRound;
        }

        double estimate(ScenarioConfig c) {
            double work = (c.fraction * c.epochs) / (config.fraction * config.epochs);
            int m = Math.max(1, (int) Math.round(c.fraction * c.clients));
            double clients = (double) m / clientsPerRound;
            double[] slowest = new double[4];
            for (double[] v : perDefense.values()) {
                if (v[1] + v[3] > slowest[1] + slowest[3]) {
                    slowest = v;
                }
            }
            double total = 0;
            for (String d : c.defenses) {
                double[] v = perDefense.getOrDefault(d, slowest);
                total += c.rounds * (v[0] * work + v[1] * clients + v[2]) + v[3];
            }
            return total;
        }
    }

    private Calibration calibrate(ScenarioConfig cellConfig) {
        ScenarioConfig c = ConfigLoader.copy(cellConfig);
        c.rounds = 1;
        c.defenseOffRounds = "none"; // times the defense itself (its off rounds may lie beyond round 1)
        Scenario scenario = Scenario.prepare(c, load(c.dataset));
        Calibration cal = new Calibration(cellConfig, scenario.selectClients(1).length);
        long start = System.nanoTime();
        Map<String, Long> started = new HashMap<>();
        Simulation.Outcome outcome = Simulation.of(scenario).threads(threads).device(device)
            .finalEvaluation(new SmoothedFinalEvaluation()).listener(new SimulationListener() {
                @Override
                public void defenseStarted(String defense, int index, int count, int firstRound, int rounds,
                                           int clientsPerRound) {
                    started.put(defense, System.nanoTime());
                }

                @Override
                public void defenseFinished(DefenseResult result) {
                    double wall = (System.nanoTime() - started.get(result.defense())) / 1e9;
                    cal.perDefense.put(result.defense(), new double[] {result.trainSeconds(), result.defenseSeconds(),
                        result.evalSeconds(), Math.max(0, wall - result.seconds())});
                }
            }).build().run();
        cal.wallSeconds = (System.nanoTime() - start) / 1e9;
        if (!outcome.complete()) {
            throw new IllegalStateException("calibration run stopped early");
        }
        return cal;
    }

    // ------------------------------------------------------------------ run

    /**
     * Runs every unfinished cell of {@code plan} (as returned by {@link #plan()}), then writes the table (and the
     * figure).
     *
     * @return the table
     */
    public ExperimentTable run(Plan plan) {
        long start = System.nanoTime();
        ObjectNode provenance = Provenance.collect(version, threads, deviceDescription);
        writeExperimentJson(plan);
        int count = plan.cells().size();
        Map<String, ObjectNode> summaries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            ExperimentCell cell = plan.cells().get(i);
            Path dir = cellDir(cell);
            Path summary = dir.resolve("summary.json");
            if (!Files.isRegularFile(summary)) {
                runCell(i, count, cell, dir);
            } else {
                listener.message(String.format(Locale.ROOT, "[cell %d/%d] %s: finished earlier, skipped", i + 1, count,
                    cell.id()));
            }
            summaries.put(cell.id(), readJson(summary));
        }
        Provenance.finish(provenance, start);
        ExperimentTable table = ExperimentTable.of(spec, profile, plan.cells(), summaries, provenance);
        AtomicFiles.write(out.resolve("table.md"), table.markdown());
        AtomicFiles.write(out.resolve("table.csv"), table.csv());
        AtomicFiles.write(out.resolve("table.json"), RunReport.json(table.json()));
        if (figure != null) {
            AtomicFiles.write(out.resolve("figure.png"), figure.render(table));
        }
        return table;
    }

    private void writeExperimentJson(Plan plan) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("experiment", spec.name());
        o.put("file", spec.file().toString());
        o.put("profile", profile);
        o.put("fingerprint", plan.fingerprint());
        ArrayNode cells = o.putArray("cells");
        for (ExperimentCell c : plan.cells()) {
            ObjectNode co = cells.addObject();
            co.put("id", c.id());
            ObjectNode labels = co.putObject("labels");
            c.labels().forEach(labels::put);
            co.put("seed", c.seed());
        }
        try {
            Files.createDirectories(out.resolve("cells"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(out.resolve(EXPERIMENT_JSON), RunReport.json(o));
    }

    private void runCell(int index, int count, ExperimentCell cell, Path dir) {
        ScenarioConfig config = ConfigLoader.copy(cell.config());
        config.out = out.resolve("cells").toString();
        config.name = cell.id();
        config.threads = threads;
        Scenario scenario = Scenario.prepare(config, load(config.dataset));
        if (engine != null) {
            engine.prepare(scenario); // before the cell's folder is written
        }
        boolean resumed = Files.isRegularFile(dir.resolve("config.json"));
        RunFolder folder;
        if (resumed) {
            folder = RunFolder.open(dir);
            Scenario recorded = Scenario.prepare(folder.readConfig(), load(config.dataset));
            if (!recorded.fingerprint().equals(scenario.fingerprint())) {
                throw new IllegalArgumentException("cell folder " + dir + ": its config.json is not this cell's "
                    + "scenario (edited by hand?); nothing overwritten. Remove that folder to rerun the cell");
            }
        } else {
            folder = RunFolder.create(dir, config, true); // only an empty folder (a kill before config.json) exists
        }
        folder.chartRenderer(charts);
        ObjectNode provenance = Provenance.collect(version, threads, deviceDescription);
        if (resumed) {
            provenance.put("resumed", true);
        }
        long t0 = System.nanoTime();
        SimulationListener runListener = listener.cellStarted(index, count, cell, resumed);
        Simulation.Outcome outcome = Simulation.of(scenario).threads(threads).folder(folder).listener(runListener)
            .device(device).engine(engine).finalEvaluation(new SmoothedFinalEvaluation()).build().run();
        if (!outcome.complete()) {
            throw new IllegalStateException("cell " + cell.id() + " stopped before its last round");
        }
        Provenance.finish(provenance, t0);
        ObjectNode summary = outcome.summary().deepCopy();
        summary.set("provenance", provenance);
        AtomicFiles.write(folder.summaryJson(), RunReport.json(summary));
        listener.cellFinished(index, count, cell, (System.nanoTime() - t0) / 1e9);
        if (folder.chartProblem() != null) {
            listener.message("warning: " + folder.chartProblem());
        }
    }

    private static ObjectNode readJson(Path file) {
        try {
            return (ObjectNode) ConfigLoader.json().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
