package org.badfl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real run (a child JVM), then {@code --resume}: the summary equals that of an uninterrupted
 * run in every field but the wall-clock seconds.
 */
class KillAndResumeTest {

    @TempDir
    Path dir;

    private static final String[] SCENARIO = {"--dataset", "synthetic:n=360,test=60,classes=4,size=16", "--clients",
        "6", "--rounds", "6", "--epochs", "1", "--lr", "0.05", "--batch-size", "8", "--momentum", "0.5",
        "--root-set", "8", "--inspection-set", "4", "--min-samples", "5", "--attack", "constrain-and-scale",
        "--attackers", "2", "--trigger", "square", "--defense", "no-attack,flame", "--progress", "plain",
        "--threads", "2"};

    private static List<String> runArgs(Path out, String name) {
        List<String> a = new ArrayList<>(List.of("run"));
        a.addAll(List.of(SCENARIO));
        a.addAll(List.of("--out", out.toString(), "--name", name));
        return a;
    }

    /** True when the checkpoint holds a model after round 2 of the first defense or later. */
    private static boolean pastRoundTwo(Path checkpoint) throws java.io.IOException {
        if (!Files.isDirectory(checkpoint)) {
            return false;
        }
        try (var s = Files.list(checkpoint)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("global-d\\d+-r\\d+\\.bin"))
                .anyMatch(n -> !n.equals("global-d0-r1.bin"));
        }
    }

    @Test
    void killNineThenResumeGivesTheUninterruptedSummary() throws Exception {
        Path killed = dir.resolve("killed");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
            System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(runArgs(dir, "killed"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile()).start();
        Path state = killed.resolve("checkpoint").resolve("state.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // wait until at least two rounds are checkpointed, then kill at once
        while (System.nanoTime() < deadline && !pastRoundTwo(killed.resolve("checkpoint")) && child.isAlive()) {
            Thread.sleep(10);
        }
        boolean killedMidRun = child.isAlive();
        child.destroyForcibly(); // SIGKILL on POSIX: no shutdown hooks, no flushing
        child.waitFor(30, TimeUnit.SECONDS);
        assertTrue(killedMidRun, "the child ended before it could be killed: " + Files.readString(dir.resolve("child.log")));
        assertTrue(Files.exists(state));
        assertFalse(Files.exists(killed.resolve("summary.json")));

        assertEquals(0, Main.execute("run", "--resume", killed.toString(), "--progress", "none", "--threads", "1"));
        assertEquals(0, Main.execute(runArgs(dir, "whole").toArray(new String[0])));

        ObjectNode a = (ObjectNode) ConfigLoader.json().readTree(Files.readString(killed.resolve("summary.json")));
        ObjectNode b = (ObjectNode) ConfigLoader.json().readTree(Files.readString(dir.resolve("whole/summary.json")));
        assertEquals(RunReport.withoutTimes(b), RunReport.withoutTimes(a));
        assertEquals(12, Files.readAllLines(killed.resolve("rounds.csv")).size() - 1);
        assertTrue(new File(killed.toFile(), "acc.png").length() > 0);
    }
}
