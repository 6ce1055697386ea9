package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The sybil modifier: fresh server-side ids every round, seen by the defense, detection still attributed. */
class SybilIdsTest {

    @Test
    void idsAreFreshEveryRoundNeverHonestAndDeterministic() {
        boolean[] sybil = new boolean[10];
        sybil[2] = sybil[5] = sybil[7] = true;
        SybilIds ids = new SybilIds(42, 10, sybil);
        Set<Integer> seen = new HashSet<>();
        for (int t = 1; t <= 20; t++) {
            for (int c = 0; c < 10; c++) {
                int id = ids.serverId(c, t);
                if (sybil[c]) {
                    assertTrue(id >= 10, "never an honest id: " + id);
                    assertTrue(seen.add(id), "fresh in every round and unique: " + id + " (round " + t + ")");
                    assertEquals(id, new SybilIds(42, 10, sybil).serverId(c, t), "deterministic from the seed");
                } else {
                    assertEquals(c, id, "honest clients keep their ids");
                }
            }
        }
        assertEquals(60, seen.size());
        // the seed decides the order within a round
        boolean differs = false;
        for (int t = 1; t <= 20 && !differs; t++) {
            differs = ids.serverId(2, t) != new SybilIds(43, 10, sybil).serverId(2, t);
        }
        assertTrue(differs, "another seed, another assignment");
        assertEquals(List.of(2, 5, 7), ids.sybilClients());
    }

    /** Server-side ids per (defense, round), as the server received them. */
    private static Simulation.Outcome run(ScenarioConfig c, Map<String, List<Integer>> received) {
        return Simulation.of(Scenario.prepare(c)).tamper((defense, round, id, attacking, delta) -> {
            received.computeIfAbsent(defense + "/" + round + "/" + attacking, k -> new ArrayList<>());
            synchronized (received) {
                received.get(defense + "/" + round + "/" + attacking).add(id);
            }
            return delta;
        }).build().run();
    }

    @Test
    void theDefenseSeesFreshIdsAndDetectionIsAttributedAsWithoutSybils() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "no-attack", "flame", "badfl");
        c.rounds = 3;
        Map<String, List<Integer>> plainIds = new ConcurrentHashMap<>();
        Simulation.Outcome plain = run(c, plainIds);
        c.primary.sybil = true;
        Map<String, List<Integer>> sybilIds = new ConcurrentHashMap<>();
        Simulation.Outcome sybil = run(c, sybilIds);

        Map<Integer, Set<Integer>> attackerIds = new TreeMap<>();
        for (int t = 1; t <= 3; t++) {
            List<Integer> ids = sybilIds.get("flame/" + t + "/true");
            assertEquals(2, ids.size());
            for (int id : ids) {
                assertTrue(id >= c.clients, "a fresh id, not an honest one: " + id);
            }
            attackerIds.put(t, new HashSet<>(ids));
            assertEquals(new HashSet<>(plainIds.get("flame/" + t + "/false")),
                new HashSet<>(sybilIds.get("flame/" + t + "/false")), "honest clients keep their ids");
            assertTrue(plainIds.get("flame/" + t + "/true").stream().allMatch(id -> id < c.clients));
            assertEquals(plainIds.get("no-attack/" + t + "/false").size(), 6);
            assertTrue(sybilIds.get("no-attack/" + t + "/false").stream().allMatch(id -> id < c.clients),
                "the no-attack run has every attack off, sybil ids included");
        }
        assertNotEquals(attackerIds.get(1), attackerIds.get(2));
        assertNotEquals(attackerIds.get(2), attackerIds.get(3));
        for (int t = 1; t <= 3; t++) {
            for (int u = t + 1; u <= 3; u++) {
                Set<Integer> both = new HashSet<>(attackerIds.get(t));
                both.retainAll(attackerIds.get(u));
                assertTrue(both.isEmpty(), "ids never repeat across rounds");
            }
        }
        // FLAME keeps no per-client memory: same updates, same flags; the counts match only if the flags on the
        // fresh ids are attributed to the attacking clients
        for (int i = 0; i < plain.records().size(); i++) {
            RoundRecord p = plain.records().get(i);
            RoundRecord s = sybil.records().get(i);
            if (p.defense().equals("flame")) {
                assertEquals(p.detection(), s.detection(), "round " + p.round());
                assertEquals(p.acc(), s.acc());
                assertEquals(2, s.attacking());
            }
        }
        assertTrue(sybil.complete(), "BADFL's per-client memory accepts fresh ids");
    }
}
