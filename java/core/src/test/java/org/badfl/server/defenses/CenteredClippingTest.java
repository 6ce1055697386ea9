package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.junit.jupiter.api.Test;

class CenteredClippingTest {

    static final float[][] THREE = rows(new double[] {3, 4}, new double[] {0.3, 0.4}, new double[] {0, -2});

    /** The rule in double, straight from the formula: L steps from centre v. */
    static double[] reference(float[][] x, double[] v, double tau, int steps) {
        double[] c = v.clone();
        for (int l = 0; l < steps; l++) {
            double[] move = new double[c.length];
            for (float[] row : x) {
                double norm = 0;
                for (int j = 0; j < c.length; j++) {
                    norm += (row[j] - c[j]) * (row[j] - c[j]);
                }
                norm = Math.sqrt(norm);
                double scale = Math.min(1, tau / norm);
                for (int j = 0; j < c.length; j++) {
                    move[j] += (row[j] - c[j]) * scale / x.length;
                }
            }
            for (int j = 0; j < c.length; j++) {
                c[j] += move[j];
            }
        }
        return c;
    }

    /**
     * First round, centre 0, τ = 1: (3,4) has norm 5 → ×0.2 = (0.6, 0.8); (0.3,0.4) norm 0.5, kept; (0,−2)
     * norm 2 → ×0.5 = (0, −1). v = ((0.6 + 0.3 + 0)/3, (0.8 + 0.4 − 1)/3) = (0.3, 0.2/3).
     */
    @Test
    void oneIterationByHand() {
        CenteredClipping cc = new CenteredClipping(1, 1);
        RoundResult r = cc.aggregate(Rounds.input(vec(1, 1), plain(2), THREE));
        assertArrayEquals(new float[] {1.3f, (float) (1 + 0.2 / 3)}, r.global(), 1e-6f);
        assertArrayEquals(new float[] {0.3f, (float) (0.2 / 3)}, cc.centre(), 1e-6f);
        assertEquals(ClientVerdict.Status.CLIPPED, r.verdicts().get(0).status());
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(1).status());
        assertEquals(ClientVerdict.Status.CLIPPED, r.verdicts().get(2).status());
        assertTrue(r.verdicts().stream().noneMatch(ClientVerdict::flagged));
        assertTrue(r.note().contains("2 of 3"), r.note());
    }

    /** Three steps per round, two rounds: the second round starts from the first round's aggregate. */
    @Test
    void iterationsAndTheCarriedCentreFollowTheFormula() {
        CenteredClipping cc = new CenteredClipping(1, 3);
        double[] v1 = reference(THREE, new double[2], 1, 3);
        RoundResult r1 = cc.aggregate(Rounds.input(vec(0, 0), plain(2), THREE));
        assertArrayEquals(new float[] {(float) v1[0], (float) v1[1]}, r1.global(), 1e-6f);
        float[][] second = rows(new double[] {1, 1}, new double[] {-4, 0}, new double[] {0.5, 0.5});
        double[] v2 = reference(second, v1, 1, 3);
        RoundResult r2 = cc.aggregate(Rounds.input(vec(0, 0), plain(2), second));
        assertArrayEquals(new float[] {(float) v2[0], (float) v2[1]}, r2.global(), 1e-6f);
        // A fresh instance would start from 0 and give something else.
        double[] fresh = reference(second, new double[2], 1, 3);
        assertTrue(Math.abs(fresh[0] - v2[0]) + Math.abs(fresh[1] - v2[1]) > 1e-3);
    }

    @Test
    void savedStateResumesIdentically() {
        float[][] second = rows(new double[] {1, 1}, new double[] {-4, 0}, new double[] {0.5, 0.5});
        CenteredClipping uninterrupted = new CenteredClipping(1, 2);
        assertNull(uninterrupted.saveState());
        uninterrupted.aggregate(Rounds.input(vec(0, 0), plain(2), THREE));
        String state = uninterrupted.saveState();
        RoundResult expected = uninterrupted.aggregate(Rounds.input(vec(0, 0), plain(2), second));

        CenteredClipping resumed = new CenteredClipping(1, 2);
        resumed.restoreState(state);
        RoundResult actual = resumed.aggregate(Rounds.input(vec(0, 0), plain(2), second));
        assertArrayEquals(expected.global(), actual.global());
        assertEquals(expected.verdicts(), actual.verdicts());
        assertEquals(uninterrupted.saveState(), resumed.saveState());

        assertThrows(IllegalArgumentException.class, () -> new CenteredClipping().restoreState("rfa:xyz"));
        assertThrows(IllegalArgumentException.class,
            () -> new CenteredClipping().restoreState("centered-clipping-centre:@@@"));
        CenteredClipping wrongLength = new CenteredClipping();
        wrongLength.restoreState(state);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> wrongLength.aggregate(Rounds.input(vec(0, 0, 0), plain(3), rows(new double[] {1, 2, 3}))));
        assertTrue(e.getMessage().contains("centre"), e.getMessage());
    }

    /**
     * One update 10⁶ times larger: the honest ones are within τ of the centre 0 and pass unclipped, the huge
     * one contributes at most τ/n, so ‖v − Σ_honest Δ_i / n‖ ≤ τ/n.
     */
    @Test
    void hugeUpdateMovesTheAggregateAtMostTauOverN() {
        float[][] x = rows(new double[] {1, 2}, new double[] {1.2, 1.9}, new double[] {0.9, 2.2},
            new double[] {1e6, 2e6});
        double tau = 10;
        RoundResult r = new CenteredClipping(tau, 1).aggregate(Rounds.input(vec(0, 0), plain(2), x));
        double hx = (1 + 1.2 + 0.9) / 4;
        double hy = (2 + 1.9 + 2.2) / 4;
        double off = Math.hypot(r.global()[0] - hx, r.global()[1] - hy);
        assertTrue(off <= tau / 4 + 1e-5, "offset " + off);
        assertEquals(ClientVerdict.Status.CLIPPED, r.verdicts().get(3).status());
    }

    @Test
    void badInputAndOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CenteredClipping(0, 1));
        assertTrue(e.getMessage().contains("centered-clipping") && e.getMessage().contains("tau"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CenteredClipping(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new CenteredClipping(1, 0));
        assertThrows(IllegalArgumentException.class, () -> CenteredClipping.fromOptions(Map.of("radius", "1")));
        CenteredClipping c = CenteredClipping.fromOptions(Map.of("tau", "1", "iterations", "1"));
        assertArrayEquals(new float[] {1.3f, (float) (1 + 0.2 / 3)},
            c.aggregate(Rounds.input(vec(1, 1), plain(2), THREE)).global(), 1e-6f);
        RoundResult empty = new CenteredClipping().aggregate(Rounds.input(vec(1, 1), plain(2), new float[0][]));
        assertArrayEquals(vec(1, 1), empty.global());
    }
}
