package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.badfl.engine.Compute;
import org.badfl.server.detect.GramMatrix;
import org.badfl.server.detect.KMeans;
import org.junit.jupiter.api.Test;

class LmcaTest {

    /** Seven similar updates and two that point elsewhere. */
    static final float[][] V = {
        {1.0f, 0.20f, 0.10f, 0.00f},
        {0.9f, 0.25f, 0.05f, 0.02f},
        {1.1f, 0.15f, 0.12f, -0.01f},
        {0.95f, 0.30f, 0.08f, 0.03f},
        {1.05f, 0.10f, 0.20f, 0.00f},
        {0.8f, 0.22f, 0.02f, 0.05f},
        {1.2f, 0.28f, 0.15f, -0.02f},
        {-0.5f, 1.0f, 0.3f, 0.2f},
        {0.1f, -0.3f, 1.0f, 0.8f},
    };

    static GramMatrix gram(float[][] rows) {
        return GramMatrix.of(rows, new int[] {0, 4}, Compute.serial());
    }

    /**
     * Script: {@code src/test/resources/org/badfl/server/badfl/reference/lmca_reference.py} (numpy; recomputes this
     * test's LOF values and the next test's K-means result without scikit-learn).
     * LOF on cosine distances with k = max(2, ⌈9/2⌉) = 5, against scikit-learn 1.2.1
     * {@code LocalOutlierFactor(n_neighbors=5, metric='precomputed')} on 1 − cos (no distance ties here, so ELKI and
     * scikit-learn agree up to scikit-learn's 1e-10 added to the mean reachability distance: tolerance 1e-8).
     */
    @Test
    void lofOutliersMatchScikitLearn() {
        double[] sklearn = {1.057419898729723, 0.9789462051688211, 1.0662320938390755, 0.9083427815753236,
            1.4004500691298496, 0.9083427815753236, 1.0310091408281, 76.08921663647644, 66.15598218954692};
        Lmca.Result r = new Lmca().run(gram(V), 1);
        assertEquals(5, r.k());
        for (int i = 0; i < sklearn.length; i++) {
            assertEquals(sklearn[i], r.lof()[i], 1e-8 + 1e-8 * sklearn[i], "LOF of " + i);
        }
        assertArrayEquals(new int[] {7, 8}, r.outliers());
        assertTrue(r.outlierReasons()[7].startsWith("LOF 76.1 > 1.5"), r.outlierReasons()[7]);
        assertEquals(-1, r.clusterOf()[7]);
        // m = 7 non-outliers -> floor(7/2) + 1 = 4 clusters, one sampled member each, plus the 2 outliers.
        assertEquals(4, r.clusterCount());
        assertEquals(6, r.candidates().length);
        Set<Integer> candidates = new TreeSet<>();
        for (int c : r.candidates()) {
            candidates.add(c);
        }
        assertTrue(candidates.containsAll(Set.of(7, 8)));
        for (int c = 0; c < r.clusterCount(); c++) {
            int rep = r.representatives()[c];
            assertEquals(c, r.clusterOf()[rep]);
            assertTrue(candidates.contains(rep));
            assertTrue(r.isRepresentative(rep));
        }
    }

    /**
     * K-means on the Gram embedding equals K-means on the unit-normalised vectors (lmca_reference.py):
     * scikit-learn 1.2.1
     * {@code KMeans(4, init=U[[0,1,2,3]], n_init=1, tol=0, algorithm='lloyd')} on the 7 unit vectors gives labels
     * [0, 1, 2, 3, 2, 1, 0], inertia 0.0061101039151331355 (distances are preserved, so Lloyd's steps are the
     * same; tolerance for the eigendecomposition's rounding).
     */
    @Test
    void kMeansOnTheEmbeddingIsKMeansOnTheUnitVectors() {
        int[] inliers = {0, 1, 2, 3, 4, 5, 6};
        double[][] y = GramEmbedding.unitNormalised(gram(V), inliers);
        double[][] init = {y[0], y[1], y[2], y[3]};
        KMeans.Result km = new KMeans(4).fitFrom(y, init);
        assertArrayEquals(new int[] {0, 1, 2, 3, 2, 1, 0}, km.assignments());
        assertEquals(0.0061101039151331355, km.inertia(), 1e-12);
        // And the embedding reproduces the cosine Gram.
        GramMatrix g = gram(V);
        for (int a = 0; a < 7; a++) {
            for (int b = 0; b < 7; b++) {
                double dot = 0;
                for (int j = 0; j < y[a].length; j++) {
                    dot += y[a][j] * y[b][j];
                }
                assertEquals(a == b ? 1.0 : g.cosine(a, b), dot, 1e-12);
            }
        }
    }

