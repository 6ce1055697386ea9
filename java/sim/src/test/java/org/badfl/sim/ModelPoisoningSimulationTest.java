package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.badfl.engine.ParamLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The omniscient-attacker hook and the untargeted attacks end to end on the tiny synthetic scenario. */
class ModelPoisoningSimulationTest {

    @TempDir
    Path dir;

    @Test
    void alieRowsReachTheServerAsMeanMinusZStdOfTheHonestRowsOfTheRound() {
        ScenarioConfig c = TestScenarios.tiny("alie", 2, "no-attack", "fedavg");
        c.primary.alieZ = 1.0;
        Scenario s = Scenario.prepare(c);
        Map<Integer, float[]> honest = new TreeMap<>();
        Map<Integer, float[]> malicious = new TreeMap<>();
        Simulation.of(s).tamper((defense, round, id, attacking, delta) -> {
            if (defense.equals("fedavg") && round == 1) {
                synchronized (honest) {
                    (attacking ? malicious : honest).put(id, delta.clone());
                }
            }
            return delta;
        }).build().run();
        assertEquals(2, malicious.size());
        assertEquals(4, honest.size());
        ParamLayout layout = s.modelSpec().layout();
        int d = layout.size();
        for (float[] row : malicious.values()) {
            for (int j = 0; j < d; j += 97) {
                double m = 0;
                for (float[] h : honest.values()) {
                    m += h[j];
                }
                m /= honest.size();
                double v = 0;
                for (float[] h : honest.values()) {
                    v += (h[j] - m) * (h[j] - m);
                }
                double expected = m - Math.sqrt(v / honest.size());
                assertEquals(expected, row[j], 1e-6 + 1e-5 * Math.abs(expected), "coordinate " + j);
            }
        }
    }

    @Test
    void anOmniscientAttackIsStatedAndMeasuredByTheAccuracyDrop() throws Exception {
        ScenarioConfig c = TestScenarios.tiny("ipm", 2, "no-attack", "fedavg", "median");
        c.primary.ipmEps = 4.0;
        Scenario s = Scenario.prepare(c);
        assertTrue(s.summaryLine().contains("omniscient"), s.summaryLine());
        RunFolder folder = RunFolder.create(dir.resolve("ipm"), s.config(), false)
            .chartRenderer((r, sub, asr) -> new byte[] {1});
        Simulation.Outcome o = Simulation.of(s).folder(folder).build().run();
        JsonNode summary = ConfigLoader.json().readTree(Files.readString(folder.summaryJson()));
        JsonNode adv = summary.path("scenario").path("adversaries").get(0);
        assertTrue(adv.path("omniscient").asBoolean(), adv.toString());
        assertTrue(adv.path("asr_set").isNull());
        double clean = summary.path("results").get(0).path("acc").asDouble();
        for (JsonNode r : summary.path("results")) {
            assertTrue(r.path("asr").isNull(), "untargeted: no ASR");
            assertTrue(r.path("asr_by_adversary").get(0).isNull());
            assertEquals(clean - r.path("acc").asDouble(), r.path("accuracy_drop").asDouble(), 1e-12);
        }
        assertTrue(summary.path("results").get(1).path("accuracy_drop").asDouble() > 0.2,
            "-4 x mean under FedAvg costs accuracy: " + summary.path("results").get(1));
        assertFalse(summary.has("accuracy_drop_note"));
        assertFalse(Files.exists(folder.asrPng()), "no ASR chart for untargeted attacks");
        assertTrue(RunReport.consoleTable(o.results()).contains("ACC drop"));
        String csv = Files.readString(folder.roundsCsv());
        assertTrue(csv.lines().skip(1).allMatch(l -> l.split(",")[3].isEmpty()), "asr column empty:\n" + csv);
    }

    @Test
    void withoutNoAttackTheAccuracyDropIsAbsentAndSaysWhy() {
        Simulation.Outcome o = Simulation.of(Scenario.prepare(TestScenarios.tiny("sign-flipping", 2, "fedavg")))
            .build().run();
        assertTrue(o.summary().path("results").get(0).path("accuracy_drop").isNull());
        assertTrue(o.summary().path("accuracy_drop_note").asText().contains("no-attack"));
        assertFalse(o.summary().path("scenario").path("adversaries").get(0).path("omniscient").asBoolean());
    }

