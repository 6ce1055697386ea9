package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.junit.jupiter.api.Test;

class LasaTest {

    /** "w" (WEIGHT, d), "b" (BIAS, 1), "bn.running_mean" (1). */
    static ParamLayout layout(int d) {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", d, ParamKind.WEIGHT);
        b.add("b", 1, ParamKind.BIAS);
        b.add("bn.running_mean", 1, ParamKind.BN_RUNNING_MEAN);
        return b.build();
    }

    /**
     * |w| = (0.3, 0.9, 0.1, 0.5, 0.2), sparsity 0.4: K = ⌊5·0.6⌋ = 3, the 3rd largest is 0.3, kept: 0.9 and 0.5
     * (strictly above). Sparsity 0 keeps all; K = 0 keeps none.
     */
    @Test
    void sparsificationThresholdByHand() {
        float[] row = vec(0.3, -0.9, 0.1, 0.5, -0.2);
        List<ParamLayout.Entry> w = List.of(new ParamLayout.Entry("w", 0, 5, ParamKind.WEIGHT));
        assertEquals(0.3f, Lasa.threshold(row, w, 0.4));
        assertEquals(-1f, Lasa.threshold(row, w, 0));
        assertEquals(Float.POSITIVE_INFINITY, Lasa.threshold(row, w, 0.9));
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            float[] a = new float[1 + rng.nextInt(40)];
            for (int i = 0; i < a.length; i++) {
                a[i] = rng.nextInt(3) == 0 ? 0.5f : (float) rng.nextGaussian();
            }
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = rng.nextInt(a.length);
            assertEquals(sorted[k], org.badfl.server.kernels.CoordinateStats.kthSmallest(a, k));
        }
    }

    /** x = (1, 2, 3, 4, 10): median 3, mean 4, population variance 10: z = (2, 1, 0, 1, 7)/√10; constant x: 0. */
    @Test
    void medianZScoresByHand() {
        double s = Math.sqrt(10);
        assertArrayEquals(new double[] {2 / s, 1 / s, 0, 1 / s, 7 / s}, Lasa.medianZScores(new double[] {1, 2, 3, 4,
            10}), 1e-12);
        assertArrayEquals(new double[3], Lasa.medianZScores(new double[] {2, 2, 2}));
    }

    /**
     * Sparsity 0. Four benign updates w = e1 or e2, b = 1 (norm √2), one attacker w = (−6, −8), b = −1 (norm √101,
     * clipped by √2/√101). In each layer the attacker's value is the odd one out among four equal ones: with
     * x its offset from the median, std = 2x/5 and z = 2.5 (≥ λ_n = 2 for norms, ≥ λ_s = 1 for sign purity 0
     * against 1). Both layers: benign = the four; G += ((1,0)+(0,1)+(1,0)+(0,1))/4 = (0.5, 0.5), b += 1. The
     * BatchNorm statistic is the plain mean of all five (0, 0, 0, 0, 5): +1.
     */
    @Test
    void outlierExcludedLayerByLayerByHand() {
        float[][] rows = rows(new double[] {1, 0, 1, 0}, new double[] {0, 1, 1, 0}, new double[] {1, 0, 1, 0},
            new double[] {0, 1, 1, 0}, new double[] {-6, -8, -1, 5});
        float[] g = vec(0.1, 0.2, 0.3, 0.4);
        RoundResult r = new Lasa(2, 1, 0).aggregate(Rounds.input(g, layout(2), rows));
        assertArrayEquals(vec(0.6, 0.7, 1.3, 1.4), r.global(), 1e-6f);
        for (int i = 0; i < 4; i++) {
            assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(i).status(), r.verdicts().get(i).reason());
        }
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(4).status());
        assertTrue(r.verdicts().get(4).flagged());
        assertTrue(r.verdicts().get(4).reason().startsWith("excluded from 2 of 2 layers"));
    }

    /**
     * Two clients whose sign purities differ (1 and 0.5): both z-scores are 1, not below λ_s = 1, so nobody passes
     * layer w and all are taken; layer b is equal (z 0). G += ((1, 1) + (1, −1))/2 = (1, 0), b += 1.
     */
    @Test
    void nobodyPassingALayerTakesEverybody() {
        float[][] rows = rows(new double[] {1, 1, 1, 0}, new double[] {1, -1, 1, 0});
        RoundResult r = new Lasa(2, 1, 0).aggregate(Rounds.input(new float[4], layout(2), rows));
        assertArrayEquals(vec(1, 0, 1, 0), r.global(), 1e-7f);
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(0).status());
    }

    /**
     * One client, sparsity 0.5: w = (0.4, −0.1, 0.3, 0.2), K = 2, the 2nd largest |w| is 0.3: only 0.4 kept; the bias
     * stays dense. G += (0.4, 0, 0, 0, 0.7).
     */
    @Test
    void sparsifiedUpdatesAreAveraged() {
        float[][] rows = rows(new double[] {0.4, -0.1, 0.3, 0.2, 0.7, 0});
        RoundResult r = new Lasa(2, 1, 0.5).aggregate(Rounds.input(new float[6], layout(4), rows));
        assertArrayEquals(vec(0.4, 0, 0, 0, 0.7, 0), r.global(), 1e-7f);
        assertEquals(ClientVerdict.Status.CLIPPED, r.verdicts().get(0).status());
        assertEquals(false, r.verdicts().get(0).flagged());
    }

    @Test
    void badHyperparametersAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Lasa.fromOptions(Map.of("sparsity", "1")));
        assertEquals("lasa: sparsity must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Lasa.fromOptions(Map.of("norm-bound", "0")));
        assertEquals("lasa: norm-bound must be finite and > 0, got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Lasa.fromOptions(Map.of("sign-bound", "-1")));
        assertEquals("lasa: sign-bound must be finite and > 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Lasa.fromOptions(Map.of("lambda", "1")));
        assertTrue(e.getMessage().contains("unknown option lambda"), e.getMessage());
    }
}
