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
import org.badfl.server.badfl.BadflDefense;
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
    void forcedSelectionWithAFractionAlwaysIncludesScheduledAttackers() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg");
        c.fraction = 0.5;
        c.attackerSelection = "forced";
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

    /** 100 clients, 20 per round, 10 attackers attacking every round (the paper's sizes). */
    private static ScenarioConfig hundredClients(String attackerSelection) {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 10, "fedavg");
        c.dataset = "synthetic:n=1200,test=20,classes=4,size=16";
        c.clients = 100;
        c.fraction = 0.2;
        c.attackerSelection = attackerSelection;
        return c;
    }

    private static int attackersIn(int[] selected, int[] attackers) {
        return (int) Arrays.stream(selected).filter(id -> Arrays.stream(attackers).anyMatch(a -> a == id)).count();
    }

    @Test
    void sampledSelectionDrawsAttackersLikeEveryoneElse() {
        Scenario s = Scenario.prepare(hundredClients("sampled"));
        int[] attackers = s.adversaries().get(0).clients();
        assertEquals(10, attackers.length);
        int rounds = 400;
        int total = 0;
        int roundsWithout = 0;
        int[] timesDrawn = new int[100];
        for (int t = 1; t <= rounds; t++) {
            int[] sel = s.selectClients(t);
            assertEquals(20, sel.length);
            assertEquals(20, Arrays.stream(sel).distinct().count(), "no client twice");
            int k = attackersIn(sel, attackers);
            total += k;
            roundsWithout += k == 0 ? 1 : 0;
            Arrays.stream(sel).forEach(id -> timesDrawn[id]++);
        }
        double mean = total / (double) rounds;
        // Hypergeometric: mean 20 * 10 / 100 = 2, sd of the 400-round mean about 0.06.
        assertTrue(mean > 1.75 && mean < 2.25, "attackers per round " + mean);
        // P(no attacker in a round) = C(90,20) / C(100,20) = 0.095: about 38 of 400 rounds.
        assertTrue(roundsWithout >= 15 && roundsWithout <= 70, "rounds without attacker " + roundsWithout);
        for (int id = 0; id < 100; id++) {
            assertTrue(timesDrawn[id] >= 45 && timesDrawn[id] <= 120, "client " + id + " drawn " + timesDrawn[id]
                + " times of 400 (expected 80)");
        }
        Scenario again = Scenario.prepare(hundredClients("sampled"));
        for (int t = 1; t <= 20; t++) {
            assertArrayEquals(s.selectClients(t), again.selectClients(t), "same seed, same selection in round " + t);
        }
        ScenarioConfig other = hundredClients("sampled");
        other.seed = 2;
        assertNotEquals(Arrays.toString(s.selectClients(1)), Arrays.toString(Scenario.prepare(other).selectClients(1)),
            "another seed draws another round (for this seed pair)");
    }

    @Test
    void forcedSelectionPutsEveryScheduledAttackerIntoTheRound() {
        ScenarioConfig c = hundredClients("forced");
        c.primary.schedule = "every:2";
        Scenario s = Scenario.prepare(c);
        int[] attackers = s.adversaries().get(0).clients();
        int offRounds = 0;
        for (int t = 1; t <= 40; t++) {
            int[] sel = s.selectClients(t);
            assertEquals(20, sel.length);
            int k = attackersIn(sel, attackers);
            if (s.adversaries().get(0).schedule().attacksIn(t)) {
                assertEquals(10, k, "round " + t + ": every scheduled attacker takes part");
            } else {
                assertTrue(k < 10, "round " + t + ": off-schedule attackers are drawn like everyone, " + k);
                offRounds++;
            }
        }
        assertEquals(20, offRounds);
    }

    @Test
    void withEveryClientTakingPartBothSelectionsAreIdentical() {
        ScenarioConfig sampled = hundredClients("sampled");
        sampled.fraction = 1.0;
        ScenarioConfig forced = hundredClients("forced");
        forced.fraction = 1.0;
        Scenario a = Scenario.prepare(sampled);
        Scenario b = Scenario.prepare(forced);
        for (int t = 1; t <= 3; t++) {
            assertEquals(100, a.selectClients(t).length);
            assertArrayEquals(a.selectClients(t), b.selectClients(t));
        }
    }

    @Test
    void attackerSelectionMustBeSampledOrForced() {
        ScenarioConfig c = hundredClients("always");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::resolved);
        assertTrue(e.getMessage().contains("attacker-selection") && e.getMessage().contains("sampled or forced"),
            e.getMessage());
        assertEquals("sampled", new ScenarioConfig().resolved().attackerSelection, "the default");
    }

    private static double badflSigma(ScenarioConfig c) {
        BadflDefense d = (BadflDefense) Scenario.createDefense(c.resolved(), "badfl");
        assertEquals(d.config().sigma(), d.testTimeSmoothing().orElseThrow().sigma(), "smoothing follows sigma");
        return d.config().sigma();
    }

    @Test
    void badflSigmaFollowsThePartitionUnlessSet() {
        ScenarioConfig c = TestScenarios.tiny("pixel-pattern", 2, "fedavg", "badfl");
        assertEquals(0.001, badflSigma(c), "IID: the paper's 0.001");
        c.partition = "dirichlet";
        assertEquals(1e-4, badflSigma(c), "non-IID: the paper's 1e-4");
        assertTrue(Scenario.prepare(c).summaryLine().contains("BADFL sigma 1.0E-4 (the paper's value for non-IID"),
            Scenario.prepare(c).summaryLine());
        c.defenseOptions.put("badfl", new java.util.LinkedHashMap<>(java.util.Map.of("sigma", "0.005")));
        assertEquals(0.005, badflSigma(c), "an explicit sigma wins on non-IID");
        assertTrue(Scenario.prepare(c).summaryLine().contains("BADFL sigma 0.005 (set by badfl:sigma)"));
        c.partition = "iid";
        assertEquals(0.005, badflSigma(c), "an explicit sigma wins on IID");
        c.defenseOptions.get("badfl").put("sigma", "0");
        c.partition = "dirichlet";
        assertEquals(0.0, badflSigma(c), "an explicit 0 (no noise) wins too");
        c.defenseOptions.clear();
        c.defenses = List.of("fedavg");
        assertTrue(!Scenario.prepare(c).summaryLine().contains("BADFL sigma"), "no BADFL, no sigma in the description");
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
