package org.badfl.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.catalog.Defenses;
import org.badfl.util.Seeds;
import org.junit.jupiter.api.Test;

/** The linking example of the package documentation, run: an FL server loop with one hostile client. */
class LinkingExampleTest {

    @Test
    void serverLoopSurvivesAHostileClient() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("fc.weight", 20 * 4, ParamKind.WEIGHT);
        b.add("fc.bias", 4, ParamKind.BIAS);
        ParamLayout layout = b.build();
        Defense defense = Defenses.create("flame", Map.of("lambda", "0.001"));
        RoundAggregator aggregator = new RoundAggregator(defense);
        int clients = 6;
        int rounds = 3;
        long masterSeed = 2024;
        try (Compute compute = Compute.create(2)) {
            ServerContext context = ServerContext.of(compute);
            float[] global = new float[layout.size()];
            for (int round = 1; round <= rounds; round++) {
                RoundUpdates updates = new HostRoundUpdates(layout, clients);
                SplittableRandom rng = new SplittableRandom(Seeds.derive(masterSeed, "clients", round));
                for (int slot = 0; slot < clients; slot++) {
                    float[] delta = new float[layout.size()];
                    for (int j = 0; j < delta.length; j++) {
                        delta[j] = (float) (0.01 + 0.001 * rng.nextGaussian());
                    }
                    if (slot == 5) {
                        delta[17] = Float.NaN; // hostile or broken client
                    }
                    updates.receive(slot, slot, 100, delta);
                }
                long seed = Seeds.derive(masterSeed, "aggregation", round);
                RoundAggregator.Outcome outcome =
                    aggregator.aggregate(global, layout, updates, round, rounds, seed, context);
                global = outcome.result().global();
                assertEquals(clients, outcome.result().verdicts().size());
                assertEquals(ClientVerdict.Status.REJECTED, outcome.result().verdicts().get(5).status());
                assertTrue(outcome.result().note().startsWith("1 of 6 updates rejected as invalid"));
            }
            assertTrue(UpdateValidator.findNonFinite(global, layout).isEmpty());
            assertEquals(3 * 0.01, global[0], 0.01);
        }
    }
}
