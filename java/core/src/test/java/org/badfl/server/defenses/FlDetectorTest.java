package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.junit.jupiter.api.Test;

class FlDetectorTest {

    /**
     * Quadratic loss with Hessian diag(2, 3): pairs s1 = e1, y1 = 2e1 and s2 = e2, y2 = 3e2. σ = y2ᵀs2/s2ᵀs2 = 3;
     * two independent secant pairs in 2-D make the compact L-BFGS matrix exactly diag(2, 3): Ĥ·(1, 1) = (2, 3).
     * With the first pair alone Ĥ = 2·I on e1 and σ = 2 elsewhere: Ĥ·(1, 1) = (2, 2).
     */
    @Test
    void hessianVectorProductByHand() {
        List<float[]> s = List.of(vec(1, 0), vec(0, 1));
        List<float[]> y = List.of(vec(2, 0), vec(0, 3));
        Compute one = Compute.serial();
        assertArrayEquals(new double[] {2, 3}, FlDetector.hessianVectorProduct(s, y, vec(1, 1), one), 1e-12);
        assertArrayEquals(new double[] {2, 2}, FlDetector.hessianVectorProduct(s.subList(0, 1), y.subList(0, 1),
            vec(1, 1), one), 1e-12);
        // G did not move (s = 0): σ is 0/0, no product.
        assertNull(FlDetector.hessianVectorProduct(List.of(vec(0, 0)), List.of(vec(1, 0)), vec(1, 1), one));
    }

    @Test
    void gapStatisticFindsTwoGroupsAndNoneInEqualScores() {
        double[] two = {0.0100, 0.0101, 0.0102, 0.01005, 0.01015, 0.01008, 0.3000, 0.3001};
        assertEquals(2, FlDetector.gapStatistic(two, 5));
        assertEquals(1, FlDetector.gapStatistic(new double[] {0.2, 0.2, 0.2, 0.2}, 5));
        assertEquals(1, FlDetector.gapStatistic(new double[] {0.7}, 5));
    }

    static final double[] CURVATURE = {1, 2, 0.5, 1.5};

