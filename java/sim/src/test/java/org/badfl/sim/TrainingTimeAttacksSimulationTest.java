package org.badfl.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.clients.AlterMinAttack;
import org.badfl.clients.NeurotoxinAttack;
import org.junit.jupiter.api.Test;

/** Neurotoxin, alter-min and the adaptive attacks through the config and the simulator. */
class TrainingTimeAttacksSimulationTest {

    private static double finalAsr(Simulation.Outcome o, String defense) {
        return o.results().stream().filter(r -> r.defense().equals(defense)).findFirst().orElseThrow().meanAsr();
    }

    private static ScenarioConfig tiny(String attack) {
        ScenarioConfig c = TestScenarios.tiny(attack, 4, "no-attack", "fedavg");
        c.primary.trigger = "square";
        c.primary.poisonEpochs = 2;
        return c;
    }

    @Test
    void configDefaultsAndRejectedKeys() {
        AdversaryConfig n = new AdversaryConfig();
        n.attack = "neurotoxin";
        AdversaryConfig r = n.resolved("adversary 1");
        assertEquals(0.1, r.maskRatio);
        assertEquals(0.0, r.pgdEps);
        assertEquals("none", r.scale);
        assertNull(r.boost);
        AdversaryConfig a = new AdversaryConfig();
        a.attack = "Alter-Min";
        r = a.resolved("adversary 1");
        assertEquals("alter-min", r.attack);
        assertEquals("auto", r.boost);
        assertEquals(1e-4, r.stealthRho);
        a.boost = "0.5";
        String m = assertThrows(IllegalArgumentException.class, () -> a.resolved("adversary 1")).getMessage();
        assertTrue(m.contains("'boost' must be auto or a finite number >= 1"), m);
        AdversaryConfig p = new AdversaryConfig();
        p.attack = "pixel-pattern";
        p.maskRatio = 0.2;
        m = assertThrows(IllegalArgumentException.class, () -> p.resolved("adversary 1")).getMessage();
        assertTrue(m.contains("'mask-ratio' does not apply to attack pixel-pattern"), m);
        n.maskRatio = 1.0;
        m = assertThrows(IllegalArgumentException.class, () -> n.resolved("adversary 1")).getMessage();
        assertTrue(m.contains("'mask-ratio' must be a fraction in [0, 1)"), m);
    }

    @Test
    void neurotoxinRaisesAsrUnderFedAvg() {
        ScenarioConfig c = tiny("neurotoxin");
        Scenario s = Scenario.prepare(c);
        assertTrue(s.adversaries().get(0).attack() instanceof NeurotoxinAttack);
        Simulation.Outcome o = Simulation.of(s).build().run();
        double attacked = finalAsr(o, "fedavg");
        assertTrue(attacked >= 0.6 && attacked >= finalAsr(o, "no-attack") + 0.5, "ASR " + attacked);
    }

    @Test
    void alterMinRaisesAsrUnderFedAvg() {
        ScenarioConfig c = tiny("alter-min");
        c.primary.boost = "2";
        Scenario s = Scenario.prepare(c);
        assertTrue(s.adversaries().get(0).attack() instanceof AlterMinAttack);
        Simulation.Outcome o = Simulation.of(s).build().run();
        double attacked = finalAsr(o, "fedavg");
        assertTrue(attacked >= 0.6 && attacked >= finalAsr(o, "no-attack") + 0.5, "ASR " + attacked);
    }

    @Test
    void saliencyMimicRunsThroughTheSimulatorWithBadfl() {
        ScenarioConfig c = TestScenarios.tiny("saliency-mimic", 2, "fedavg", "badfl");
        c.primary.trigger = "square";
        c.rounds = 1;
        AdversaryConfig r = c.primary.resolved("adversary 1");
        assertEquals(org.badfl.clients.SaliencyMimicAttack.DEFAULT_LAMBDA, r.saliencyLambda);
        Simulation.Outcome o = Simulation.of(Scenario.prepare(c)).build().run();
        assertTrue(o.complete());
        assertEquals(2, o.records().get(1).attacking(), "badfl judged the round with both attackers");
    }

    @Test
    void lateStarterIsConstrainAndScaleFromRoundRPlusOne() {
        AdversaryConfig a = new AdversaryConfig();
        a.attack = "late-starter";
        a.cleanRounds = 2;
        AdversaryConfig r = a.resolved("adversary 1");
        assertEquals("constrain-and-scale", r.attack);
        assertEquals("from:3", r.schedule);
        assertNull(r.cleanRounds);
        assertEquals(r, r.resolved("adversary 1"), "the resolved preset resolves to itself");
        a.cleanRounds = null;
        assertEquals("from:" + (AdversaryConfig.DEFAULT_CLEAN_ROUNDS + 1), a.resolved("adversary 1").schedule);
        a.schedule = "every-round";
        String m = assertThrows(IllegalArgumentException.class, () -> a.resolved("adversary 1")).getMessage();
        assertTrue(m.contains("'schedule' does not apply to attack late-starter"), m);
        AdversaryConfig p = new AdversaryConfig();
        p.attack = "dba";
        p.cleanRounds = 3;
        m = assertThrows(IllegalArgumentException.class, () -> p.resolved("adversary 1")).getMessage();
        assertTrue(m.contains("'clean-rounds' does not apply to attack dba"), m);

        ScenarioConfig c = TestScenarios.tiny("late-starter", 2, "fedavg");
        c.primary.trigger = "square";
        c.primary.cleanRounds = 2;
        c.rounds = 3;
        Simulation.Outcome o = Simulation.of(Scenario.prepare(c)).build().run();
        assertEquals(0, o.records().get(0).attacking());
        assertEquals(0, o.records().get(1).attacking());
        assertEquals(2, o.records().get(2).attacking());
    }
}
