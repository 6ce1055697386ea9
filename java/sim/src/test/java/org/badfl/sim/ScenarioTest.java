package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.badfl.clients.DbaAttack;
import org.badfl.server.ServerContext;
import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    @Test
    void heldOutSetsAreClassBalancedAndDisjointFromEveryClient() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        c.rootSet = 10;
        c.inspectionSet = 6;
        c.partition = "dirichlet";
        Scenario s = Scenario.prepare(c);
        int[] root = s.rootIndices();
        int[] insp = s.inspectionIndices();
        assertArrayEquals(new int[] {3, 3, 2, 2}, s.train().classHistogram(root), "10 over 4 classes");
        assertArrayEquals(new int[] {2, 2, 1, 1}, s.train().classHistogram(insp));
        Set<Integer> seen = new HashSet<>();
        Arrays.stream(root).forEach(seen::add);
        Arrays.stream(insp).forEach(i -> assertTrue(seen.add(i), "inspection overlaps root at " + i));
        int total = 0;
        for (int k = 0; k < c.clients; k++) {
            for (int i : s.clientIndices(k)) {
                assertTrue(seen.add(i), "client " + k + " holds held-out or duplicate sample " + i);
            }
            total += s.clientSamples(k);
        }
        assertEquals(240 - 16, total, "every remaining sample goes to a client");
    }

    @Test
    void attackersAreSeededDisjointAndTheSameForTheSameSeed() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        AdversaryConfig second = new AdversaryConfig();
        second.attack = "constrain-and-scale";
        second.attackers = 2;
        second.target = 3;
        second.trigger = "square:size=3,row=0,col=0";
        c.moreAdversaries.add(second);
        Scenario a = Scenario.prepare(c);
        Scenario b = Scenario.prepare(c);
        assertEquals(2, a.adversaries().size());
        int[] first = a.adversaries().get(0).clients();
        int[] other = a.adversaries().get(1).clients();
        assertArrayEquals(first, b.adversaries().get(0).clients());
        assertArrayEquals(other, b.adversaries().get(1).clients());
        assertTrue(Arrays.stream(first).noneMatch(i -> Arrays.stream(other).anyMatch(j -> j == i)));
        for (int id : other) {
            assertEquals(1, a.adversaryOf(id));
        }
        assertEquals(3, a.adversaries().get(1).attack().target());
        c.seed = 2;
        Scenario d = Scenario.prepare(c);
        assertNotEquals(Arrays.toString(first) + Arrays.toString(other),
            Arrays.toString(d.adversaries().get(0).clients()) + Arrays.toString(d.adversaries().get(1).clients()),
            "another seed picks other attackers (for this seed pair)");
    }

    @Test
    void selectionWithAFractionAlwaysIncludesScheduledAttackers() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        c.fraction = 0.5;
        c.primary.schedule = "every:2";
        Scenario s = Scenario.prepare(c);
        int[] attackers = s.adversaries().get(0).clients();
        for (int t = 1; t <= 6; t++) {
            int[] sel = s.selectClients(t);
            assertEquals(3, sel.length);
            assertArrayEquals(sel, s.selectClients(t), "deterministic");
            boolean all = Arrays.stream(attackers).allMatch(a -> Arrays.stream(sel).anyMatch(x -> x == a));
            if (t % 2 == 1) {
                assertTrue(all, "round " + t + ": " + Arrays.toString(sel));
            }
        }
    }

    @Test
    void dbaAttackersUseTheirPartAndAsrUsesTheGlobalTrigger() {
        ScenarioConfig c = TestScenarios.tiny("dba", 4, "fedavg");
        c.dataset = "synthetic:n=120,test=20,classes=4,size=28";
        Scenario s = Scenario.prepare(c);
        DbaAttack dba = (DbaAttack) s.adversaries().get(0).attack();
        for (int k = 0; k < 4; k++) {
            assertEquals("dba-local-" + k, dba.poisoning(k).trigger().name());
        }
        assertEquals("dba-local-1", dba.poisoning(5).trigger().name(), "part k mod 4");
        assertTrue(s.adversaries().get(0).asrSet().description().contains("dba-global"));
    }

    @Test
    void edgeCaseTailsAreKeptAwayFromBenignDataAndTheCleanTestSet() {
        ScenarioConfig c = TestScenarios.tiny("edge-case", 2, "fedavg");
        c.primary.edgeSource = 2;
        c.primary.edgeTail = 0.25;
        Scenario s = Scenario.prepare(c);
        var edge = ((org.badfl.clients.EdgeCaseAttack) s.adversaries().get(0).attack()).edgeCases();
        Set<Integer> tail = new HashSet<>();
        Arrays.stream(edge.trainTailIndices()).forEach(tail::add);
        for (int k = 0; k < c.clients; k++) {
            assertTrue(Arrays.stream(s.clientIndices(k)).noneMatch(tail::contains));
        }
        Set<Integer> testTail = new HashSet<>();
        Arrays.stream(edge.testTailIndices()).forEach(testTail::add);
        assertTrue(Arrays.stream(s.cleanTestIndices()).noneMatch(testTail::contains));
        assertEquals(80 - testTail.size(), s.cleanTestIndices().length);
    }

    @Test
    void serverContextServesRootUpdatesInspectionImagesAndModels() {
        Scenario s = Scenario.prepare(TestScenarios.tiny("none", 0, "fedavg"));
        ServerContext ctx = new SimulationContext(s, Compute.serial());
        float[] g = s.initialGlobal();
        float[] u1 = ctx.rootUpdate(g, 1, 42);
        assertArrayEquals(u1, ctx.rootUpdate(g, 1, 42), "seeded");
        assertTrue(Arrays.stream(box(u1)).anyMatch(v -> v != 0f));
        assertEquals(4, ctx.inspectionLabels().length);
        assertEquals(4 * 16 * 16, ctx.inspectionImages().length);
        assertArrayEquals(g, ctx.model(g).params());
    }

    @Test
    void badInputFailsBeforeAnythingRuns() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg", "krumm");
        String m = assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(c)).getMessage();
        assertTrue(m.contains("unknown defense 'krumm'") && m.contains("no-attack, fedavg, flame"), m);
        ScenarioConfig d = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        d.primary.target = 7;
        m = assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(d)).getMessage();
        assertTrue(m.contains("target label 7") && m.contains("labels 0..3"), m);
        ScenarioConfig e = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        e.primary.trigger = "backdoors101";
        m = assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(e)).getMessage();
        assertTrue(m.contains("trigger") && m.contains("9x27"), m);
        ScenarioConfig f = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        f.model = "vgg";
        m = assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(f)).getMessage();
        assertTrue(m.contains("unknown model 'vgg'") && m.contains("cnn-small"), m);
        ScenarioConfig g = TestScenarios.tiny("pixel-pattern", 2, "fltrust");
        g.rootSet = 0;
        m = assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(g)).getMessage();
        assertTrue(m.contains("root-set"), m);
        ScenarioConfig h = TestScenarios.tiny("pixel-pattern", 2, "flame");
        h.defenseOptions.put("flame", java.util.Map.of("lamda", "0.1"));
        m = assertThrows(IllegalArgumentException.class, () -> Scenario.prepare(h)).getMessage();
        assertTrue(m.contains("lamda") && m.contains("lambda"), m);
    }

    @Test
    void fingerprintIgnoresRunOnlyKeys() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        String f = Scenario.prepare(c).fingerprint();
        c.name = "other";
        c.threads = 1;
        c.out = "elsewhere";
        assertEquals(f, Scenario.prepare(c).fingerprint());
        c.seed = 5;
        assertNotEquals(f, Scenario.prepare(c).fingerprint());
        assertEquals(List.of("no-attack"), Scenario.validDefenseNames().subList(0, 1));
    }

    private static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