    /**
     * Rounds on a quadratic loss: benign client i sends Δ_i = −η·(A·G − b_i) (A = diag(1, 2, 0.5, 1.5), η = 0.1), so
     * its next update is exactly predictable; clients 6 and 7 send fresh Gaussian noise (σ = 1) every round.
     */
    static float[][] updates(float[] g, int round) {
        float[][] rows = new float[8][4];
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 4; c++) {
                double b = 0.5 + 0.1 * i + 0.2 * c;
                rows[i][c] = (float) (-0.1 * (CURVATURE[c] * g[c] - b));
            }
        }
        SplittableRandom rng = new SplittableRandom(1000 + round);
        for (int i = 6; i < 8; i++) {
            for (int c = 0; c < 4; c++) {
                rows[i][c] = (float) rng.nextGaussian();
            }
        }
        return rows;
    }

    /** Runs rounds [from, to] from G; returns the results. */
    static List<RoundResult> run(FlDetector d, float[] g0, int from, int to) {
        return run(d, g0, from, to, Compute.serial());
    }

    static List<RoundResult> run(FlDetector d, float[] g0, int from, int to, Compute compute) {
        List<RoundResult> results = new ArrayList<>();
        float[] g = g0;
        for (int t = from; t <= to; t++) {
            RoundInput in = Rounds.input(g, plain(4), ServerContext.of(compute), t, 40L + t, updates(g, t));
            RoundResult r = d.aggregate(in);
            results.add(r);
            g = r.global();
        }
        return results;
    }

    /**
     * window 3, start 2: no distances in rounds 1-2, distances from round 3, scores (and detection) from round 5.
     * Before that G ← G + mean of all eight; from round 5 the noise senders are rejected and flagged and G moves by
     * the benign mean only.
     */
    @Test
    void unpredictableClientsAreDetectedOnceTheWindowIsFull() {
        FlDetector d = new FlDetector(3, 2);
        List<RoundResult> results = run(d, new float[4], 1, 8);
        float[] g = new float[4];
        for (int t = 1; t <= 8; t++) {
            RoundResult r = results.get(t - 1);
            float[][] rows = updates(g, t);
            boolean detecting = t >= 5;
            for (int i = 0; i < 8; i++) {
                ClientVerdict v = r.verdicts().get(i);
                boolean noise = i >= 6;
                assertEquals(detecting && noise ? ClientVerdict.Status.REJECTED : ClientVerdict.Status.ACCEPTED,
                    v.status(), "round " + t + " client " + i + ": " + v.reason());
                assertEquals(detecting && noise, v.flagged());
            }
            int admitted = detecting ? 6 : 8;
            float[] expected = g.clone();
            for (int c = 0; c < 4; c++) {
                double sum = 0;
                for (int i = 0; i < admitted; i++) {
                    sum += rows[i][c] * (1.0 / admitted);
                }
                expected[c] = (float) (g[c] + sum);
            }
            assertArrayEquals(expected, r.global(), 1e-6f, "round " + t);
            g = r.global();
        }
        assertTrue(results.get(4).note().contains("attack detected"), results.get(4).note());
        assertTrue(results.get(3).verdicts().get(0).reason().contains("no suspicious score"));
    }

    /**
     * An update of 10³⁰ per coordinate once the memory is full: G stays finite. The sender is not necessarily
     * rejected in that round: its normalised distance (≈ 1) enters a mean over the window, and the other
     * clients' distances of the round shrink to ≈ 0, so the gap statistic may find no split yet.
     */
    @Test
    void hugeUpdateWithAFullMemory() {
        FlDetector d = new FlDetector(3, 2);
        List<RoundResult> results = run(d, new float[4], 1, 6);
        float[] g = results.get(5).global();
        float[][] rows = updates(g, 7);
        java.util.Arrays.fill(rows[7], 1e30f);
        RoundResult r = d.aggregate(Rounds.input(g, plain(4), ServerContext.of(Compute.serial()), 7, 47L, rows));
        for (float v : r.global()) {
            assertTrue(Float.isFinite(v));
        }
        assertEquals(8, r.verdicts().size());
    }

    @Test
    void threadCountDoesNotChangeTheRounds() {
        List<RoundResult> serial = run(new FlDetector(3, 2), new float[4], 1, 8);
        try (Compute two = Compute.create(2)) {
            List<RoundResult> parallel = run(new FlDetector(3, 2), new float[4], 1, 8, two);
            for (int t = 0; t < 8; t++) {
                assertArrayEquals(serial.get(t).global(), parallel.get(t).global());
                assertEquals(serial.get(t).verdicts(), parallel.get(t).verdicts());
            }
        }
    }

    /** State saved after round 4 and restored in a fresh instance: rounds 5-8 are bit-identical. */
    @Test
    void savedStateResumesIdentically() {
        FlDetector uninterrupted = new FlDetector(3, 2);
        assertNull(uninterrupted.saveState());
        List<RoundResult> first = run(uninterrupted, new float[4], 1, 4);
        String state = uninterrupted.saveState();
        float[] g4 = first.get(3).global();
        List<RoundResult> expected = run(uninterrupted, g4, 5, 8);

        FlDetector resumed = new FlDetector(3, 2);
        resumed.restoreState(state);
        List<RoundResult> actual = run(resumed, g4, 5, 8);
        for (int t = 0; t < 4; t++) {
            assertArrayEquals(expected.get(t).global(), actual.get(t).global());
            assertEquals(expected.get(t).verdicts(), actual.get(t).verdicts());
            assertEquals(expected.get(t).note(), actual.get(t).note());
        }
        assertEquals(uninterrupted.saveState(), resumed.saveState());
        // Without the state, round 5 has no memory: nobody is rejected.
        RoundResult fresh = run(new FlDetector(3, 2), g4, 5, 5).get(0);
        assertFalse(expected.get(0).verdicts().equals(fresh.verdicts()));

        assertThrows(IllegalArgumentException.class, () -> new FlDetector().restoreState("foolsgold-histories:1=AA"));
        assertThrows(IllegalArgumentException.class, () -> new FlDetector().restoreState("fldetector:1|x"));
        assertThrows(IllegalArgumentException.class, () -> new FlDetector().restoreState("fldetector:1|@|||||"));
        // A memory longer than this instance's window.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new FlDetector(1, 2).restoreState(state));
        assertTrue(e.getMessage().contains("window 1"), e.getMessage());
    }

    @Test
    void badHyperparametersAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FlDetector.fromOptions(Map.of("window", "0")));
        assertEquals("fldetector: window must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FlDetector.fromOptions(Map.of("start", "0")));
        assertEquals("fldetector: start must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FlDetector.fromOptions(Map.of("windows", "3")));
        assertTrue(e.getMessage().contains("unknown option windows"), e.getMessage());
    }
}
