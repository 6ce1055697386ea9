package org.badfl.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentRunnerTest {

    @TempDir
    Path dir;

    private static final String GRID = "grid:\n  attackers: [1, 2]\n";

    private ExperimentSpec spec(String grid) {
        return ExperimentSpec.parse("tiny", dir.resolve("tiny.yaml"), ExperimentSpecTest.yaml(grid, ""));
    }

    private static ObjectNode read(Path p) throws Exception {
        return (ObjectNode) ConfigLoader.json().readTree(Files.readString(p));
    }

    @Test
    void runsEveryCellThenSkipsThemAndAggregatesOverSeeds() throws Exception {
        Path out = dir.resolve("out");
        ExperimentRunner runner = new ExperimentRunner(spec(GRID), "quick", out, 2, null).version("test");
        ExperimentRunner.Plan plan = runner.plan();
        assertEquals(4, plan.cells().size());
        assertTrue(plan.states().stream().allMatch(s -> s == ExperimentRunner.CellState.NEW));
        assertFalse(Files.exists(out), "plan() writes nothing");
        ExperimentTable table = runner.run(plan);

        // one row per attackers value x defense, each over the 2 seeds; the mean is that of the cells' summaries
        assertEquals(4, table.rows().size());
        ExperimentTable.Row flame1 = table.rows().get(1);
        assertEquals("flame", flame1.defense());
        assertEquals("1", flame1.labels().get("attackers"));
        assertEquals(List.of("attackers-1_seed-1", "attackers-1_seed-2"), flame1.cells());
        double a1 = read(out.resolve("cells/attackers-1_seed-1/summary.json")).path("results").get(1).path("acc")
            .asDouble();
        double a2 = read(out.resolve("cells/attackers-1_seed-2/summary.json")).path("results").get(1).path("acc")
            .asDouble();
        assertEquals((a1 + a2) / 2, flame1.metric("acc").mean(), 1e-12);
        assertEquals(List.of(a1, a2), flame1.metric("acc").values());
        assertNotNull(flame1.metric("paper_tpr").mean());
        assertEquals(null, table.rows().get(0).metric("paper_tpr").mean()); // fedavg flags nobody

        for (String f : new String[] {"table.md", "table.csv", "table.json", "experiment.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(5, Files.readAllLines(out.resolve("table.csv")).size());
        JsonNode tj = read(out.resolve("table.json"));
        assertEquals("quick", tj.path("profile").asText());
        assertEquals("test", tj.path("provenance").path("badfl_version").asText());
        assertTrue(tj.path("provenance").path("wall_seconds").asDouble() > 0);
        ObjectNode cellSummary = read(out.resolve("cells/attackers-2_seed-1/summary.json"));
        assertTrue(cellSummary.has("provenance"), "each cell's summary carries its provenance");
        assertTrue(cellSummary.has("scenario") && cellSummary.has("results"));
        assertTrue(Files.readString(out.resolve("table.md")).contains("| 2 | flame | 2 |"));

        // the same command again: every cell is done and skipped (summaries untouched)
        Path s = out.resolve("cells/attackers-1_seed-1/summary.json");
        Files.setLastModifiedTime(s, FileTime.fromMillis(1_000_000L));
        ExperimentRunner again = new ExperimentRunner(spec(GRID), "quick", out, 1, null);
        ExperimentRunner.Plan plan2 = again.plan();
        assertTrue(plan2.states().stream().allMatch(st -> st == ExperimentRunner.CellState.DONE));
        assertEquals(plan.fingerprint(), plan2.fingerprint(), "threads do not change the experiment");
        again.run(plan2);
        assertEquals(1_000_000L, Files.getLastModifiedTime(s).toMillis());
    }

    @Test
    void anInterruptedCellResumesToTheUninterruptedResult() throws Exception {
        Path out = dir.resolve("out");
        ExperimentRunner runner = new ExperimentRunner(spec("grid:\n  attackers: [2]\n"), "quick", out, 1, null);
        runner.run(runner.plan());
        Path cell = out.resolve("cells/attackers-2_seed-1");
        ObjectNode whole = read(cell.resolve("summary.json"));

        // an interruption after the first defense's rounds: rebuild that state from a fresh run stopped early
        Path out2 = dir.resolve("out2");
        ExperimentRunner r2 = new ExperimentRunner(spec("grid:\n  attackers: [2]\n"), "quick", out2, 1, null);
        ExperimentRunner.Plan plan = r2.plan();
        r2.run(plan);
        Path cell2 = out2.resolve("cells/attackers-2_seed-1");
        Files.delete(cell2.resolve("summary.json")); // as if killed before the end: resumes from its checkpoint
        ExperimentRunner.Plan resumed = new ExperimentRunner(spec("grid:\n  attackers: [2]\n"), "quick", out2, 1, null)
            .plan();
        assertEquals(ExperimentRunner.CellState.PARTIAL, resumed.states().get(0));
        List<String> messages = new java.util.ArrayList<>();
        new ExperimentRunner(spec("grid:\n  attackers: [2]\n"), "quick", out2, 1, null).listener(
            new ExperimentRunner.Listener() {
                @Override
                public org.badfl.sim.SimulationListener cellStarted(int index, int count, ExperimentCell c,
                                                                    boolean wasResumed) {
                    messages.add("resumed=" + wasResumed);
                    return org.badfl.sim.SimulationListener.NONE;
                }
            }).run(resumed);
        assertEquals(List.of("resumed=true"), messages);
        ObjectNode again = read(cell2.resolve("summary.json"));
        whole.remove("provenance");
        again.remove("provenance");
        assertEquals(RunReport.withoutTimes(whole), RunReport.withoutTimes(again));
    }

    @Test
    void aFolderHoldingAnotherExperimentIsNotTouched() throws Exception {
        Path out = dir.resolve("out");
        ExperimentRunner first = new ExperimentRunner(spec("grid:\n  attackers: [1]\n"), "quick", out, 1, null);
        first.run(first.plan());
        String before = Files.readString(out.resolve("experiment.json"));
        ExperimentRunner other = new ExperimentRunner(spec("grid:\n  attackers: [2]\n"), "quick", out, 1, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, other::plan);
        assertTrue(e.getMessage().contains("holds a different experiment"), e.getMessage());
        assertEquals(before, Files.readString(out.resolve("experiment.json")));
        assertFalse(Files.exists(out.resolve("cells/attackers-2_seed-1")));

        ObjectNode dataset = JsonNodeFactory.instance.objectNode().put("dataset",
            "synthetic:n=240,test=80,classes=4,size=16,seed=2");
        ExperimentRunner otherData = new ExperimentRunner(spec("grid:\n  attackers: [1]\n"), "quick", out, 1, dataset);
        assertTrue(assertThrows(IllegalArgumentException.class, otherData::plan).getMessage()
            .contains("holds a different experiment"));

        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        ExperimentRunner intoForeign = new ExperimentRunner(spec("grid:\n  attackers: [1]\n"), "quick", foreign, 1,
            null);
        assertTrue(assertThrows(IllegalArgumentException.class, intoForeign::plan).getMessage()
            .contains("holds files but no experiment.json"));
        assertEquals(List.of("notes.txt"), Files.list(foreign).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void aCellThatFailsOnlyWithItsDataIsNamedBeforeAnyRuns() {
        // target 3 exists for 4 classes; target 7 only fails when the data is known (4 classes)
        String grid = "grid:\n  target: [3, 7]\n  attackers: [1]\n";
        Path out = dir.resolve("out");
        ExperimentRunner runner = new ExperimentRunner(spec(grid), "quick", out, 1, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, runner::plan);
        assertTrue(e.getMessage().contains("cell target-7_attackers-1_seed-1"), e.getMessage());
        assertTrue(e.getMessage().contains("target label 7 does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("no cell was run"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void theEstimateScalesTheCalibratedRoundToEveryUnfinishedCell() {
        ExperimentRunner runner = new ExperimentRunner(spec(GRID), "quick", dir.resolve("out"), 1, null);
        ExperimentRunner.Plan plan = runner.plan();
        ExperimentRunner.Estimate e = runner.estimate(plan);
        assertEquals(4, e.cellSeconds().size());
        assertTrue(e.cellSeconds().stream().allMatch(s -> s > 0));
        assertEquals(1, e.basis().size()); // one dataset and model: one calibration
        assertFalse(Files.exists(dir.resolve("out")), "the estimate writes nothing");
    }
    @Test
    void cellSummariesAndTheTableCarryTheSha256OfEveryDataFile() throws Exception {
        // a tiny IDX set: 120 train / 40 test images of 16x16, labels i mod 4
        Path data = Files.createDirectory(dir.resolve("data"));
        byte[][] expected = new byte[4][];
        String[] names = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte"};
        for (int split = 0; split < 2; split++) {
            int n = split == 0 ? 120 : 40;
            java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + n * 256).putInt(0x803).putInt(n).putInt(16)
                .putInt(16);
            java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 256; p++) {
                    img.put((byte) ((p / 16 == 4 * (i % 4) ? 200 : 0) + (i * 7 + p) % 40));
                }
                lab.put((byte) (i % 4));
            }
            expected[2 * split] = img.array();
            expected[2 * split + 1] = lab.array();
        }
        for (int k = 0; k < 4; k++) {
            Files.write(data.resolve(names[k]), expected[k]);
        }
        String yaml = ExperimentSpecTest.yaml("grid:\n  attackers: [1]\n", "")
            .replace("synthetic:n=240,test=80,classes=4,size=16", "idx:" + data);
        ExperimentSpec spec = ExperimentSpec.parse("tiny", dir.resolve("tiny.yaml"), yaml);
        Path out = dir.resolve("out");
        ExperimentRunner runner = new ExperimentRunner(spec, "quick", out, 2, null).version("test");
        ExperimentTable table = runner.run(runner.plan());

        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        Path cell = out.resolve("cells").resolve(table.rows().get(0).cells().get(0));
        JsonNode files = read(cell.resolve("summary.json")).path("scenario").path("data").path("files");
        assertEquals(4, files.size());
        for (int k = 0; k < 4; k++) {
            String sha = java.util.HexFormat.of().formatHex(md.digest(expected[k]));
            assertEquals(names[k], files.get(k).path("name").asText());
            assertEquals(sha, files.get(k).path("sha256").asText());
            assertEquals(expected[k].length, files.get(k).path("bytes").asLong());
            assertEquals(sha, table.provenance().path("data_files_sha256").path(names[k]).asText());
            assertTrue(Files.readString(out.resolve("table.md")).contains(names[k] + ": " + sha));
        }
    }
}