    @Test
    void neighboursAndClusterCounts() {
        Lmca l = new Lmca();
        assertEquals(2, l.neighbours(1));
        assertEquals(2, l.neighbours(3));
        assertEquals(10, l.neighbours(20));
        assertEquals(11, l.neighbours(21));
        assertEquals(3, new Lmca(1.5, 3, 0).neighbours(20));
        assertEquals(0, Lmca.clusterCount(0));
        assertEquals(1, Lmca.clusterCount(1));
        assertEquals(2, Lmca.clusterCount(2));
        assertEquals(2, Lmca.clusterCount(3));
        assertEquals(11, Lmca.clusterCount(20));
    }

    @Test
    void sameSeedSameCandidatesAndTheSeedMatters() {
        float[][] rows = new float[20][];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new float[6];
            for (int j = 0; j < 6; j++) {
                rows[i][j] = (float) (1 + 0.5 * rng.nextGaussian());
            }
        }
        Lmca l = new Lmca();
        Lmca.Result a = l.run(gram(rows), 42);
        Lmca.Result b = l.run(gram(rows), 42);
        assertArrayEquals(a.candidates(), b.candidates());
        assertArrayEquals(a.clusterOf(), b.clusterOf());
        boolean differs = false;
        for (long seed = 43; seed < 53 && !differs; seed++) {
            differs = !Arrays.equals(a.representatives(), l.run(gram(rows), seed).representatives());
        }
        assertTrue(differs, "the member sampling must depend on the seed");
        // (n + k1)/2 + 1 candidates.
        assertEquals(a.outliers().length + Lmca.clusterCount(20 - a.outliers().length), a.candidates().length);
    }

    /** Cosine cannot see scale: the norm criterion makes a huge update an outlier (inspected, not judged). */
    @Test
    void aHugeUpdateIsANormOutlier() {
        float[][] rows = new float[6][];
        for (int i = 0; i < 6; i++) {
            rows[i] = V[i].clone();
        }
        for (int j = 0; j < 4; j++) {
            rows[5][j] = V[5][j] * 1e25f;
        }
        Lmca.Result r = new Lmca().run(gram(rows), 1);
        assertTrue(r.outlierReasons()[5].contains("norm 8.31e+24 > 2.00 x median 1.05"), r.outlierReasons()[5]);
        assertEquals(-1, r.clusterOf()[5]);
        Lmca.Result off = new Lmca(1.5, Lmca.AUTO_K, 0).run(gram(rows), 1);
        assertTrue(off.outlierReasons()[5] == null || !off.outlierReasons()[5].contains("norm"));
        // Same directions, so the LOF scores do not change with the scale.
        assertArrayEquals(off.lof(), r.lof(), 1e-12);
    }

    @Test
    void tinyRounds() {
        assertEquals(0, new Lmca().run(gram(new float[0][]), 1).candidates().length);
        Lmca.Result one = new Lmca().run(gram(new float[][] {V[0]}), 1);
        assertArrayEquals(new int[] {0}, one.candidates());
        assertEquals(1.0, one.lof()[0]);
        Lmca.Result two = new Lmca().run(gram(new float[][] {V[0], V[7]}), 1);
        assertArrayEquals(new int[] {0, 1}, two.candidates());
        // Identical updates: ELKI's rule gives LOF 1, nobody is an outlier.
        Lmca.Result same = new Lmca().run(gram(new float[][] {V[0], V[0], V[0], V[0]}), 1);
        assertEquals(0, same.outliers().length);
        for (double lof : same.lof()) {
            assertEquals(1.0, lof);
        }
    }
}
