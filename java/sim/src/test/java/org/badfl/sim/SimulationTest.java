package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.badfl.server.UpdateValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationTest {

    @TempDir
    Path dir;

    /** Final-round ASR of every defense in a run. */
    private static double finalAsr(Simulation.Outcome o, String defense) {
        return o.results().stream().filter(r -> r.defense().equals(defense)).findFirst().orElseThrow().meanAsr();
    }

    private static Simulation.Outcome run(ScenarioConfig c) {
        return Simulation.of(Scenario.prepare(c)).build().run();
    }

    /** FedAvg under the attack ends with ASR >= 0.6 and at least 0.5 above the same run without attack. */
    private static void assertAttackWorks(ScenarioConfig c) {
        Simulation.Outcome o = run(c);
        double attacked = finalAsr(o, "fedavg");
        double clean = finalAsr(o, "no-attack");
        assertTrue(attacked >= 0.6 && attacked >= clean + 0.5, c.primary.attack + ": ASR under attack " + attacked
            + ", without attack " + clean + "; records " + o.records());
    }

    // Scenarios built to show each attack: 4 of 6 clients attack every round with extra poison epochs, so that
    // two rounds of FedAvg on tiny data are enough (asserted thresholds, not stored values: the exact ASR depends
    // on float rounding in the engine's kernels).

    @Test
    void pixelPatternRaisesAsrUnderFedAvg() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 4, "no-attack", "fedavg");
        c.primary.poisonEpochs = 2;
        assertAttackWorks(c);
    }

    @Test
    void constrainAndScaleRaisesAsrUnderFedAvg() {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 4, "no-attack", "fedavg");
        c.primary.poisonEpochs = 2;
        c.primary.anomalyAlpha = 0.9;
        assertAttackWorks(c);
    }

    @Test
    void dbaRaisesGlobalTriggerAsrUnderFedAvg() {
        ScenarioConfig c = TestScenarios.tiny("dba", 4, "no-attack", "fedavg");
        c.dataset = "synthetic:n=240,test=60,classes=4,size=28"; // DBA's trigger layout needs 28x28
        c.primary.poisonEpochs = 4;
        c.lr = 0.1;
        assertAttackWorks(c);
    }

    @Test
    void edgeCaseRaisesTailAsrUnderFedAvg() {
        ScenarioConfig c = TestScenarios.tiny("edge-case", 4, "no-attack", "fedavg");
        c.dataset = "synthetic:n=480,test=160,classes=4,size=16"; // enough for the clean model to learn the tail
        c.rounds = 3;
        c.primary.edgeSource = 2;
        c.primary.edgeTail = 0.3;
        c.primary.pgdEps = 0.0;
        c.primary.scale = "auto";
        c.primary.poisonEpochs = 2;
        assertAttackWorks(c);
    }

    @Test
    void withSampledSelectionOnlyDrawnAttackersAttack() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 3, "fedavg");
        c.fraction = 0.5;
        c.rounds = 4;
        Scenario s = Scenario.prepare(c);
        int[] attackers = s.adversaries().get(0).clients();
        Simulation.Outcome o = Simulation.of(s).build().run();
        int attackingRounds = 0;
        for (RoundRecord r : o.records()) {
            int[] sel = s.selectClients(r.round());
            long drawn = Arrays.stream(sel).filter(id -> Arrays.stream(attackers).anyMatch(a -> a == id)).count();
            assertEquals(3, r.selected());
            assertEquals(drawn, r.attacking(), "round " + r.round() + ": selected " + Arrays.toString(sel)
                + ", attackers " + Arrays.toString(attackers));
            attackingRounds += r.attacking() < 3 ? 1 : 0;
        }
        assertTrue(attackingRounds > 0, "with 3 of 6 clients per round, some round lacks an attacker");
    }

    @Test
    void aDefenseSwitchedOffInEveryRoundIsFedAvg() {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "fedavg", "flame");
        c.defenseOffRounds = "1-2";
        Simulation.Outcome o = run(c);
        List<RoundRecord> fedavg = o.records().stream().filter(r -> r.defense().equals("fedavg")).toList();
        List<RoundRecord> flame = o.records().stream().filter(r -> r.defense().equals("flame")).toList();
        for (int k = 0; k < 2; k++) {
            assertFalse(flame.get(k).defenseOn());
            assertEquals(fedavg.get(k).acc(), flame.get(k).acc(), "round " + (k + 1) + ": FedAvg aggregated");
            assertArrayEquals(fedavg.get(k).asr(), flame.get(k).asr());
            assertNull(flame.get(k).detection(), "no detection counted while the defense is off");
            assertTrue(flame.get(k).note().startsWith("defense off: FedAvg"), flame.get(k).note());
        }
    }

    @Test
    void theDefenseIsOffOnlyInItsRoundsAndKeepsItsState() throws Exception {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "badfl");
        c.rounds = 3;
        c.defenseOffRounds = "2";
        Scenario s = Scenario.prepare(c);
        RunFolder folder = RunFolder.create(dir.resolve("off"), s.config(), false);
        assertFalse(Simulation.of(s).folder(folder).stopHook((d, t) -> t == 2).build().run().complete());
        String state = Checkpoint.load(folder.checkpointDir()).defenseState();
        assertTrue(state.matches("(\\d+:[^:;]+:1:[01]:[^:;]+:\\d+;?)+"), "BADFL scored every client in round 1 only: "
            + state);
        Simulation.Outcome o = Simulation.of(Scenario.prepare(folder.readConfig())).folder(folder).build().run();
        assertTrue(o.complete());
        List<RoundRecord> r = o.records();
        assertEquals(List.of(true, false, true), r.stream().map(RoundRecord::defenseOn).toList());
        assertNotNull(r.get(0).detection());
        assertNull(r.get(1).detection());
        assertNotNull(r.get(2).detection());
        List<String> csv = Files.readAllLines(folder.roundsCsv());
        assertTrue(csv.get(0).contains(",rejected,defense_on,flagged,"), csv.get(0));
        int column = Arrays.asList(csv.get(0).split(",")).indexOf("defense_on");
        assertEquals(List.of("true", "false", "true"), csv.subList(1, 4).stream().map(l -> l.split(",")[column])
            .toList());
    }

    @Test
    void defenseOffRoundsAreChecked() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        c.defenseOffRounds = "3";
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            c::resolved);
        assertTrue(e.getMessage().contains("'defense-off-rounds'") && e.getMessage().contains("1..2"), e.getMessage());
        c.defenseOffRounds = "two";
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, c::resolved);
        assertTrue(e.getMessage().contains("'defense-off-rounds'") && e.getMessage().contains("'two'"), e.getMessage());
        c.defenseOffRounds = " 2, 1 ";
        assertEquals("1-2", c.resolved().defenseOffRounds, "canonical form");
        assertEquals("none", new ScenarioConfig().resolved().defenseOffRounds, "the default");
    }

    @Test
    void aChartThatCannotBeDrawnLosesNoResult() throws Exception {
        // As on a headless GPU server whose JVM font library cannot load libharfbuzz (seen on an H100 machine):
        // the data files are written, the problem is reported, the run is not lost.
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "fedavg");
        c.rounds = 1;
        Scenario s = Scenario.prepare(c);
        RunFolder folder = RunFolder.create(dir.resolve("nofonts"), s.config(), false).chartRenderer((r, sub, asr) -> {
            throw new UnsatisfiedLinkError("libfontmanager.so: libharfbuzz.so.0: cannot open shared object file");
        });
        Simulation.Outcome o = Simulation.of(s).folder(folder).build().run();
        assertTrue(o.complete());
        assertTrue(Files.size(folder.summaryJson()) > 0 && Files.size(folder.reportMd()) > 0
            && Files.size(folder.roundsCsv()) > 0, "data files written");
        assertFalse(Files.exists(folder.accPng()));
        assertNotNull(folder.chartProblem());
        assertTrue(folder.chartProblem().contains("libharfbuzz.so.0"), folder.chartProblem());
        RunFolder drawn = RunFolder.create(dir.resolve("fonts"), s.config(), false)
            .chartRenderer((r, sub, asr) -> new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Simulation.of(s).folder(drawn).build().run();
        assertNull(drawn.chartProblem());
        assertTrue(Files.size(drawn.accPng()) > 0 && Files.size(drawn.asrPng()) > 0);
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() throws Exception {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "fedavg", "flame", "fltrust");
        Scenario s = Scenario.prepare(c);
        RunFolder one = RunFolder.create(dir.resolve("one"), s.config(), false);
        RunFolder two = RunFolder.create(dir.resolve("two"), s.config(), false);
        Simulation.Outcome a = Simulation.of(s).threads(1).folder(one).build().run();
        Simulation.Outcome b = Simulation.of(s).threads(2).folder(two).build().run();
        assertEquals(RunReport.withoutTimes(a.summary()), RunReport.withoutTimes(b.summary()));
        for (int i = 0; i < a.records().size(); i++) {
            assertTrue(a.records().get(i).sameMetrics(b.records().get(i)), a.records().get(i) + " vs "
                + b.records().get(i));
        }
        // the last global model (fltrust, round 2), byte for byte
        Path g1 = one.checkpointDir().resolve("global-d2-r2.bin");
        Path g2 = two.checkpointDir().resolve("global-d2-r2.bin");
        assertArrayEquals(Files.readAllBytes(g1), Files.readAllBytes(g2));
    }

    @Test
    void resumeAfterAStopGivesTheSummaryOfAnUninterruptedRun() throws Exception {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "no-attack", "flame", "crfl");
        c.rounds = 3;
        Scenario s = Scenario.prepare(c);
        RunFolder whole = RunFolder.create(dir.resolve("whole"), s.config(), false);
        Simulation.Outcome reference = Simulation.of(s).folder(whole).build().run();
        assertTrue(reference.complete());

        for (int[] stop : new int[][] {{1, 1}, {0, 3}}) { // mid-defense, and right after a defense's last round
            RunFolder part = RunFolder.create(dir.resolve("part" + stop[0] + stop[1]), s.config(), false);
            Simulation.Outcome stopped = Simulation.of(s).folder(part)
                .stopHook((d, t) -> d == stop[0] && t == stop[1]).build().run();
            assertFalse(stopped.complete());
            assertFalse(Files.exists(part.summaryJson()));
            assertEquals(stop[0] * 3 + stop[1], stopped.records().size());

            Scenario again = Scenario.prepare(part.readConfig()); // what --resume does: everything from config.json
            Simulation.Outcome resumed = Simulation.of(again).folder(part).build().run();
            assertTrue(resumed.complete());
            JsonNode a = ConfigLoader.json().readTree(Files.readString(whole.summaryJson()));
            JsonNode b = ConfigLoader.json().readTree(Files.readString(part.summaryJson()));
            assertEquals(RunReport.withoutTimes((com.fasterxml.jackson.databind.node.ObjectNode) a),
                RunReport.withoutTimes((com.fasterxml.jackson.databind.node.ObjectNode) b), "stop at " + stop[0] + ","
                + stop[1]);
            assertEquals(metricsOnly(Files.readString(whole.roundsCsv())), metricsOnly(Files.readString(part.roundsCsv())));
        }
    }

    /** BADFL's patch memory travels in the checkpoint: a resumed run judges later rounds as an uninterrupted one. */
    @Test
    void resumedBadflKeepsItsPatchMemory() throws Exception {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "badfl");
        c.rounds = 3;
        Scenario s = Scenario.prepare(c);
        RunFolder whole = RunFolder.create(dir.resolve("whole"), s.config(), false);
        assertTrue(Simulation.of(s).folder(whole).build().run().complete());

        RunFolder part = RunFolder.create(dir.resolve("part"), s.config(), false);
        assertFalse(Simulation.of(s).folder(part).stopHook((d, t) -> d == 0 && t == 2).build().run().complete());
        String state = Checkpoint.load(part.checkpointDir()).defenseState();
        assertNotNull(state, "badfl's memory is in the checkpoint");
        assertTrue(state.matches("(\\d+:[^:;]+:2:[01]:[^:;]+:[0-2];?)+"), state); // every client scored in 2 rounds
        Simulation.Outcome resumed = Simulation.of(Scenario.prepare(part.readConfig())).folder(part).build().run();
        assertTrue(resumed.complete());
        JsonNode a = ConfigLoader.json().readTree(Files.readString(whole.summaryJson()));
        JsonNode b = ConfigLoader.json().readTree(Files.readString(part.summaryJson()));
        assertEquals(RunReport.withoutTimes((com.fasterxml.jackson.databind.node.ObjectNode) a),
            RunReport.withoutTimes((com.fasterxml.jackson.databind.node.ObjectNode) b));
        String timings = ",\\d+\\.\\d{3},\\d+\\.\\d{3},\\d+\\.\\d{3},(\\d+,\")"; // the notes hold commas
        assertEquals(Files.readString(whole.roundsCsv()).replaceAll(timings, ",$1"),
            Files.readString(part.roundsCsv()).replaceAll(timings, ",$1"));
        String after = Checkpoint.load(part.checkpointDir()).defenseState();
        assertTrue(after.matches("(\\d+:[^:;]+:3:[01]:[^:;]+:[0-2];?)+"), "round 3 continued the restored memory: "
            + after);
        assertEquals(Checkpoint.load(whole.checkpointDir()).defenseState(), after);
    }

    @Test
    void finalEvaluationFieldsReachTheSummaryAndSurviveAResume() throws Exception {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg", "crfl");
        c.rounds = 1;
        Scenario s = Scenario.prepare(c);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        FinalEvaluation norm = (name, defense, evaluated, global, scenario, compute, seed) -> {
            calls.incrementAndGet();
            double sum = 0;
            for (float v : evaluated) {
                sum += (double) v * v;
            }
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("final_norm", Math.sqrt(sum)).put("instance", defense.name());
        };
        RunFolder part = RunFolder.create(dir.resolve("part"), s.config(), false);
        Simulation.of(s).folder(part).finalEvaluation(norm).stopHook((d, t) -> d == 0).build().run();
        assertEquals(1, calls.get());
        Simulation.Outcome resumed = Simulation.of(s).folder(part).finalEvaluation(norm).build().run();
        assertEquals(2, calls.get(), "not called again for the defense finished before the stop");
        Simulation.Outcome whole = Simulation.of(s).finalEvaluation(norm).build().run();
        assertEquals(RunReport.withoutTimes(whole.summary()), RunReport.withoutTimes(resumed.summary()));
        JsonNode crfl = resumed.summary().get("results").get(1);
        assertEquals("crfl", crfl.get("instance").asText());
        assertTrue(crfl.get("final_norm").asDouble() > 0);
    }

    /** rounds.csv without the three timing columns. */
    private static List<String> metricsOnly(String csv) {
        return csv.lines().map(l -> {
            String[] f = l.split(",", -1); // train_s, defense_s, eval_s dropped; host_device_bytes and note kept
            return String.join(",", Arrays.copyOfRange(f, 0, f.length - 5)) + "," + f[f.length - 2] + ","
                + f[f.length - 1];
        }).toList();
    }

    @Test
    void malformedUpdatesAreRejectedAndTheRoundGoesOn() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 3, "no-attack", "fedavg", "flame");
        Scenario s = Scenario.prepare(c);
        int[] attackers = s.adversaries().get(0).clients();
        Simulation.Outcome o = Simulation.of(s).tamper((defense, round, id, attacking, delta) -> {
            if (!attacking) {
                return delta;
            }
            float[] bad = delta.clone();
            if (id == attackers[0]) {
                bad[17] = Float.NaN;
            } else if (id == attackers[1]) {
                bad[bad.length - 1] = Float.POSITIVE_INFINITY;
            } else {
                bad = Arrays.copyOf(delta, delta.length - 3);
            }
            return bad;
        }).build().run();
        for (RoundRecord r : o.records()) {
            int expected = r.defense().equals("no-attack") ? 0 : 3;
            assertEquals(expected, r.rejected(), r.toString());
            if (expected > 0) {
                assertTrue(r.note().contains("3 of 6 updates rejected as invalid"), r.note());
                assertTrue(r.note().contains("client " + attackers[0] + ": invalid update: NaN at index 17"), r.note());
                assertTrue(r.note().contains("client " + attackers[1] + ": invalid update: Infinity"), r.note());
                assertTrue(r.note().contains("client " + attackers[2] + ": invalid update: wrong length"), r.note());
            }
            assertTrue(Double.isFinite(r.acc()), r.toString());
        }
        // G stays finite and keeps learning (chance is 0.25 on 4 classes)
        assertTrue(o.results().stream().allMatch(r -> r.acc() > 0.4), o.results().toString());
        // every attacker was rejected before the defense, so the backdoor never reached G
        assertTrue(finalAsr(o, "fedavg") <= finalAsr(o, "no-attack") + 0.2, o.records().toString());
        assertEquals(6, o.results().get(1).rejected());
    }

    @Test
    void validatorReasonsAreTheOnesAServerSees() {
        // the simulator delegates to UpdateValidator; its reasons name the value and position
        var layout = Scenario.prepare(TestScenarios.tiny("none", 0, "fedavg")).modelSpec().layout();
        var updates = new org.badfl.server.HostRoundUpdates(layout, 2);
        float[] nan = new float[layout.size()];
        nan[5] = Float.NaN;
        updates.receive(0, 0, 10, nan);
        updates.receive(1, 1, 10, new float[3]);
        var v = new UpdateValidator().validate(updates, org.badfl.engine.Compute.serial());
        assertEquals(2, v.rejected().size());
        assertTrue(v.rejected().get(0).reason().contains("NaN at index 5"), v.rejected().get(0).reason());
        assertTrue(v.rejected().get(1).reason().contains("wrong length"), v.rejected().get(1).reason());
    }

    @Test
    void detectionCountsCoverTheClientsThatAttacked() {
        ScenarioConfig c = TestScenarios.tiny("constrain-and-scale", 2, "no-attack", "fedavg", "flame");
        c.primary.schedule = "single:2";
        Simulation.Outcome o = run(c);
        for (RoundRecord r : o.records()) {
            int attacking = r.defense().equals("no-attack") || r.round() == 1 ? 0 : 2;
            assertEquals(attacking, r.attacking(), r.toString());
            if (r.defense().equals("flame")) {
                assertNotNull(r.detection());
                assertEquals(attacking, r.detection().tp() + r.detection().fn());
                assertEquals(6, r.detection().total());
            } else {
                assertNull(r.detection());
            }
        }
        JsonNode results = o.summary().get("results");
        assertTrue(results.get(1).get("paper_tpr").isNull(), "fedavg flags nobody");
        assertTrue(results.get(1).get("recall").isNull());
        assertTrue(results.get(2).get("specificity").isNumber(), results.toString());
        Set<String> keys = Set.copyOf(iterable(results.get(0).fieldNames()));
        assertTrue(keys.containsAll(Set.of("defense", "acc", "asr", "paper_tpr", "paper_tnr", "recall", "specificity",
            "seconds")), keys.toString());
        assertEquals(Set.of("scenario", "results"), Set.copyOf(iterable(o.summary().fieldNames())));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void severalAdversariesGetOneAsrEach() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        AdversaryConfig second = new AdversaryConfig();
        second.attack = "pixel-pattern";
        second.attackers = 2;
        second.target = 3;
        second.trigger = "square:size=3,row=0,col=0";
        c.moreAdversaries.add(second);
        c.rounds = 1;
        Simulation.Outcome o = run(c);
        RoundRecord r = o.records().get(0);
        assertEquals(2, r.asr().length);
        assertEquals(4, r.attacking());
        String csv = RunReport.roundsCsv(o.records(), 2);
        assertTrue(csv.startsWith("defense,round,acc,asr,asr_1,asr_2,selected"), csv);
        assertEquals(2, o.summary().get("results").get(0).get("asr_by_adversary").size());
        assertEquals(Set.of(0, 3), o.summary().get("scenario").get("adversaries").findValues("attack").stream()
            .map(n -> n.asText().contains("-> 3") ? 3 : 0).collect(Collectors.toSet()));
    }
}
