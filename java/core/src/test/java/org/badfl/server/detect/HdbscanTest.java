package org.badfl.server.detect;

import static org.badfl.server.detect.LocalOutlierFactorTest.euclidean;
import static org.badfl.server.detect.LocalOutlierFactorTest.line;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * HDBSCAN against hand-worked configurations (derivations in each test) and against labels computed with a
 * plain-numpy transcription of the {@code hdbscan} package's precomputed-distance path (mutual_reachability,
 * mst_linkage_core, stable argsort, label, condense_tree, compute_stability, get_clusters, do_labelling), the
 * package itself (and scikit-learn's HDBSCAN, added in 1.3) not being installable on this machine. Script:
 * {@code src/test/resources/org/badfl/server/detect/reference/hdbscan_reference.py} ({@code python3
 * hdbscan_reference.py}): it recomputes {@link #EXPECTED} from {@link #CASES} and the labels of the hand-worked
 * tests, and exits 1 on any difference.
 */
class HdbscanTest {

    static final double[][] TWO_GROUPS_AND_OUTLIER = {{0, 0}, {0, 1}, {1, 0}, {10, 10}, {10, 11}, {11, 10}, {50, 50}};

    /**
     * Core distances (min_samples = 1) are 1 inside both triangles. The root first sheds the far point
     * (size 1 &lt; 3) at λ = 1/55.9, then splits into the two triangles (3 and 3 ≥ min_cluster_size) at
     * λ = 1/13.45; each triangle dissolves at λ = 1. Both leaves have stability 3·(1 − 1/13.45) &gt; 0 and the root
     * is not a candidate: two clusters, far point noise.
     */
    @Test
    void twoSeparatedGroupsAndAnOutlier() {
        Hdbscan.Result r = new Hdbscan(3, 1, false).cluster(euclidean(TWO_GROUPS_AND_OUTLIER));
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, -1}, r.labels());
        assertEquals(2, r.clusterCount());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, Math.sqrt(39 * 39 + 40 * 40)}, r.coreDistances(), 1e-12);
        // Leaf selection picks the same two leaves here.
        assertArrayEquals(r.labels(), new Hdbscan(3, 1, false, Hdbscan.SelectionMethod.LEAF)
            .cluster(euclidean(TWO_GROUPS_AND_OUTLIER)).labels());
    }

    /**
     * FLAME's setting for n = 7 (min_cluster_size 4): no split leaves two sides of ≥ 4, so the root is the only
     * cluster. Points keep the label only if they left the root at its largest λ (1/13.45, when the triangles
     * part): the six triangle points; the far point left at 1/55.9 and is noise.
     */
    @Test
    void flameConfigurationSelectsTheRootAsOneCluster() {
        Hdbscan h = Hdbscan.flame(7);
        assertEquals(4, h.minClusterSize());
        assertEquals(1, h.minSamples());
        Hdbscan.Result r = h.cluster(euclidean(TWO_GROUPS_AND_OUTLIER));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, -1}, r.labels());
        assertEquals(0, r.largestCluster());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, r.members(0));
    }

    /**
     * Points 0, 1, 3, 7 with min_cluster_size 3: core distances 1, 1, 2, 4; MST edges 1, 2, 4. The root sheds 7 at
     * λ = 1/4, then {0,1,3} dissolves at λ = 1/2 (both sides &lt; 3). No split into two clusters: without
     * allow_single_cluster every point is noise; with it the root is kept and the three points that left at the
     * largest λ (1/2) are labelled.
     */
    @Test
    void singleClusterOrAllNoise() {
        double[][] d = line(0, 1, 3, 7);
        assertArrayEquals(new double[] {1, 1, 2, 4}, Hdbscan.coreDistances(d, 1), 0);
        assertArrayEquals(new int[] {-1, -1, -1, -1}, new Hdbscan(3, 1, false).cluster(d).labels());
        assertArrayEquals(new int[] {0, 0, 0, -1}, new Hdbscan(3, 1, true).cluster(d).labels());
        // 'leaf' with no split: nothing is a leaf cluster, all noise even with allow_single_cluster.
        assertArrayEquals(new int[] {-1, -1, -1, -1},
            new Hdbscan(3, 1, true, Hdbscan.SelectionMethod.LEAF).cluster(d).labels());
    }

    /** All pairwise distances equal: every point leaves the root at the same λ = 1, so all share the root. */
    @Test
    void equalDistances() {
        double[][] d = new double[5][5];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                d[i][j] = i == j ? 0 : 1;
            }
        }
        assertArrayEquals(new int[] {0, 0, 0, 0, 0}, new Hdbscan(3, 1, true).cluster(d).labels());
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1}, new Hdbscan(3, 1, false).cluster(d).labels());
    }

    /**
     * Identical points: all distances 0, λ = +∞ everywhere. With allow_single_cluster all points left the root at
     * +∞ = the root's largest λ and are labelled; without it there is no split, so all noise. Two groups of
     * copies far apart split at λ = 0.1 into two clusters of infinite stability.
     */
    @Test
    void duplicates() {
        assertArrayEquals(new int[] {0, 0, 0, 0}, new Hdbscan(3, 1, true).cluster(new double[4][4]).labels());
        assertArrayEquals(new int[] {-1, -1, -1, -1}, new Hdbscan(3, 1, false).cluster(new double[4][4]).labels());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, new Hdbscan(3, 1, false).cluster(line(0, 0, 0, 10, 10, 10)).labels());
        // Six copies and a far point: the copies dissolve one by one at λ = +∞, never into two parts of ≥ 3.
        double[][] d = line(0, 0, 0, 0, 0, 0, 10);
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1, -1, -1}, new Hdbscan(3, 1, false).cluster(d).labels());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, -1}, new Hdbscan(3, 1, true).cluster(d).labels());
    }

    /**
     * Tie-breaking: triangles at 0,1,2 and 22,23,24 with a lone point 12 exactly 10 from both. Prim (from point
     * 0) reaches 12 from 2 before 22, the stable sort keeps edge (2,12) before (12,22), so 12 merges with the
     * first triangle; the root splits into {0,1,2,12} and {22,23,24}, and 12 falls out of the first cluster,
     * keeping its label, as in the package. The same holds with point 12 listed first.
     */
    @Test
    void equalMergeDistancesFollowThePackagesOrder() {
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1},
            new Hdbscan(3, 1, false).cluster(line(0, 1, 2, 12, 22, 23, 24)).labels());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1},
            new Hdbscan(3, 1, false).cluster(line(12, 0, 1, 2, 22, 23, 24)).labels());
    }

    /** min_samples counts other points: on 0, 1, 3, 6 the 2nd nearest other point gives 3, 2, 3, 5. */
    @Test
    void minSamplesExcludesThePoint() {
        assertArrayEquals(new double[] {3, 2, 3, 5}, Hdbscan.coreDistances(line(0, 1, 3, 6), 2), 0);
        // Clamped to n − 1 = 3: the farthest other point.
        assertArrayEquals(new double[] {6, 5, 3, 6}, Hdbscan.coreDistances(line(0, 1, 3, 6), 9), 0);
    }

    /** Cosine distances of random update-like vectors (rounded to 2 decimals), see {@link #cosineDistances}. */
    static final double[][][] CASES = {
        {{1.42, 0.81, -0.53, -1.38, 0.31}, {1.23, 1.02, -1.36, -1.63, 0.34}, {1.2, 0.99, -0.92, -1.59, -0.01},
            {1.58, 1.27, -1.1, -1.31, 0.08}, {1.77, 1.21, -0.48, -1.59, 0.43}, {0.74, 0.22, 2.17, 0.62, 0.52},
            {0.44, -0.12, 2.0, 0.4, 0.87}, {1.42, 0.47, 1.47, 0.87, 0.87}},
        {{-0.36, 0.93, 0.99, 1.4, -1.35}, {0.55, 1.59, 1.35, 0.21, -1.14}, {1.2, 1.39, 1.59, 1.11, -0.23},
            {-0.13, 0.97, 1.23, 0.55, -0.39}, {0.13, 1.48, 1.35, 1.45, -1.19}, {-0.27, 1.87, 1.2, 0.93, -1.3},
            {0.03, 1.59, 0.47, 0.29, -0.61}, {1.37, 1.61, 1.23, 0.2, -0.63}, {-1.48, 1.31, 1.07, 0.4, 0.53},
            {-1.47, 1.32, 1.31, 0.99, -1.83}, {-0.33, -0.29, -0.29, -0.49, -0.67}},
        {{0.14, 1.07, 0.92, -0.41, -1.67}, {-2.67, -0.62, 0.26, -2.36, -2.11}, {0.44, 1.21, 0.81, 1.91, -0.25},
            {-1.45, -0.05, 0.25, 0.12, -2.36}, {0.8, 0.92, -1.12, 0.97, -2.43}, {1.24, 0.74, 0.27, 2.01, -0.89},
            {0.22, 0.43, 2.82, 1.44, -0.83}, {0.4, 0.74, 0.55, -1.5, -0.9}},
        {{-2.04, -0.96, -0.13, 0.1, 1.91}, {-1.43, -0.59, -0.04, 0.5, 1.41}, {-0.77, -1.24, -0.3, 0.02, 2.09},
            {-1.74, -0.95, -0.59, -0.09, 1.56}, {-1.3, -0.93, -0.76, 0.24, 1.72}, {-1.14, -0.89, -0.31, 0.59, 1.43},
            {-1.38, -0.75, -0.68, 0.29, 2.06}, {0.69, -2.38, 0.93, 0.16, -1.38}, {-0.12, -1.85, 0.46, -0.0, -1.39},
            {-0.06, -1.88, 0.91, 0.04, -1.94}},
        {{0.2, -0.73, 1.08, 1.97, 2.28}, {0.52, 0.26, 0.14, 0.58, 0.04}, {-0.01, 0.8, 0.03, 0.31, 0.82},
            {1.88, 1.34, 0.91, 0.83, 0.05}, {0.63, -0.11, 0.53, 1.51, 0.48}, {1.53, 0.19, 0.1, 0.24, 0.87},
            {0.55, -0.01, -0.22, 0.38, 2.65}, {0.31, 0.75, 0.09, -1.65, 3.52}, {-1.27, -1.31, -0.68, 1.63, -0.07}},
        {{-0.61, 0.58, -0.05, -0.08, 0.52}, {-0.34, -0.02, 0.61, 0.86, -0.15}, {-0.89, -0.07, 0.1, 0.81, -0.01},
            {-1.2, 0.54, -0.13, 0.53, -0.07}, {-1.12, -0.17, -0.1, 0.43, -0.05}, {-0.55, 0.64, -0.17, 0.6, 0.02},
            {-1.7, 0.77, 0.77, 1.13, -1.21}, {-0.76, -0.58, 0.62, -0.31, -0.83}},
    };

    /** Labels per case for (FLAME: ⌊n/2⌋+1, 1, single) / (2, 1, no single) / (3, 2, no single). */
    static final int[][][] EXPECTED = {
        {{0, 0, 0, 0, 0, -1, -1, -1}, {1, 2, 2, 2, 1, 0, 0, 0}, {0, 0, 0, 0, 0, 1, 1, 1}},
        {{0, -1, -1, 0, 0, 0, 0, -1, -1, 0, -1}, {0, 1, 1, 0, 0, 0, 0, 1, -1, 0, -1},
            {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}},
        {{0, 0, 0, 0, 0, 0, 0, 0}, {1, 2, 0, 2, 0, 0, 0, 1}, {0, -1, 1, 0, 0, 1, 1, -1}},
        {{0, 0, -1, 0, 0, 0, 0, -1, -1, -1}, {0, 0, 0, 0, 0, 0, 0, 1, 1, 1}, {0, 0, 0, 0, 0, 0, 0, 1, 1, 1}},
        {{0, 0, -1, 0, 0, 0, -1, -1, -1}, {0, 0, -1, 0, 0, 0, 1, 1, -1}, {-1, -1, -1, -1, -1, -1, -1, -1, -1}},
        {{-1, -1, 0, 0, 0, 0, 0, -1}, {-1, -1, 1, 0, 1, 0, -1, -1}, {-1, -1, -1, -1, -1, -1, -1, -1}},
    };

    /**
     * Expected labels from the transcription of the package (hdbscan_reference.py, see class comment), on vectors
     * drawn as below (the script takes the stored vectors; the draw is described for provenance only)
     * <pre>
     * rng=np.random.default_rng(2024); per case: n in [7,12), mu, mu2 ~ N(0,1)^5, na attackers,
     * V = round(vstack([mu + N*spread (n-na rows), mu2 + N*spread (na rows)]), 2)
     * D[i][j] = 1 - clip(g_ij / sqrt(g_ii g_jj), -1, 1)
     * </pre>
     */
    @Test
    void matchesThePackageOnRandomCosineConfigurations() {
        for (int c = 0; c < CASES.length; c++) {
            double[][] d = cosineDistances(CASES[c]);
            int n = d.length;
            assertArrayEquals(EXPECTED[c][0], Hdbscan.flame(n).cluster(d).labels(), "case " + c + " FLAME");
            assertArrayEquals(EXPECTED[c][1], new Hdbscan(2, 1, false).cluster(d).labels(), "case " + c + " (2,1)");
            assertArrayEquals(EXPECTED[c][2], new Hdbscan(3, 2, false).cluster(d).labels(), "case " + c + " (3,2)");
        }
    }

    static double[][] cosineDistances(double[][] v) {
        int n = v.length;
        double[] gram = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < v[i].length; c++) {
                    s += v[i][c] * v[j][c];
                }
                gram[i * n + j] = s;
            }
        }
        return GramMatrix.wrap(gram, n).cosineDistances();
    }

    @Test
    void tinyInputs() {
        assertEquals(0, Hdbscan.flame(0).cluster(new double[0][0]).labels().length);
        assertArrayEquals(new int[] {-1}, Hdbscan.flame(1).cluster(new double[1][1]).labels());
        // Two points (FLAME, n = 2: min_cluster_size 2): the root dissolves at once; both at the root's λ.
        assertArrayEquals(new int[] {0, 0}, Hdbscan.flame(2).cluster(line(0, 3)).labels());
        assertEquals(-1, new Hdbscan.Result(new int[] {-1, -1}, 0, new double[2]).largestCluster());
    }

    @Test
    void rejectsBadParameters() {
        assertEquals("HDBSCAN: minClusterSize must be >= 2, got 1",
            assertThrows(IllegalArgumentException.class, () -> new Hdbscan(1, 1, true)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Hdbscan(2, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Hdbscan(2, 1, true).cluster(new double[][] {{0, 1}}));
        double[][] nan = new double[3][3];
        nan[0][2] = Double.NaN;
        nan[2][0] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> new Hdbscan(2, 1, true).cluster(nan));
    }
}
