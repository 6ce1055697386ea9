package org.badfl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.badfl.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code badfl run --engine spark} against {@code --engine local}: the same outputs, and bad input refused. */
class SparkEngineCommandLineTest {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(List<String> args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private List<String> runArgs(String name, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--out", dir.toString(), "--name", name, "--progress",
            "none"));
        args.addAll(SparkRuns.smallFlags());
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void sparkRunEqualsLocalRun() throws IOException {
        Result local = run(runArgs("local", "--engine", "local"));
        assertEquals(0, local.code(), local.err());
        Result spark = run(runArgs("spark", "--engine", "spark", "--spark-master", "local[2]"));
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.out().contains("clients train on spark local[2]"), spark.out());

        assertEquals(SparkRuns.readSummary(dir.resolve("local/summary.json")),
            SparkRuns.readSummary(dir.resolve("spark/summary.json")));
        List<String> rounds = SparkRuns.roundsWithoutTimes(dir.resolve("local/rounds.csv"));
        assertEquals(1 + 2 * 2, rounds.size(), "header + 2 defenses x 2 rounds");
        assertEquals(rounds, SparkRuns.roundsWithoutTimes(dir.resolve("spark/rounds.csv")));
    }

    @Test
    void experimentCellsOnSparkEqualLocalCells() throws IOException {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, """
            title: "two cells"
            settings:
              dataset: "synthetic:n=240,test=80,classes=4,size=16"
              rounds: 2
              clients: 6
              epochs: 1
              batch-size: 8
              root-set: 8
              inspection-set: 4
              min-samples: 5
              attack: pixel-pattern
              trigger: square
              attackers: 2
              defenses: [fedavg]
            grid:
              fraction: [0.5, 1.0]
            figure: {x: fraction, metrics: [acc, asr]}
            profiles:
              quick:
                seeds: [1]
              paper:
                seeds: [1]
            """);
        Result local = run(List.of("experiment", spec.toString(), "--out", dir.resolve("xl").toString(),
            "--progress", "none"));
        assertEquals(0, local.code(), local.err());
        Result spark = run(List.of("experiment", spec.toString(), "--out", dir.resolve("xs").toString(),
            "--progress", "none", "--engine", "spark", "--spark-master", "local[2]"));
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.out().contains("clients train on spark local[2]"), spark.out());
        List<Path> cells;
        try (var list = Files.list(dir.resolve("xl/cells"))) {
            cells = list.map(Path::getFileName).sorted().toList();
        }
        assertEquals(2, cells.size(), cells.toString());
        for (Path cell : cells) {
            assertEquals(SparkRuns.readSummary(dir.resolve("xl/cells").resolve(cell).resolve("summary.json")),
                SparkRuns.readSummary(dir.resolve("xs/cells").resolve(cell).resolve("summary.json")), cell.toString());
        }
    }

    @Test
    void malformedMasterIsBadInputAndWritesNothing() {
        Result r = run(runArgs("bad-url", "--engine", "spark", "--spark-master", "yarn-ish://x"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--spark-master 'yarn-ish://x'") && r.err().contains("spark://HOST:PORT"), r.err());
        assertFalse(Files.exists(dir.resolve("bad-url")));

        Result port = run(runArgs("bad-port", "--engine", "spark", "--spark-master", "spark://127.0.0.1:99999"));
        assertEquals(2, port.code(), port.err());
        assertTrue(port.err().contains("'127.0.0.1:99999' is not HOST:PORT"), port.err());
    }

    @Test
    void unreachableMasterFailsFastAndLeavesAnExistingRunAlone() throws IOException {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort(); // closed again: nothing listens there
        }
        Path existing = Files.createDirectories(dir.resolve("kept"));
        Files.writeString(existing.resolve("marker.txt"), "mine");
        long t0 = System.nanoTime();
        Result r = run(runArgs("kept", "--force", "--engine", "spark", "--spark-master", "spark://127.0.0.1:" + free));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no Spark master answers at 127.0.0.1:" + free), r.err());
        assertTrue(seconds < 30, "took " + seconds + " s");
        assertEquals("mine", Files.readString(existing.resolve("marker.txt")));
    }

    @Test
    void unknownEngineNamesTheEnginesFound() {
        Result r = run(runArgs("x", "--engine", "flink"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("engine 'flink'") && r.err().contains("spark"), r.err());
    }

    @Test
    void sparkMasterWithoutTheSparkEngineIsRefused() {
        Result r = run(runArgs("x", "--spark-master", "local[2]"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--spark-master is for --engine spark"), r.err());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void deviceAndSparkTogetherAreRefused() {
        Result r = run(runArgs("x", "--engine", "spark", "--device", "emu"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--device emu"), r.err());
    }
}
