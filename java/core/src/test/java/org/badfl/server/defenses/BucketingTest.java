package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.server.ClientVerdict;
import org.badfl.server.Defense;
import org.badfl.server.RoundResult;
import org.junit.jupiter.api.Test;

class BucketingTest {

    static final float[][] FIVE = rows(new double[] {0, 1}, new double[] {2, 3}, new double[] {4, -1},
        new double[] {10, 0}, new double[] {-2, 5});

    @Test
    void bucketsPartitionTheRows() {
        int[][] b = Bucketing.buckets(7, 3, new SplittableRandom(5));
        assertEquals(3, b.length);
        assertEquals(3, b[0].length);
        assertEquals(3, b[1].length);
        assertEquals(1, b[2].length);
        int[] all = Arrays.stream(b).flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, all);
    }

    /**
     * The result is the base rule on the bucket means: recompute the buckets from the same seed (the round seed
     * 7 of {@link Rounds#input}), average them by hand, and run the coordinate median on those means.
     */
    @Test
    void baseRunsOnTheBucketMeans() {
        Bucketing bucketing = new Bucketing(2, new CoordinateMedian());
        RoundResult r = bucketing.aggregate(Rounds.input(vec(1, 1), plain(2), FIVE));
        int[][] buckets = Bucketing.buckets(5, 2, new SplittableRandom(7L));
        float[][] means = new float[buckets.length][2];
        for (int b = 0; b < buckets.length; b++) {
            for (int j = 0; j < 2; j++) {
                double s = 0;
                for (int i : buckets[b]) {
                    s += FIVE[i][j];
                }
                means[b][j] = (float) (s / buckets[b].length);
            }
        }
        RoundResult expected = new CoordinateMedian().aggregate(Rounds.input(vec(1, 1), plain(2), means));
        assertArrayEquals(expected.global(), r.global());
        // s = 1 is the base on the rows themselves (the median ignores order).
        assertArrayEquals(new CoordinateMedian().aggregate(Rounds.input(vec(1, 1), plain(2), FIVE)).global(),
            new Bucketing(1, new CoordinateMedian()).aggregate(Rounds.input(vec(1, 1), plain(2), FIVE)).global());
        // s = n: one bucket, the mean of everything.
        assertArrayEquals(vec(1 + 14 / 5.0, 1 + 8 / 5.0),
            new Bucketing(5, new CoordinateMedian()).aggregate(Rounds.input(vec(1, 1), plain(2), FIVE)).global(), 1e-6f);
    }

    /** Krum as base: every client inherits its bucket's verdict; the bucket with the huge update is rejected. */
    @Test
    void hugeUpdateStaysOutWithKrum() {
        float[][] x = rows(new double[] {1, 2}, new double[] {1.2, 1.9}, new double[] {0.9, 2.2},
            new double[] {1.1, 2.1}, new double[] {0.8, 1.8}, new double[] {1.05, 2.05}, new double[] {0.95, 1.95},
            new double[] {1e6, 2e6});
        Bucketing bucketing = new Bucketing();
        RoundResult r = bucketing.aggregate(Rounds.input(vec(0, 0), plain(2), x));
        assertTrue(r.global()[0] >= 0.8f && r.global()[0] <= 1.2f, "x " + r.global()[0]);
        assertTrue(r.global()[1] >= 1.8f && r.global()[1] <= 2.2f, "y " + r.global()[1]);
        ClientVerdict huge = r.verdicts().get(7);
        assertEquals(ClientVerdict.Status.REJECTED, huge.status());
        assertTrue(huge.flagged() && huge.reason().startsWith("bucket "), huge.reason());
        assertEquals(107, huge.clientId());
        assertTrue(bucketing.flagsClients());
    }

    @Test
    void badInputAndOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Bucketing(6, new Krum()).aggregate(Rounds.input(vec(0, 0), plain(2), FIVE)));
        assertTrue(e.getMessage().contains("bucketing") && e.getMessage().contains("bucket-size")
            && e.getMessage().contains("n = 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Bucketing(0, new Krum()));
        assertThrows(IllegalArgumentException.class, () -> new Bucketing(2, null));
        Defense median = new CoordinateMedian();
        Bucketing fromOptions = Bucketing.fromOptions(Map.of("bucket-size", "3", "base", "median"),
            name -> name.equals("median") ? median : null);
        assertSame(median, fromOptions.base());
        assertThrows(IllegalArgumentException.class, () -> Bucketing.fromOptions(Map.of("size", "3"), name -> median));
        assertThrows(IllegalArgumentException.class,
            () -> Bucketing.fromOptions(Map.of("base", "bucketing"), name -> median));
        assertThrows(IllegalArgumentException.class, () -> Bucketing.fromOptions(Map.of("bucket-size", "x"),
            name -> median));
    }
}
