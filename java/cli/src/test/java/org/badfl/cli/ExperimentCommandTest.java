package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code badfl experiment}: outputs, bad input (exit code 2, nothing written), skip and kill -9 resume. */
class ExperimentCommandTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** Two cells (1 and 2 attackers) of a tiny synthetic scenario; {@code rounds} per defense. */
    private static String tiny(int rounds, String grid) {
        return """
            title: "Tiny attackers"
            settings:
              dataset: "synthetic:n=360,test=60,classes=4,size=16"
              clients: 6
              epochs: 1
              batch-size: 8
              lr: 0.05
              root-set: 8
              inspection-set: 4
              min-samples: 5
              attack: constrain-and-scale
              trigger: square
              defenses: [no-attack, flame]
            """ + grid + """
            figure: {x: attackers, metrics: [acc, asr]}
            profiles:
              quick:
                settings: {rounds: %d}
              paper:
                settings: {rounds: 9}
            """.formatted(rounds);
    }

    private Path experiments() throws IOException {
        Path folder = dir.resolve("experiments");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("tiny.yaml"), tiny(2, "grid:\n  attackers: [1, 2]\n"));
        return folder;
    }

    private static List<String> listing(Path p) throws IOException {
        if (!Files.exists(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.map(x -> p.relativize(x).toString()).sorted().toList();
        }
    }

    @Test
    void runWritesTheTableAndFigureAndASecondRunSkipsEveryCell() throws IOException {
        Path folder = experiments();
        Path o = dir.resolve("out");
        assertEquals(0, run("experiment", "tiny", "--experiments-dir", folder.toString(), "--out", o.toString(),
            "--threads", "2", "--progress", "plain"), err.toString());
        for (String f : new String[] {"table.md", "table.csv", "table.json", "figure.png", "experiment.json",
            "cells/attackers-1_seed-1/summary.json", "cells/attackers-2_seed-1/acc.png"}) {
            assertTrue(Files.isRegularFile(o.resolve(f)), f);
        }
        assertTrue(Files.size(o.resolve("figure.png")) > 1000);
        assertTrue(out.toString().contains("[cell 2/2] attackers-2_seed-1"), out.toString());
        assertTrue(out.toString().contains("| 2 | flame | 1 |"), out.toString());
        String table = Files.readString(o.resolve("table.md"));
        assertTrue(table.contains("cpu_model: "), table);

        assertEquals(0, run("experiment", "tiny", "--experiments-dir", folder.toString(), "--out", o.toString(),
            "--progress", "plain"), err.toString());
        assertTrue(out.toString().contains("[cell 1/2] attackers-1_seed-1: finished earlier, skipped"), out.toString());
        assertTrue(out.toString().contains("done;"), out.toString());
    }

    @Test
    void dryRunPrintsTheCellsAndAnEstimateAndWritesNothing() throws IOException {
        Path folder = experiments();
        Path o = dir.resolve("out");
        assertEquals(0, run("experiment", "tiny", "--dry-run", "--experiments-dir", folder.toString(), "--out",
            o.toString(), "--threads", "2"), err.toString());
        String text = out.toString();
        assertTrue(text.contains("2 cells (attackers x seeds)"), text);
        assertTrue(text.contains("attackers-2_seed-1"), text);
        assertTrue(text.contains("estimated time: ~"), text);
        assertTrue(text.contains("one round of no-attack, flame"), text);
        assertFalse(Files.exists(o));
    }

    @Test
    void unknownExperimentListsTheAvailableOnes() throws IOException {
        Path folder = experiments();
        assertEquals(2, run("experiment", "nope", "--experiments-dir", folder.toString()));
        assertTrue(err.toString().contains("experiment 'nope'") && err.toString().contains("available: tiny"),
            err.toString());
    }

    @Test
    void badFilesExitWithTwoAndWriteNothing() throws IOException {
        Path o = dir.resolve("out");
        Path unknownKey = dir.resolve("unknown.yaml");
        Files.writeString(unknownKey, tiny(2, "grid:\n  attackers: [1]\n").replace("  lr: 0.05\n", "  lr: 0.05\n"
            + "  learning-rate: 0.1\n"));
        assertEquals(2, run("experiment", unknownKey.toString(), "--out", o.toString()));
        assertTrue(err.toString().contains("unknown run key 'learning-rate'") && err.toString().contains("line 8"),
            err.toString());

        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, tiny(2, "grid: {}\n"));
        assertEquals(2, run("experiment", empty.toString(), "--out", o.toString()));
        assertTrue(err.toString().contains("empty grid"), err.toString());

        Path badCell = dir.resolve("badcell.yaml");
        Files.writeString(badCell, tiny(2, "grid:\n  attackers: [1, 2]\n  batch-size: [8, 0]\n"));
        assertEquals(2, run("experiment", badCell.toString(), "--out", o.toString()));
        assertTrue(err.toString().contains("cell attackers-1_batch-size-0_seed-1")
            && err.toString().contains("batch-size"), err.toString());

        assertEquals(2, run("experiment", empty.toString(), "--profile", "huge", "--out", o.toString()));
        assertTrue(err.toString().contains("--profile"), err.toString());
        assertFalse(Files.exists(o), "nothing written for bad input");
    }

    @Test
    void anOutputFolderOfAnotherExperimentIsLeftAlone() throws IOException {
        Path folder = experiments();
        Path o = dir.resolve("out");
        assertEquals(0, run("experiment", "tiny", "--experiments-dir", folder.toString(), "--out", o.toString(),
            "--progress", "none"), err.toString());
        List<String> before = listing(o);
        String table = Files.readString(o.resolve("table.md"));
        Files.writeString(folder.resolve("tiny.yaml"), tiny(3, "grid:\n  attackers: [1, 2]\n"));
        assertEquals(2, run("experiment", "tiny", "--experiments-dir", folder.toString(), "--out", o.toString(),
            "--progress", "none"));
        assertTrue(err.toString().contains("holds a different experiment"), err.toString());
        assertEquals(before, listing(o));
        assertEquals(table, Files.readString(o.resolve("table.md")));
    }

    /** True when cell 2's checkpoint holds a model after its first round. */
    private static boolean secondCellUnderway(Path cell) throws IOException {
        Path checkpoint = cell.resolve("checkpoint");
        if (!Files.isDirectory(checkpoint)) {
            return false;
        }
        try (Stream<Path> s = Files.list(checkpoint)) {
            return s.map(p -> p.getFileName().toString()).anyMatch(n -> n.matches("global-d\\d+-r\\d+\\.bin")
                && !n.equals("global-d0-r1.bin"));
        }
    }

    @Test
    void killNineThenTheSameCommandResumesToTheUninterruptedResult() throws Exception {
        Path folder = dir.resolve("experiments");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("tiny.yaml"), tiny(6, "grid:\n  attackers: [1, 2]\n"));
        Path killed = dir.resolve("killed");
        String[] args = {"experiment", "tiny", "--experiments-dir", folder.toString(), "--out", killed.toString(),
            "--progress", "plain", "--threads", "2"};
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
            System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile()).start();
        Path cell2 = killed.resolve("cells/attackers-2_seed-1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && !secondCellUnderway(cell2) && child.isAlive()) {
            Thread.sleep(10);
        }
        boolean killedMidRun = child.isAlive();
        child.destroyForcibly(); // SIGKILL: no shutdown hooks
        child.waitFor(30, TimeUnit.SECONDS);
        assertTrue(killedMidRun, "the child ended before it could be killed: "
            + Files.readString(dir.resolve("child.log")));
        assertTrue(Files.isRegularFile(killed.resolve("cells/attackers-1_seed-1/summary.json")));
        assertFalse(Files.exists(cell2.resolve("summary.json")));

        assertEquals(0, run(args), err.toString());
        assertTrue(out.toString().contains("attackers-1_seed-1: finished earlier, skipped"), out.toString());
        assertTrue(out.toString().contains("resuming from its checkpoint"), out.toString());

        Path whole = dir.resolve("whole");
        assertEquals(0, run("experiment", "tiny", "--experiments-dir", folder.toString(), "--out", whole.toString(),
            "--progress", "none", "--threads", "1"), err.toString());
        for (String cell : new String[] {"attackers-1_seed-1", "attackers-2_seed-1"}) {
            ObjectNode a = read(killed.resolve("cells").resolve(cell).resolve("summary.json"));
            ObjectNode b = read(whole.resolve("cells").resolve(cell).resolve("summary.json"));
            a.remove("provenance");
            b.remove("provenance");
            assertEquals(RunReport.withoutTimes(b), RunReport.withoutTimes(a), cell);
        }
        ObjectNode ta = read(killed.resolve("table.json"));
        ObjectNode tb = read(whole.resolve("table.json"));
        assertEquals(tb.get("rows"), ta.get("rows"));
    }

    private static ObjectNode read(Path p) throws IOException {
        return (ObjectNode) ConfigLoader.json().readTree(Files.readString(p));
    }
}
