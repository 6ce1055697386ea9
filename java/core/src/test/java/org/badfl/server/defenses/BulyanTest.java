package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.badfl.server.defenses.Rounds.withBn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.badfl.engine.Compute;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.badfl.server.detect.GramMatrix;
import org.junit.jupiter.api.Test;

class BulyanTest {

    /** Trainable values 0, 1, 2, 3, 4, 10, 100 (clients 100..106) and one BatchNorm statistic each. */
    static final float[][] SEVEN = rows(new double[] {0, 5}, new double[] {1, -1}, new double[] {2, 0},
        new double[] {3, 0.5}, new double[] {4, 7}, new double[] {10, 0}, new double[] {100, 0});

    /**
     * n = 7, f = auto = 1, θ = 5, β = 3. Iterated Krum over the trainable coordinate (squared distances):
     * R = all, 4 neighbours: scores 30, 15, 10, 15, 30, 230, … → 2. R = {0,1,3,4,10,100}, 3 neighbours:
     * 26, 14, 14, 26, 166 → 1 (tie with 3, lower index). R = {0,3,4,10,100}, 2 neighbours: 25, 10, 17, 85 → 3.
     * R = {0,4,10,100}, 1 neighbour: 16, 16, 36 → 0. R = {4,10,100}, 1 neighbour: 36, 36 → 4.
     * Coordinate 0: {0,1,2,3,4}, median 2, the 3 closest 1, 2, 3 → 2. BatchNorm coordinate: {5,−1,0,0.5,7},
     * median 0.5, closest 0.5, 0, −1 → −1/6.
     */
    @Test
    void selectionAndCoordinateStageByHand() {
        GramMatrix gram = GramMatrix.of(SEVEN, withBn(1, 1).trainableRanges(), Compute.serial());
        assertArrayEquals(new int[] {2, 1, 3, 0, 4}, Bulyan.select(gram, 1));
        Bulyan bulyan = new Bulyan();
        assertEquals(1, bulyan.attackersFor(7));
        RoundResult r = bulyan.aggregate(Rounds.input(vec(1, 1), withBn(1, 1), SEVEN));
        assertEquals(3.0, r.global()[0], 1e-6);
        assertEquals(1 - 1.0 / 6, r.global()[1], 1e-6);
        for (int i = 0; i < 5; i++) {
            assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(i).status());
        }
        for (int i = 5; i < 7; i++) {
            assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(i).status());
            assertTrue(r.verdicts().get(i).flagged());
        }
        assertEquals(105, r.verdicts().get(5).clientId());
    }

    @Test
    void closestToMedianWindow() {
        // Even count: median 2.5 of {1,2,3,10}; 2 closest: 2 and 3 (tie → smaller first, both taken).
        assertEquals(2.5, Bulyan.meanClosestToMedian(new double[] {1, 2, 3, 10}, 2), 0);
        // Odd: median 3 of {0,3,4,5,9}; 3 closest: 3, 4, then 5 (distance 2) before 0 (distance 3).
        assertEquals(4.0, Bulyan.meanClosestToMedian(new double[] {0, 3, 4, 5, 9}, 3), 0);
        // Tie at equal distance goes to the smaller value: median 2 of {1,2,3}, 2 closest: 2, then 1.
        assertEquals(1.5, Bulyan.meanClosestToMedian(new double[] {1, 2, 3}, 2), 0);
    }

    /** A 10⁶-times larger update is never selected, and every coordinate stays within the honest range. */
    @Test
    void hugeUpdateIsRejectedAndTheAggregateStaysInTheHonestRange() {
        float[][] x = rows(new double[] {1, 2}, new double[] {1.2, 1.9}, new double[] {0.9, 2.2},
            new double[] {1.1, 2.1}, new double[] {0.8, 1.8}, new double[] {1.05, 2.05}, new double[] {1e6, 2e6});
        RoundResult r = new Bulyan(1).aggregate(Rounds.input(vec(0, 0), plain(2), x));
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(6).status());
        assertTrue(r.global()[0] >= 0.8f && r.global()[0] <= 1.2f, "x " + r.global()[0]);
        assertTrue(r.global()[1] >= 1.8f && r.global()[1] <= 2.2f, "y " + r.global()[1]);
    }

    @Test
    void sameResultOnAnyThreadCount() {
        float[][] x = new float[9][40_000];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rng.nextGaussian();
            }
        }
        float[] g = new float[40_000];
        RoundResult serial = new Bulyan().aggregate(Rounds.input(g, plain(40_000), x));
        try (Compute four = Compute.create(4)) {
            RoundResult parallel = new Bulyan().aggregate(Rounds.input(g, plain(40_000), ServerContext.of(four), 1, 7L,
                x));
            assertArrayEquals(serial.global(), parallel.global());
        }
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Bulyan(2).aggregate(Rounds.input(vec(0), plain(1), rows(new double[] {1}, new double[] {2},
                new double[] {3}, new double[] {4}, new double[] {5}, new double[] {6}, new double[] {7},
                new double[] {8}, new double[] {9}, new double[] {10}))));
        assertTrue(e.getMessage().contains("bulyan") && e.getMessage().contains("4f + 3 = 11"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Bulyan(-2));
        assertThrows(IllegalArgumentException.class, () -> Bulyan.fromOptions(Map.of("f", "x")));
        assertThrows(IllegalArgumentException.class, () -> Bulyan.fromOptions(Map.of("beta", "1")));
        assertEquals(2, Bulyan.fromOptions(Map.of("f", "2")).attackersFor(11));
        assertEquals(0, Bulyan.fromOptions(Map.of()).attackersFor(6));
        // Small rounds with f = auto = 0: Krum selects everybody, the coordinate stage is the mean.
        RoundResult r = new Bulyan().aggregate(Rounds.input(vec(0), plain(1), rows(new double[] {1}, new double[] {5})));
        assertEquals(3.0, r.global()[0], 1e-6);
        assertFalse(r.verdicts().get(0).flagged());
        assertTrue(r.note().contains("f = 0"), r.note());
    }
}
