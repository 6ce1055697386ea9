package org.badfl.server.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Reference values: scikit-learn 1.2.1 (see each test), re-derivable without scikit-learn by
 * {@code src/test/resources/org/badfl/server/detect/reference/sklearn_reference.py} ({@code python3
 * sklearn_reference.py}, numpy only: sklearn's Lloyd iteration re-stated, and {@link #X} from its recipe).
 */
class KMeansTest {

    /**
     * rng=np.random.default_rng(11); three blobs of 5, 4, 3 standard normal points around (0,0), (6,1), (2,7),
     * drawn in that order; rounded to 2 decimals (sklearn_reference.py {@code kmeans_x}).
     */
    static final double[][] X = {{0.03, 1.36}, {1.22, -0.51}, {-0.3, -0.53}, {0.57, -0.06}, {0.75, -1.85},
        {7.57, 0.9}, {6.68, 0.86}, {5.62, 1.46}, {6.82, 0.8}, {1.85, 7.69}, {1.13, 5.49}, {2.39, 6.33}};

    /**
     * Reference: scikit-learn 1.2.1
     * {@code KMeans(n_clusters=3, init=X[[0,1,2]], n_init=1, tol=0, algorithm='lloyd').fit(X)}:
     * labels [2,2,2,2,2,1,1,1,1,0,0,0], n_iter_ 3, inertia_ 12.227641666666667, centres below.
     * Tolerance 1e-12: scikit-learn sums the means in another order.
     */
    @Test
    void lloydMatchesScikitLearnFromFixedCentres() {
        KMeans.Result r = new KMeans(3).fitFrom(X, new double[][] {X[0], X[1], X[2]});
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0}, r.assignments());
        assertEquals(3, r.iterations());
        assertTrue(r.converged());
        assertEquals(12.227641666666667, r.inertia(), 1e-12);
        double[][] centres = {{1.79, 6.503333333333333}, {6.672499999999999, 1.005},
            {0.45399999999999974, -0.3180000000000003}};
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(centres[c], r.centres()[c], 1e-12, "centre " + c);
        }
    }

    /**
     * An initial centre far from every point gets no point in the first pass and is relocated onto the point
     * farthest from its centre, X[9]; scikit-learn 1.2.1 with init [[0,0],[6,1],[100,100]] ends at the same
     * clustering: labels [0,0,0,0,0,1,1,1,1,2,2,2], n_iter_ 3, inertia_ 12.227641666666667.
     */
    @Test
    void emptyClusterIsRelocatedDeterministically() {
        KMeans.Result r = new KMeans(3).fitFrom(X, new double[][] {{0, 0}, {6, 1}, {100, 100}});
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2}, r.assignments());
        assertEquals(3, r.iterations());
        assertEquals(12.227641666666667, r.inertia(), 1e-12);
    }

    @Test
    void seededRunsAreReproducibleAndFindTheBlobs() {
        KMeans km = new KMeans(3, 300, 4);
        KMeans.Result a = km.fit(X, 42);
        KMeans.Result b = km.fit(X, 42);
        assertArrayEquals(a.assignments(), b.assignments());
        assertEquals(a.inertia(), b.inertia());
        // Any labelling of the three blobs has the optimal inertia found by the fixed-centre run.
        assertEquals(12.227641666666667, a.inertia(), 1e-12);
        int[] l = a.assignments();
        assertTrue(l[0] == l[1] && l[1] == l[2] && l[2] == l[3] && l[3] == l[4]);
        assertTrue(l[5] == l[6] && l[6] == l[7] && l[7] == l[8]);
        assertTrue(l[9] == l[10] && l[10] == l[11]);
        assertEquals(3, Arrays.stream(l).distinct().count());
    }

    /** Restarts keep the lowest inertia: never worse than a single seeding with the first split stream. */
    @Test
    void restartsKeepTheLowestInertia() {
        double[][] pts = new double[30][2];
        SplittableRandom g = new SplittableRandom(5);
        for (double[] p : pts) {
            p[0] = g.nextDouble();
            p[1] = g.nextDouble();
        }
        for (long seed = 0; seed < 10; seed++) {
            double one = new KMeans(4, 300, 1).fit(pts, seed).inertia();
            double many = new KMeans(4, 300, 5).fit(pts, seed).inertia();
            assertTrue(many <= one, "seed " + seed);
        }
    }

    /** k-means++: the second centre is never a point at distance 0 from the first when another exists. */
    @Test
    void seedingPrefersDistantPoints() {
        double[][] pts = {{0, 0}, {0, 0}, {0, 0}, {10, 0}};
        for (long seed = 0; seed < 20; seed++) {
            double[][] c = KMeans.seedCentres(pts, 2, new SplittableRandom(seed));
            assertNotEquals(c[0][0], c[1][0], "seed " + seed);
        }
    }

    @Test
    void kAtLeastNGivesOneClusterPerPoint() {
        double[][] pts = {{0, 0}, {1, 0}, {5, 5}};
        KMeans.Result r = new KMeans(7).fit(pts, 1);
        assertEquals(3, r.centres().length);
        assertEquals(0.0, r.inertia());
        assertEquals(3, Arrays.stream(r.assignments()).distinct().count());
    }

    /** Duplicates with k above the number of distinct points: no NaN, converges, distinct points split. */
    @Test
    void duplicatesAndSurplusClusters() {
        double[][] pts = {{1, 1}, {1, 1}, {1, 1}, {4, 4}};
        KMeans.Result r = new KMeans(3).fit(pts, 3);
        assertEquals(0.0, r.inertia());
        assertTrue(r.converged());
        assertNotEquals(r.assignments()[0], r.assignments()[3]);
        for (double[] c : r.centres()) {
            assertTrue(Double.isFinite(c[0]) && Double.isFinite(c[1]));
        }
        assertArrayEquals(r.assignments(), new KMeans(3).fit(pts, 3).assignments());
    }

    @Test
    void edgeAndBadInputs() {
        assertEquals(0, new KMeans(2).fit(new double[0][], 1).assignments().length);
        KMeans.Result one = new KMeans(2).fit(new double[][] {{3, 4}}, 1);
        assertArrayEquals(new int[] {0}, one.assignments());
        assertThrows(IllegalArgumentException.class, () -> new KMeans(0));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new KMeans(2, 10, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new KMeans(2).fit(new double[][] {{0, 0}, {Double.NaN, 1}}, 1));
        assertEquals("K-means: point 1 coordinate 0 must be finite, found NaN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KMeans(2).fit(new double[][] {{0, 0}, {1}}, 1));
    }
}
