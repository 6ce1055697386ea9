package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval-every}: evaluation is skipped between every k-th round, nothing else changes. */
class EvalEveryTest {

    @TempDir
    Path dir;

    @Test
    void skippedRoundsAreEmptyAndEvaluatedRoundsAndSummaryAreUnchanged() throws Exception {
        ScenarioConfig every = TestScenarios.tiny("constrain-and-scale", 2, "fedavg", "flame");
        every.rounds = 5;
        ScenarioConfig sparse = TestScenarios.tiny("constrain-and-scale", 2, "fedavg", "flame");
        sparse.rounds = 5;
        sparse.evalEvery = 2;

        RunFolder a = RunFolder.create(dir.resolve("every"), Scenario.prepare(every).config(), false);
        Simulation.Outcome full = Simulation.of(Scenario.prepare(every)).folder(a).build().run();
        RunFolder b = RunFolder.create(dir.resolve("sparse"), Scenario.prepare(sparse).config(), false);
        Simulation.Outcome some = Simulation.of(Scenario.prepare(sparse)).folder(b).build().run();

        List<RoundRecord> x = full.records();
        List<RoundRecord> y = some.records();
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
            RoundRecord r = y.get(i);
            boolean evaluated = r.round() % 2 == 0 || r.round() == 5;
            if (evaluated) {
                assertTrue(x.get(i).sameMetrics(r), "round " + r.round() + " of " + r.defense());
            } else {
                assertTrue(Double.isNaN(r.acc()), "round " + r.round() + " should not be evaluated");
                assertNull(r.meanAsr(), "no ASR in a round not evaluated");
                assertEquals(x.get(i).detection(), r.detection(), "detection does not depend on evaluation");
            }
        }
        // rounds 1 and 3 have empty acc/asr cells in rounds.csv
        List<String> lines = Files.readAllLines(b.roundsCsv());
        String round1 = lines.stream().filter(l -> l.startsWith("fedavg,1,")).findFirst().orElseThrow();
        assertTrue(round1.startsWith("fedavg,1,,,"), round1);
        assertFalse(lines.stream().filter(l -> l.startsWith("fedavg,2,")).findFirst().orElseThrow()
            .startsWith("fedavg,2,,"));

        // summaries agree except the config key itself
        ObjectNode sa = (ObjectNode) ConfigLoader.json().readTree(Files.readString(a.summaryJson()));
        ObjectNode sb = (ObjectNode) ConfigLoader.json().readTree(Files.readString(b.summaryJson()));
        assertEquals(RunReport.withoutTimes(sa).get("results"), RunReport.withoutTimes(sb).get("results"));
    }

    @Test
    void resumeWithSkippedRoundsGivesTheUninterruptedSummary() throws Exception {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "fedavg");
        c.rounds = 4;
        c.evalEvery = 3;
        Scenario s = Scenario.prepare(c);
        RunFolder whole = RunFolder.create(dir.resolve("whole"), s.config(), false);
        Simulation.of(s).folder(whole).build().run();
        RunFolder part = RunFolder.create(dir.resolve("part"), s.config(), false);
        assertFalse(Simulation.of(s).folder(part).stopHook((d, t) -> t == 2).build().run().complete());
        assertTrue(Simulation.of(Scenario.prepare(part.readConfig())).folder(part).build().run().complete());
        assertEquals(RunReport.withoutTimes((ObjectNode) ConfigLoader.json().readTree(Files.readString(whole.summaryJson()))),
            RunReport.withoutTimes((ObjectNode) ConfigLoader.json().readTree(Files.readString(part.summaryJson()))));
        assertEquals(Files.readAllLines(whole.roundsCsv()).stream().map(EvalEveryTest::metrics).toList(),
            Files.readAllLines(part.roundsCsv()).stream().map(EvalEveryTest::metrics).toList());
    }

    @Test
    void evalEveryBelowOneIsRejected() {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "fedavg");
        c.evalEvery = 0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(c));
        assertTrue(e.getMessage().contains("eval-every"), e.getMessage());
    }

    /** A rounds.csv line up to the timing columns. */
    private static String metrics(String line) {
        String[] f = line.split(",", -1);
        return String.join(",", java.util.Arrays.copyOf(f, 16));
    }
}
