package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.input;
import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.badfl.server.RoundInput;
import org.badfl.server.RoundResult;
import org.junit.jupiter.api.Test;

class FedAvgMedianTrimmedTest {

    /** p = (1, 2, 1)/4: G + [4·.25, 2·.5, 8·.25, −4·.25] = [2, 2, 3, 0], exact in float. */
    @Test
    void fedAvgWeightsBySampleCount() {
        RoundInput in = input(vec(1, 1, 1, 1), plain(4),
            rows(new double[] {4, 0, 0, 0}, new double[] {0, 2, 0, 0}, new double[] {0, 0, 8, -4}), 1, 2, 1);
        RoundResult r = new FedAvg().aggregate(in);
        assertArrayEquals(vec(2, 2, 3, 0), r.global());
        assertTrue(r.verdicts().isEmpty());
        assertFalse(new FedAvg().flagsClients());
        assertArrayEquals(vec(1, 1, 1, 1), in.global(), "G not modified");
    }

    /**
     * Five updates, three coordinates; sorted columns: c0 = −9, 0, 1, 2, 50 → median 1, trimmed (k = 1) mean
     * (0+1+2)/3 = 1; c1 = −2, −1, 0, 3, 4 → 0 and 2/3; c2 = 7 ×5 → 7 and 7.
     */
    @Test
    void medianAndTrimmedMeanPerCoordinate() {
        float[][] rows = rows(new double[] {1, 3, 7}, new double[] {50, -1, 7}, new double[] {-9, 4, 7},
            new double[] {0, 0, 7}, new double[] {2, -2, 7});
        float[] g = vec(10, 20, 30);
        assertArrayEquals(vec(11, 20, 37), new CoordinateMedian().aggregate(input(g, plain(3), rows)).global());
        TrimmedMean tm = new TrimmedMean(0.2);
        assertEquals(1, tm.trimmed(5));
        assertArrayEquals(new float[] {11, (float) (20 + 2.0 / 3), 37}, tm.aggregate(input(g, plain(3), rows)).global());
        // Even n: numpy median = mean of the two middle values; beta 0.1 trims nothing for n = 4.
        float[][] four = rows(new double[] {1}, new double[] {2}, new double[] {10}, new double[] {3});
        assertArrayEquals(vec(2.5), new CoordinateMedian().aggregate(input(vec(0), plain(1), four)).global());
        assertArrayEquals(vec(4), new TrimmedMean().aggregate(input(vec(0), plain(1), four)).global());
        assertThrows(IllegalArgumentException.class, () -> new TrimmedMean(0.5));
        assertThrows(IllegalArgumentException.class, () -> new TrimmedMean(-0.1));
    }
}
