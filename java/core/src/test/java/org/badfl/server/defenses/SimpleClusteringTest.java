package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.badfl.server.detect.Dbscan;
import org.junit.jupiter.api.Test;

class SimpleClusteringTest {

    /**
     * 1-D points 0, 0.1, 0.2, 0.3 (a chain, each within 0.15 of the next), 5, 5.1, 5.2, and 9 alone. eps 0.15,
     * min_samples 3 (self included): cores 0.1, 0.2 (3 neighbours each) and 5.1; 0 and 0.3 are border points of
     * cluster 0, 5 and 5.2 of cluster 1, 9 is noise. Largest cluster {0, 0.1, 0.2, 0.3} → mean 0.15.
     */
    @Test
    void dbscanAndMajorityByHand() {
        float[][] x = rows(new double[] {0}, new double[] {0.1}, new double[] {0.2}, new double[] {0.3},
            new double[] {5}, new double[] {5.1}, new double[] {5.2}, new double[] {9});
        double[][] d = new double[8][8];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                d[i][j] = Math.abs((double) x[i][0] - x[j][0]);
            }
        }
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, -1}, new Dbscan(0.15, 3).labels(d));
        RoundResult r = new SimpleClustering(0.15, 3).aggregate(Rounds.input(vec(1), plain(1), x));
        assertEquals(1.15f, r.global()[0], 1e-6f);
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(4).status());
        assertTrue(r.verdicts().get(7).reason().contains("noise"), r.verdicts().get(7).reason());
        assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(3).status());
    }

    /** One update 10⁶ times larger is noise; the aggregate stays within the honest range. */
    @Test
    void hugeUpdateIsNoise() {
        float[][] x = rows(new double[] {0.01, 0.02}, new double[] {0.012, 0.019}, new double[] {0.009, 0.022},
            new double[] {0.011, 0.021}, new double[] {1e4, 2e4});
        RoundResult r = new SimpleClustering().aggregate(Rounds.input(vec(0, 0), plain(2), x));
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(4).status());
        assertTrue(r.global()[0] >= 0.009f && r.global()[0] <= 0.012f, "x " + r.global()[0]);
    }

    @Test
    void allNoiseAdmitsEverybodyAndBadInput() {
        RoundResult r = new SimpleClustering().aggregate(Rounds.input(vec(0), plain(1),
            rows(new double[] {0}, new double[] {1}, new double[] {2})));
        assertEquals(1.0f, r.global()[0], 1e-6f);
        assertTrue(r.note().contains("noise"), r.note());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SimpleClustering(0, 3));
        assertTrue(e.getMessage().contains("simple-clustering") && e.getMessage().contains("eps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SimpleClustering(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> SimpleClustering.fromOptions(Map.of("clustering", "x")));
        assertEquals("simple-clustering", SimpleClustering.fromOptions(Map.of("eps", "1", "min-samples", "2")).name());
        assertThrows(IllegalArgumentException.class, () -> new Dbscan(-1, 2));
    }
}
