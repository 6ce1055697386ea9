package org.badfl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionTest {

    /** 5,800 labels over 10 classes with unequal class sizes (class c has 400 + 40c samples), shuffled. */
    private static int[] labels() {
        int n = 0;
        for (int c = 0; c < 10; c++) {
            n += 400 + 40 * c;
        }
        int[] l = new int[n];
        int k = 0;
        for (int c = 0; c < 10; c++) {
            for (int j = 0; j < 400 + 40 * c; j++) {
                l[k++] = c;
            }
        }
        IidPartitioner.shuffle(l, new SplittableRandom(3));
        return l;
    }

    /** Every index appears in at most one share; returns how many were assigned. */
    private static int assertDisjoint(Partition p, int n) {
        boolean[] seen = new boolean[n];
        int count = 0;
        for (int u = 0; u < p.clients(); u++) {
            int[] idx = p.indices(u);
            for (int k = 0; k < idx.length; k++) {
                assertFalse(seen[idx[k]], "index " + idx[k] + " given twice");
                seen[idx[k]] = true;
                if (k > 0) {
                    assertTrue(idx[k - 1] < idx[k], "shares are sorted ascending");
                }
                count++;
            }
        }
        return count;
    }

    private static void assertSame(Partition a, Partition b) {
        assertEquals(a.clients(), b.clients());
        for (int u = 0; u < a.clients(); u++) {
            assertArrayEquals(a.indices(u), b.indices(u), "client " + u);
        }
    }

    @Test
    void iidIsEqualSharesCoveringAllDeterministic() {
        int[] labels = labels();
        Partition p = new IidPartitioner(7, 1).partition(labels, 10, 42);
        assertEquals(labels.length, assertDisjoint(p, labels.length));
        // 4,000 + 40 * 45 = 5,800 samples = 7 x 828 + 4: the first four clients get one more
        assertEquals(5800, labels.length);
        assertEquals(829, p.size(0));
        assertEquals(829, p.size(3));
        assertEquals(828, p.size(4));
        assertEquals(828, p.size(6));
        assertSame(p, new IidPartitioner(7, 1).partition(labels, 10, 42));
        Partition other = new IidPartitioner(7, 1).partition(labels, 10, 43);
        assertFalse(java.util.Arrays.equals(p.indices(0), other.indices(0)));
    }

    @Test
    void iidHistogramsAreCloseToPooled() {
        PartitionSummary s = new IidPartitioner(10, 0).partition(labels(), 10, 1).summary(labels(), 10);
        // with 580 samples per client the TV distance of a multinomial sample is about 0.05 on average;
        // 0.1 leaves a wide margin while non-IID partitions below are far above it
        assertTrue(s.meanTotalVariation() < 0.1, "TV " + s.meanTotalVariation());
        assertEquals(10.0, s.meanClassesPerClient());
    }

    @Test
    void dirichletIsDeterministicDisjointAndCovering() {
        int[] labels = labels();
        DirichletPartitioner dp = new DirichletPartitioner(20, 0.5, 10);
        Partition p = dp.partition(labels, 10, 7);
        assertEquals(labels.length, assertDisjoint(p, labels.length));
        assertEquals(0, p.unassigned());
        assertSame(p, dp.partition(labels, 10, 7));
        assertFalse(java.util.Arrays.equals(p.indices(0), dp.partition(labels, 10, 8).indices(0)));
        for (int u = 0; u < 20; u++) {
            assertTrue(p.size(u) >= 10);
        }
    }

    @Test
    void dirichletAlphaControlsSkew() {
        int[] labels = labels();
        double tvLarge = new DirichletPartitioner(10, 1000, 0).partition(labels, 10, 1).summary(labels, 10)
            .meanTotalVariation();
        double tvSmall = new DirichletPartitioner(10, 0.1, 0).partition(labels, 10, 1).summary(labels, 10)
            .meanTotalVariation();
        // alpha = 1000: p_u ~ 1/N +- 1/sqrt(N alpha), client mixes within a few percent of pooled (TV ~ 0.03);
        // alpha = 0.1: most classes go to one or two clients (TV typically > 0.5)
        assertTrue(tvLarge < 0.1, "alpha 1000 TV " + tvLarge);
        assertTrue(tvSmall > 0.4, "alpha 0.1 TV " + tvSmall);
        PartitionSummary small = new DirichletPartitioner(10, 0.1, 0).partition(labels, 10, 1).summary(labels, 10);
        assertTrue(small.meanClassesPerClient() < 8, "classes per client " + small.meanClassesPerClient());
    }

    @Test
    void minimumIsMetByRepairWhenDrawsFail() {
        int[] labels = labels();
        // alpha 0.05 with 50 clients leaves many clients nearly empty; one draw then repair to 100 each
        DirichletPartitioner dp = new DirichletPartitioner(50, 0.05, 100, DirichletPartitioner.Rounding.LARGEST_REMAINDER,
            1);
        Partition p = dp.partition(labels, 10, 11);
        assertTrue(p.movedForMinimum() > 0);
        assertEquals(labels.length, assertDisjoint(p, labels.length));
        for (int u = 0; u < 50; u++) {
            assertTrue(p.size(u) >= 100, "client " + u + " has " + p.size(u));
        }
        assertSame(p, dp.partition(labels, 10, 11));
    }

    @Test
    void redrawsAreCountedWhenTheyMeetTheMinimum() {
        int[] labels = labels();
        Partition p = new DirichletPartitioner(10, 0.3, 300).partition(labels, 10, 5);
        for (int u = 0; u < 10; u++) {
            assertTrue(p.size(u) >= 300);
        }
        assertTrue(p.draws() >= 1 && p.draws() <= DirichletPartitioner.DEFAULT_MAX_DRAWS);
        if (p.draws() < DirichletPartitioner.DEFAULT_MAX_DRAWS) {
            assertEquals(0, p.movedForMinimum(), "a successful redraw needs no repair");
        }
        assertEquals(labels.length, assertDisjoint(p, labels.length));
    }

    @Test
    void nearestRoundingFollowsTheReferenceAndStaysDisjoint() {
        int[] labels = labels();
        DirichletPartitioner dp = new DirichletPartitioner(30, 0.5, 0, DirichletPartitioner.Rounding.NEAREST, 1);
        Partition p = dp.partition(labels, 10, 2);
        int assigned = assertDisjoint(p, labels.length);
        assertEquals(labels.length - assigned, p.unassigned());
        // per class the rounding error is at most N/2 = 15 samples
        assertTrue(p.unassigned() <= 10 * 15, "unassigned " + p.unassigned());
    }

    @Test
    void largestRemainderCountsSumToClassSize() {
        DirichletPartitioner dp = new DirichletPartitioner(4, 0.5, 0);
        assertArrayEquals(new int[] {3, 3, 2, 2}, dp.counts(10, new double[] {0.25, 0.25, 0.25, 0.25}));
        assertArrayEquals(new int[] {1, 6, 0, 3}, dp.counts(10, new double[] {0.14, 0.56, 0.02, 0.28}));
    }

    @Test
    void dirichletDrawsHaveTheRightMean() {
        // E[p_u] = 1/N and Var[p_u] = (N-1)/(N^2 (N alpha + 1)); 20,000 draws give a standard error of the mean
        // of about sqrt(Var/20000) = 0.0014 for N = 4, alpha = 0.5; tolerance 0.01 is ~7 standard errors
        SplittableRandom rng = new SplittableRandom(9);
        double[] sum = new double[4];
        double sumSq = 0;
        int draws = 20000;
        for (int k = 0; k < draws; k++) {
            double[] p = GammaSampler.symmetricDirichlet(0.5, 4, rng);
            double total = 0;
            for (int u = 0; u < 4; u++) {
                sum[u] += p[u];
                total += p[u];
            }
            assertEquals(1.0, total, 1e-12);
            sumSq += p[0] * p[0];
        }
        for (int u = 0; u < 4; u++) {
            assertEquals(0.25, sum[u] / draws, 0.01);
        }
        double var = sumSq / draws - Math.pow(sum[0] / draws, 2);
        assertEquals(3.0 / (16 * 3), var, 0.01);
        // tiny alpha does not underflow to NaN
        double[] p = GammaSampler.symmetricDirichlet(0.001, 100, rng);
        double total = 0;
        for (double v : p) {
            assertTrue(v >= 0 && !Double.isNaN(v));
            total += v;
        }
        assertEquals(1.0, total, 1e-9);
    }

    @Test
    void invalidArgumentsAreRejectedWithNames() {
        int[] labels = labels();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new IidPartitioner(100, 100).partition(labels, 10, 1));
        assertTrue(e.getMessage().contains("10000") && e.getMessage().contains("5800"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(10, Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> new DirichletPartitioner(0, 0.5, 0));
        assertThrows(IllegalArgumentException.class,
            () -> new DirichletPartitioner(2, 0.5, 0).partition(new int[] {0, 5}, 3, 1));
    }

    @TempDir
    Path dir;

    @Test
    void summaryTableCsvJson() throws IOException {
        int[] labels = {0, 1, 1, 2, 2, 2};
        Partition p = new Partition("manual", new int[][] {{0, 3}, {1, 2, 4, 5}}, 6, 1, 0);
        PartitionSummary s = p.summary(labels, 3);
        assertArrayEquals(new int[] {1, 0, 1}, s.histogram(0));
        assertArrayEquals(new int[] {0, 2, 2}, s.histogram(1));
        assertEquals("client,samples,0,1,2\n0,2,1,0,1\n1,4,0,2,2\n", s.toCsv());
        assertEquals(2.0, s.meanClassesPerClient());
        // pooled (1/6, 2/6, 3/6); client 0 (1/2, 0, 1/2): TV 1/3; client 1 (0, 1/2, 1/2): TV 1/6; mean 1/4
        assertEquals(0.25, s.meanTotalVariation(), 1e-12);
        assertTrue(s.toTable().contains("manual: 2 clients"));
        Path json = dir.resolve("sub/summary.json");
        s.save(json);
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(4, root.get("perClient").get(1).get("samples").asInt());
        assertEquals(2, root.get("perClient").get(1).get("classCounts").get(2).asInt());
        Path csv = dir.resolve("summary.csv");
        s.save(csv);
        assertEquals(s.toCsv(), Files.readString(csv));
        assertThrows(IllegalArgumentException.class, () -> s.save(dir.resolve("summary.txt")));
    }
}
