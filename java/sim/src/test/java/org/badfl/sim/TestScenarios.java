package org.badfl.sim;

import java.util.List;

/** Small, fast scenarios on synthetic data for the simulator's tests. */
final class TestScenarios {

    private TestScenarios() {
    }

    /**
     * 6 clients on 240 synthetic 16x16 images of 4 classes (cnn-small fits 16x16), 2 rounds, one adversary of
     * {@code attackers} clients with a 4x4 white square trigger (backdoors101 needs 27 columns) and target 0.
     */
    static ScenarioConfig tiny(String attack, int attackers, String... defenses) {
        ScenarioConfig c = new ScenarioConfig();
        c.dataset = "synthetic:n=240,test=80,classes=4,size=16";
        c.rounds = 2;
        c.clients = 6;
        c.epochs = 1;
        c.batchSize = 8;
        c.lr = 0.05;
        c.momentum = 0.5;
        c.rootSet = 8;
        c.inspectionSet = 4;
        c.minSamples = 5;
        c.evalBatchSize = 64;
        c.threads = 2;
        c.primary = new AdversaryConfig();
        c.primary.attack = attack;
        c.primary.attackers = attack.equals("none") ? 0 : attackers;
        if (attack.equals("pixel-pattern") || attack.equals("constrain-and-scale")) {
            c.primary.trigger = "square";
        }
        c.defenses = List.of(defenses);
        return c;
    }
}
