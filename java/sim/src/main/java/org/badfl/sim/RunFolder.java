package org.badfl.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * The output folder of a run, {@code <out>/<name>/}:
 * <pre>
 *   config.json     the fully resolved config (re-runnable with --config)
 *   rounds.csv      one row per defense x round with all metrics (rewritten atomically after every round)
 *   summary.json    {"scenario": {...}, "results": [...]} (at the end)
 *   acc.png, asr.png  ACC and ASR per round, one line per defense (at the end)
 *   report.md       the final table and the plots (at the end)
 *   checkpoint/     state.json + the current global model (after every round)
 * </pre>
 * Every file is replaced atomically ({@link AtomicFiles}). A folder is never written over by a new run unless
 * the user asks ({@code --force}); {@code --resume} reopens it.
 */
public final class RunFolder {

    static final String CONFIG = "config.json";

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates the folder of a new run and writes its resolved config.
     *
     * @param force replace an existing run folder (only one that looks like a badfl run folder, or is empty)
     * @throws IllegalArgumentException the folder exists and {@code force} is false, or it is not a run folder
     */
    public static RunFolder create(Path dir, ScenarioConfig resolved, boolean force) {
        if (Files.exists(dir)) {
            if (!force) {
                throw new IllegalArgumentException("run folder " + dir + " already exists; use --resume " + dir
                    + " to continue it, --force to replace it, or another --name");
            }
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("run folder " + dir + ": exists and is not a folder; not replacing it");
            }
            if (!isRunFolder(dir) && !isEmpty(dir)) {
                throw new IllegalArgumentException("run folder " + dir + ": exists but holds no badfl run (no "
                    + CONFIG + "); not replacing it even with --force");
            }
            deleteRecursively(dir);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir + ": " + e.getMessage(), e);
        }
        RunFolder f = new RunFolder(dir);
        AtomicFiles.write(f.config(), ConfigLoader.toJson(resolved));
        return f;
    }

    /**
     * Opens an existing run folder (for {@code --resume}).
     *
     * @throws IllegalArgumentException missing folder or no {@code config.json} in it
     */
    public static RunFolder open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--resume " + dir + ": expected a run folder, found nothing");
        }
        if (!isRunFolder(dir)) {
            throw new IllegalArgumentException("--resume " + dir + ": expected a run folder with " + CONFIG
                + ", found none");
        }
        return new RunFolder(dir);
    }

    /** {@code <out>/run-<yyyyMMdd-HHmmss>}, with "-2", "-3", ... appended if taken. */
    public static String freshName(Path out) {
        String base = "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String name = base;
        for (int k = 2; Files.exists(out.resolve(name)); k++) {
            name = base + "-" + k;
        }
        return name;
    }

    private static boolean isRunFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace run folder " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path roundsCsv() {
        return dir.resolve("rounds.csv");
    }

    public Path summaryJson() {
        return dir.resolve("summary.json");
    }

    public Path reportMd() {
        return dir.resolve("report.md");
    }

    public Path accPng() {
        return dir.resolve("acc.png");
    }

    public Path asrPng() {
        return dir.resolve("asr.png");
    }

    public Path checkpointDir() {
        return dir.resolve("checkpoint");
    }

    /** Reads the run's resolved config. */
    public ScenarioConfig readConfig() {
        return ConfigLoader.load(config());
    }

    /** Rewrites {@code rounds.csv} from all records so far. */
    public void writeRounds(List<RoundRecord> records, int adversaries) {
        AtomicFiles.write(roundsCsv(), RunReport.roundsCsv(records, adversaries));
    }

    /** Renders one chart of the rounds as PNG bytes (the command line draws them; a library user may not). */
    @FunctionalInterface
    public interface ChartRenderer {
        byte[] render(List<RoundRecord> records, String subtitle, boolean attackSuccess);
    }

    private ChartRenderer charts;
    private String chartProblem;

    /** Draws the ACC/ASR charts with {@code renderer} in {@link #writeFinal} (null, the default: no charts). */
    public RunFolder chartRenderer(ChartRenderer renderer) {
        this.charts = renderer;
        return this;
    }

    /**
     * Why {@link #writeFinal} wrote no charts (for example a headless server whose JVM font library cannot load
     * libharfbuzz), or null when it wrote them.
     */
    public String chartProblem() {
        return chartProblem;
    }

    /**
     * Writes the final outputs: rounds.csv, summary.json, report.md, then the plots. The data files come first and a
     * chart that cannot be drawn (AWT or its native font libraries missing) is reported by {@link #chartProblem}
     * instead of failing the finished run: the results are never lost to a plotting problem.
     */
    public void writeFinal(Scenario scenario, List<RoundRecord> records, List<DefenseResult> results,
                           ObjectNode summary) {
        writeRounds(records, scenario.adversaries().size());
        AtomicFiles.write(summaryJson(), RunReport.json(summary));
        AtomicFiles.write(reportMd(), RunReport.markdown(dir.getFileName().toString(), scenario.summaryLine(), results,
            scenario.hasAsr()));
        String subtitle = scenario.data().spec() + ", " + scenario.modelSpec().name() + ", "
            + scenario.config().clients + " clients"
            + (scenario.hasAttack() ? ", " + attackLine(scenario) : ", no attack");
        chartProblem = null;
        if (charts == null) {
            return;
        }
        try {
            AtomicFiles.write(accPng(), charts.render(records, subtitle, false));
            if (scenario.hasAsr()) {
                AtomicFiles.write(asrPng(), charts.render(records, subtitle, true));
            }
        } catch (LinkageError | java.awt.AWTError | InternalError | java.awt.HeadlessException e) {
            chartProblem = "charts not drawn (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                + "); rounds.csv, summary.json and report.md hold every result";
        }
    }

    private static String attackLine(Scenario s) {
        StringBuilder sb = new StringBuilder();
        for (Scenario.Adversary a : s.adversaries()) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(a.clients().length).append(" x ").append(a.attack().name());
            if (a.attack().targeted()) {
                sb.append(" -> ").append(a.attack().target());
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