    @Test
    void craftedRunsAreBitIdenticalForOneAndTwoThreadsAndResumeExactly() throws Exception {
        for (String attack : List.of("min-max", "fang-trimmed-mean", "gaussian", "norm-matched")) {
            ScenarioConfig c = TestScenarios.tiny(attack, 2, "no-attack", "fedavg", "trimmed-mean");
            if (attack.equals("norm-matched")) {
                c.primary.trigger = "square";
            }
            Scenario s = Scenario.prepare(c);
            Simulation.Outcome a = Simulation.of(s).threads(1).build().run();
            Simulation.Outcome b = Simulation.of(s).threads(2).build().run();
            assertEquals(RunReport.withoutTimes(a.summary()), RunReport.withoutTimes(b.summary()), attack);
            if (attack.equals("gaussian")) {
                RunFolder part = RunFolder.create(dir.resolve("part"), s.config(), false);
                assertFalse(Simulation.of(s).folder(part).stopHook((d, t) -> d == 1 && t == 1).build().run()
                    .complete());
                Simulation.Outcome resumed = Simulation.of(Scenario.prepare(part.readConfig())).folder(part).build()
                    .run();
                assertEquals(RunReport.withoutTimes(a.summary()), RunReport.withoutTimes(resumed.summary()),
                    "resumed (NaN ASR of an untargeted adversary in the checkpoint)");
            }
        }
    }

    @Test
    void normMatchedKeepsItsBackdoorAsr() {
        ScenarioConfig c = TestScenarios.tiny("norm-matched", 2, "fedavg");
        c.primary.trigger = "square";
        Simulation.Outcome o = Simulation.of(Scenario.prepare(c)).build().run();
        assertNotNull(o.results().get(0).meanAsr());
        assertTrue(o.summary().path("scenario").path("adversaries").get(0).path("omniscient").asBoolean());
    }

    @Test
    void badAttackKeysNameTheKeyAndTheAttack() {
        List<String> messages = new ArrayList<>();
        ScenarioConfig c1 = TestScenarios.tiny("alie", 2, "fedavg");
        c1.primary.alieZ = -1.0;
        messages.add(assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(c1)).getMessage());
        ScenarioConfig c2 = TestScenarios.tiny("ipm", 2, "fedavg");
        c2.primary.ipmEps = 0.0;
        messages.add(assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(c2)).getMessage());
        ScenarioConfig c3 = TestScenarios.tiny("alie", 2, "fedavg");
        c3.primary.ipmEps = 0.5;
        messages.add(assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(c3)).getMessage());
        ScenarioConfig c4 = TestScenarios.tiny("fang-krum", 3, "fedavg"); // 6 clients, 3 attackers: m - 2c - 1 < 1
        messages.add(assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(c4)).getMessage());
        ScenarioConfig c5 = TestScenarios.tiny("min-sum", 2, "fedavg");
        c5.primary.perturbation = "diagonal";
        messages.add(assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(c5)).getMessage());
        String[][] expect = {{"alie-z", "-1.0"}, {"ipm-eps", "0.0"}, {"ipm-eps", "alie"}, {"fang-krum", "m - 2c - 1"},
            {"perturbation", "diagonal"}};
        for (int i = 0; i < expect.length; i++) {
            for (String part : expect[i]) {
                assertTrue(messages.get(i).contains(part), messages.get(i) + " should name " + part);
            }
        }
    }

    @Test
    void labelFlippingTargetedHasAnAsrOfSourceImagesAndAll2AllHasNone() {
        ScenarioConfig c = TestScenarios.tiny("label-flipping", 2, "fedavg");
        c.primary.flipSource = 1;
        c.primary.target = 3;
        Scenario s = Scenario.prepare(c);
        assertEquals(s.test().classHistogram()[1], s.adversaries().get(0).asrSet().size());
        ScenarioConfig all = TestScenarios.tiny("label-flipping", 2, "fedavg");
        all.primary.flipMode = "all2all";
        assertEquals(null, Scenario.prepare(all).adversaries().get(0).asrSet());
        ObjectNode summary = Simulation.of(Scenario.prepare(all)).build().run().summary();
        assertTrue(summary.path("results").get(0).path("asr").isNull());
    }
}
