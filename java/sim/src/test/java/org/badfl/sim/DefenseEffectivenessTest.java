package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real training, real attacks, real defenses (no fake inspectors): on embedded MNIST with cnn-small, a few clients and
 * rounds, the backdoor defenses keep the attack success rate well below FedAvg's at a bounded cost in clean
 * accuracy. The attacks are scaled (model replacement) so that FedAvg's ASR is high; thresholds are margins
 * around measured runs, not stored values (the exact numbers depend on float rounding in the engine's kernels).
 */
class DefenseEffectivenessTest {

    /** FedAvg's final ASR must be at least this for the comparison to mean anything. */
    private static final double FEDAVG_ASR_AT_LEAST = 0.7;
    /** A defense's final ASR must be at most this ... */
    private static final double DEFENSE_ASR_AT_MOST = 0.15;
    /** ... and lose at most this much clean accuracy against FedAvg under the same attack. */
    private static final double ACC_COST_AT_MOST = 0.08;

    private static final List<String> DEFENSES = List.of("fedavg", "badfl", "flame", "fltrust", "krum");

    /** Embedded MNIST, cnn-small, 10 IID clients all taking part, 3 rounds of 1 local epoch, 3 attackers. */
    private static ScenarioConfig small(String attack) {
        ScenarioConfig c = new ScenarioConfig();
        c.dataset = "mnist-embedded";
        c.model = "cnn-small";
        c.partition = "iid";
        c.clients = 10;
        c.rounds = 3;
        c.epochs = 1;
        c.threads = 2;
        c.primary = new AdversaryConfig();
        c.primary.attack = attack;
        c.primary.attackers = 3;
        c.primary.scale = "auto";
        c.defenses = DEFENSES;
        // The smoothed classifier is evaluated after the run; it does not change the final model measured here.
        c.defenseOptions = Map.of("badfl", Map.of("smoothing", "off"));
        return c;
    }

    private static DefenseResult result(Simulation.Outcome o, String defense) {
        return o.results().stream().filter(r -> r.defense().equals(defense)).findFirst().orElseThrow();
    }

    private static void assertDefensesHold(ScenarioConfig c, List<String> defenses) {
        Simulation.Outcome o = Simulation.of(Scenario.prepare(c)).build().run();
        DefenseResult fedavg = result(o, "fedavg");
        StringBuilder all = new StringBuilder();
        for (DefenseResult r : o.results()) {
            all.append(String.format(java.util.Locale.ROOT, " %s acc %.4f asr %.4f;", r.defense(), r.acc(),
                r.meanAsr()));
        }
        assertTrue(fedavg.meanAsr() >= FEDAVG_ASR_AT_LEAST, c.primary.attack + ": FedAvg's ASR too low to compare:"
            + all);
        for (String d : defenses) {
            DefenseResult r = result(o, d);
            assertTrue(r.meanAsr() <= DEFENSE_ASR_AT_MOST, c.primary.attack + ": " + d + " lets the backdoor in:" + all);
            assertTrue(r.acc() >= fedavg.acc() - ACC_COST_AT_MOST, c.primary.attack + ": " + d + " costs too much "
                + "accuracy:" + all);
        }
    }

    @Test
    void pixelPatternIsStoppedByEveryBackdoorDefense() {
        assertDefensesHold(small("pixel-pattern"), List.of("badfl", "flame", "fltrust", "krum"));
    }

    @Test
    void dbaIsStoppedByEveryBackdoorDefense() {
        assertDefensesHold(small("dba"), List.of("badfl", "flame", "fltrust", "krum"));
    }

    /**
     * A harder case for BADFL: 4 DBA attackers of 12 non-IID clients (Dirichlet 0.5) with a lower poison ratio (0.3;
     * 2 poison epochs so that FedAvg's ASR is still high), 4 rounds.
     */
    @Test
    void badflStopsSeveralDbaAttackersWithLowPoisonOnNonIidData() {
        ScenarioConfig c = small("dba");
        c.partition = "dirichlet";
        c.dirichletAlpha = 0.5;
        c.clients = 12;
        c.rounds = 4;
        c.primary.attackers = 4;
        c.primary.poisonRatio = 0.3;
        c.primary.poisonEpochs = 2;
        c.defenses = List.of("fedavg", "badfl");
        assertDefensesHold(c, List.of("badfl"));
    }
}
