package org.badfl.server.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MeanShiftTest {

    static final double[][] TWO_GROUPS = {{0}, {0.1}, {0.2}, {0.15}, {5}, {5.1}};

    /**
     * k = ⌊6·0.5⌋ = 3 (self included): distances to the 3rd nearest 0.15, 0.1, 0.1, 0.05, 4.8, 4.9 → mean 10.1/6.
     * Bins of 1.6833: cells 0 (four points) and 3 (two) → seeds 0 and 5.05; they settle on 0.1125 (4 points)
     * and 5.05 (2 points).
     */
    @Test
    void bandwidthSeedsAndClustersByHand() {
        double bandwidth = MeanShift.estimateBandwidth(TWO_GROUPS, 0.5, 50, 1L);
        assertEquals(10.1 / 6, bandwidth, 1e-12);
        MeanShift.Result r = MeanShift.fit(TWO_GROUPS, bandwidth);
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1}, r.labels());
        assertEquals(0.1125, r.centres()[0][0], 1e-12);
        assertEquals(5.05, r.centres()[1][0], 1e-12);
        assertEquals(0, r.largestCluster());
    }

    /** Bins 0 (three points) and 6: centres 0.1 and 3. A zero bandwidth keeps only copies of the first point. */
    @Test
    void isolatedPointsAndDegenerateBandwidth() {
        MeanShift.Result r = MeanShift.fit(new double[][] {{0}, {0.1}, {0.2}, {3}}, 0.5);
        assertArrayEquals(new int[] {0, 0, 0, 1}, r.labels());
        assertEquals(0.1, r.centres()[0][0], 1e-12);
        assertEquals(0, MeanShift.fit(new double[][] {{1}, {1}, {2}}, 0).labels()[1]);
        assertEquals(-1, MeanShift.fit(new double[][] {{1}, {1}, {2}}, 0).labels()[2]);
        assertThrows(IllegalArgumentException.class, () -> MeanShift.fit(TWO_GROUPS, -1));
        assertThrows(IllegalArgumentException.class, () -> MeanShift.estimateBandwidth(TWO_GROUPS, 0, 50, 1L));
    }

    /** More points than the subsample: a seeded permutation picks them, same seed same bandwidth. */
    @Test
    void subsampleIsSeeded() {
        double[][] many = new double[80][1];
        for (int i = 0; i < many.length; i++) {
            many[i][0] = (i * 37 % 80) / 10.0;
        }
        assertEquals(MeanShift.estimateBandwidth(many, 0.5, 50, 9L), MeanShift.estimateBandwidth(many, 0.5, 50, 9L), 0);
    }
}
