package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.badfl.server.defenses.Rounds.withBn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.engine.Compute;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.badfl.server.detect.GramMatrix;
import org.junit.jupiter.api.Test;

class KrumClippingTest {

    /** (0,0), (1,0), (0,1), (0.5,0.5), (10,10). */
    static final float[][] POINTS = rows(new double[] {0, 0}, new double[] {1, 0}, new double[] {0, 1},
        new double[] {0.5, 0.5}, new double[] {10, 10});

    /**
     * n = 5, f = auto = ⌊(5−3)/2⌋ = 1, neighbours n − f − 2 = 2. Squared distances: p3 is 0.5 from p0, p1, p2
     * → score 1.0; p0: 0.5 (p3) + 1 (p1) = 1.5; p1, p2 likewise 1.5; p4: 180.5 (p3) + 181 (p1) = 361.5 → Krum picks p3.
     */
    @Test
    void krumPicksTheLowestScore() {
        double[] scores = Krum.scores(GramMatrix.of(POINTS, new int[] {0, 2}, Compute.serial()), 1);
        assertArrayEquals(new double[] {1.5, 1.5, 1.5, 1.0, 361.5}, scores, 1e-9);
        Krum krum = new Krum();
        assertEquals(1, krum.attackersFor(5));
        RoundResult r = krum.aggregate(Rounds.input(vec(1, 1), plain(2), POINTS));
        assertArrayEquals(vec(1.5, 1.5), r.global());
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(3).status());
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(4).status());
        assertTrue(r.verdicts().get(4).flagged());
        assertEquals("", r.note());
    }

    /** Multi-Krum, m = n − f = 4: the four lowest scores p3, p0, p1, p2 averaged: (0.375, 0.375). */
    @Test
    void multiKrumAveragesTheSelected() {
        MultiKrum mk = new MultiKrum();
        assertEquals(4, mk.selectedFor(5));
        RoundResult r = mk.aggregate(Rounds.input(vec(0, 0), plain(2), POINTS));
        assertArrayEquals(vec(0.375, 0.375), r.global());
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(4).status());
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(0).status());
        // m = 1 is Krum.
        assertArrayEquals(vec(0.5, 0.5), new MultiKrum(1, 1).aggregate(Rounds.input(vec(0, 0), plain(2), POINTS)).global());
    }

    /**
     * n ≤ f + 2: each score uses the nearest neighbour; n = 3, f = 1: p0=(0,0), p1=(1,0), p2=(5,0): scores
     * 1, 1, 16 → p0 (lowest index on the tie); the note says the guarantee does not hold. n = 1: the update.
     */
    @Test
    void smallRounds() {
        float[][] three = rows(new double[] {0, 0}, new double[] {1, 0}, new double[] {5, 0});
        RoundResult r = new Krum(1).aggregate(Rounds.input(vec(0, 0), plain(2), three));
        assertArrayEquals(vec(0, 0), r.global());
        assertEquals("n = 3 <= 2f + 2 = 4: Krum's guarantee does not hold; scores use 1 nearest neighbour", r.note());
        RoundResult one = new Krum(2).aggregate(Rounds.input(vec(1, 1), plain(2), rows(new double[] {2, 3})));
        assertArrayEquals(vec(3, 4), one.global());
    }

    /**
     * Bound M = 1, samples 1 and 3: (3, 4) has norm 5 → ×0.2 = (0.6, 0.8); (0.3, 0.4) passes. BN statistic
     * (third coordinate) averaged unclipped: 0.25·8 + 0.75·4 = 5. G + 0.25·(0.6, 0.8) + 0.75·(0.3, 0.4).
     */
    @Test
    void normClippingWithFixedBound() {
        float[][] rows = rows(new double[] {3, 4, 8}, new double[] {0.3, 0.4, 4});
        RoundResult r = new NormClipping(1.0, 0).aggregate(
            Rounds.input(new float[3], withBn(2, 1), ServerContext.of(Compute.serial()), 1, 1, rows, 1, 3));
        assertArrayEquals(new float[] {(float) (0.15 + 0.225), (float) (0.2 + 0.3), 5}, r.global());
        assertEquals(ClientVerdict.Status.CLIPPED, r.verdicts().get(0).status());
        assertFalse(r.verdicts().get(0).flagged());
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(1).status());
        assertFalse(new NormClipping().flagsClients());
    }
}
