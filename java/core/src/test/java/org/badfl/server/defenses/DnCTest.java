package org.badfl.server.defenses;

import static org.badfl.server.defenses.Rounds.plain;
import static org.badfl.server.defenses.Rounds.rows;
import static org.badfl.server.defenses.Rounds.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.badfl.engine.Compute;
import org.badfl.server.AggregationKernels;
import org.badfl.server.ClientVerdict;
import org.badfl.server.RoundResult;
import org.badfl.server.ServerContext;
import org.junit.jupiter.api.Test;

class DnCTest {

    /**
     * One coordinate (fraction 1): values 0, 1, 2, 3, 10, mean 3.2, v = ±1, scores (x − 3.2)²; f = 1, c = 1
     * removes the highest, 10; G ← G + mean(0, 1, 2, 3) = 1.5.
     */
    @Test
    void oneDimensionByHand() {
        float[][] x = rows(new double[] {0}, new double[] {1}, new double[] {2}, new double[] {3}, new double[] {10});
        RoundResult r = new DnC(1, 1.0, 1, 1.0).aggregate(Rounds.input(vec(1), plain(1), x));
        assertEquals(2.5f, r.global()[0], 1e-6f);
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(4).status());
        assertTrue(r.verdicts().get(4).flagged());
        assertTrue(r.verdicts().get(4).reason().contains("46.24"), r.verdicts().get(4).reason());
        for (int i = 0; i < 4; i++) {
            assertEquals(ClientVerdict.Status.ACCEPTED, r.verdicts().get(i).status());
        }
    }

    /** Scores from the Gram matrix equal ⟨x_i − μ, v⟩² with v the top right singular vector by power iteration. */
    @Test
    void scoresMatchTheSingularVectorDefinition() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 6;
        int d = 5;
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) rng.nextGaussian();
            }
        }
        double[][] c = new double[n][d];
        for (int j = 0; j < d; j++) {
            double mu = 0;
            for (int i = 0; i < n; i++) {
                mu += x[i][j];
            }
            mu /= n;
            for (int i = 0; i < n; i++) {
                c[i][j] = x[i][j] - mu;
            }
        }
        // Power iteration on CᵀC for the top right singular vector.
        double[] v = new double[d];
        java.util.Arrays.fill(v, 1);
        for (int it = 0; it < 5000; it++) {
            double[] cv = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    cv[i] += c[i][j] * v[j];
                }
            }
            double[] next = new double[d];
            double norm = 0;
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < n; i++) {
                    next[j] += c[i][j] * cv[i];
                }
                norm += next[j] * next[j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                v[j] = next[j] / norm;
            }
        }
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            double p = 0;
            for (int j = 0; j < d; j++) {
                p += c[i][j] * v[j];
            }
            expected[i] = p * p;
        }
        int[] all = {0, 1, 2, 3, 4};
        double[] scores = DnC.scores(DnC.gram(x, all, org.badfl.server.AggregationKernels.cpu(Compute.serial()),
            Compute.serial()), n);
        assertArrayEquals(expected, scores, 1e-9);
    }

    /** Sampled columns over more than one gathering block: the Gram matches a direct sum in double. */
    @Test
    void gramOfSampledCoordinatesAcrossBlocks() {
        int n = 3;
        int d = 2 * DnC.BLOCK + 4000;
        float[][] x = new float[n][d];
        SplittableRandom rng = new SplittableRandom(8);
        for (float[] row : x) {
            for (int c = 0; c < d; c++) {
                row[c] = (float) rng.nextGaussian();
            }
        }
        int[] coordinates = java.util.stream.IntStream.range(0, d).filter(c -> c % 2 == 1).toArray();
        assertTrue(coordinates.length > DnC.BLOCK);
        try (Compute two = Compute.create(2)) {
            double[] g = DnC.gram(x, coordinates, org.badfl.server.AggregationKernels.cpu(two), two);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double expected = 0;
                    double magnitude = 0;
                    for (int c : coordinates) {
                        expected += (double) x[i][c] * x[j][c];
                        magnitude += Math.abs((double) x[i][c] * x[j][c]);
                    }
                    // the Gram kernel's bound: a few float roundings relative to Σ|x_ic·x_jc|
                    assertEquals(expected, g[i * n + j], 1e-6 * magnitude);
                }
            }
            assertArrayEquals(g, DnC.gram(x, coordinates, org.badfl.server.AggregationKernels.cpu(Compute.serial()),
                Compute.serial()), "thread count must not change the Gram");
        }
    }

    /**
     * Kernels that, like the device implementation, answer a Gram call on the same row arrays and ranges from their
     * cache: DnC's block Grams must still be right (each block gathers into fresh arrays).
     */
    @Test
    void gramIsRightWithKernelsThatCacheByRowIdentity() {
        AggregationKernels cpu = AggregationKernels.cpu(Compute.serial());
        AggregationKernels caching = new AggregationKernels() {
            private float[][] lastRows;
            private int[] lastRanges;
            private double[] last;

            public String name() {
                return "caching";
            }

            public double[] gram(float[][] rows, int[] ranges) {
                if (lastRows != null && Arrays.equals(ranges, lastRanges) && rows.length == lastRows.length
                    && java.util.stream.IntStream.range(0, rows.length).allMatch(i -> rows[i] == lastRows[i])) {
                    return last.clone();
                }
                lastRows = rows.clone();
                lastRanges = ranges.clone();
                last = cpu.gram(rows, ranges);
                return last.clone();
            }

            public double[] dots(float[][] rows, float[] v, int[] ranges) {
                return cpu.dots(rows, v, ranges);
            }

            public void median(float[][] rows, float[] out) {
                cpu.median(rows, out);
            }

            public void trimmedMean(float[][] rows, int trim, float[] out) {
                cpu.trimmedMean(rows, trim, out);
            }

            public void absSignSum(float[][] rows, int[] out) {
                cpu.absSignSum(rows, out);
            }

            public void accumulate(float[][] rows, double[] weights, float[] out) {
                cpu.accumulate(rows, weights, out);
            }

            public void accumulateLayerScaled(float[][] rows, double[] weights, double[][] layerScale,
                                              org.badfl.engine.ParamLayout layout, float[] out) {
                cpu.accumulateLayerScaled(rows, weights, layerScale, layout, out);
            }

            public void addNoise(float[] target, int from, int to, double sigma, long seed, long stream) {
                cpu.addNoise(target, from, to, sigma, seed, stream);
            }
        };
        int n = 3;
        float[][] x = new float[n][3 * DnC.BLOCK];
        SplittableRandom rng = new SplittableRandom(9);
        for (float[] row : x) {
            for (int c = 0; c < row.length; c++) {
                row[c] = (float) rng.nextGaussian();
            }
        }
        int[] coordinates = java.util.stream.IntStream.range(0, 3 * DnC.BLOCK).toArray();
        assertArrayEquals(DnC.gram(x, coordinates, cpu, Compute.serial()),
            DnC.gram(x, coordinates, caching, Compute.serial()));
    }

    @Test
    void sampledCoordinatesAreDistinctAndTrainable() {
        int[] ranges = {0, 3, 10, 12};
        int[] c = DnC.sample(ranges, 5, 4, new SplittableRandom(1));
        assertEquals(4, c.length);
        for (int k = 0; k < c.length; k++) {
            assertTrue((c[k] >= 0 && c[k] < 3) || (c[k] >= 10 && c[k] < 12), "coordinate " + c[k]);
            assertTrue(k == 0 || c[k] > c[k - 1]);
        }
        assertArrayEquals(new int[] {0, 1, 2, 10, 11}, DnC.sample(ranges, 5, 5, new SplittableRandom(2)));
    }

    /** One update 10⁶ times larger is removed and every coordinate stays within the honest range. */
    @Test
    void hugeUpdateIsRemoved() {
        float[][] x = rows(new double[] {1, 2, 0}, new double[] {1.2, 1.9, 0.1}, new double[] {0.9, 2.2, -0.1},
            new double[] {1.1, 2.1, 0.05}, new double[] {0.8, 1.8, 0}, new double[] {1e6, 2e6, 1e6});
        RoundResult r = new DnC(1, 0.5, 5, 1.0).aggregate(Rounds.input(vec(0, 0, 0), plain(3), x));
        assertEquals(ClientVerdict.Status.REJECTED, r.verdicts().get(5).status());
        assertTrue(r.global()[0] >= 0.8f && r.global()[0] <= 1.2f, "x " + r.global()[0]);
        assertTrue(r.global()[1] >= 1.8f && r.global()[1] <= 2.2f, "y " + r.global()[1]);
    }

    @Test
    void sameResultOnAnyThreadCount() {
        SplittableRandom rng = new SplittableRandom(4);
        float[][] x = new float[8][30_000];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) rng.nextGaussian();
            }
        }
        float[] g = new float[30_000];
        RoundResult serial = new DnC().aggregate(Rounds.input(g, plain(30_000), x));
        try (Compute three = Compute.create(3)) {
            RoundResult parallel = new DnC().aggregate(Rounds.input(g, plain(30_000), ServerContext.of(three), 1, 7L, x));
            assertArrayEquals(serial.global(), parallel.global());
            assertEquals(serial.verdicts(), parallel.verdicts());
        }
    }

    @Test
    void badInput() {
        float[][] x = rows(new double[] {0}, new double[] {1}, new double[] {2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new DnC(3, 1, 1, 1).aggregate(Rounds.input(vec(0), plain(1), x)));
        assertTrue(e.getMessage().contains("dnc") && e.getMessage().contains("n = 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DnC(-3, 0.2, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> new DnC(1, 0, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> new DnC(1, 0.2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new DnC(1, 0.2, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> DnC.fromOptions(Map.of("niters", "5")));
        assertEquals(1, DnC.fromOptions(Map.of("f", "2", "filter", "0.5")).removedFor(10));
        assertEquals(2, DnC.fromOptions(Map.of()).removedFor(10));
        assertEquals(0, DnC.fromOptions(Map.of()).removedFor(4));
    }
}
