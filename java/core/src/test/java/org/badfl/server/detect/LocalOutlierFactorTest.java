package org.badfl.server.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LocalOutlierFactorTest {

    static double[][] euclidean(double[][] x) {
        int n = x.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < x[i].length; c++) {
                    double diff = x[i][c] - x[j][c];
                    s += diff * diff;
                }
                d[i][j] = Math.sqrt(s);
            }
        }
        return d;
    }

    static double[][] line(double... x) {
        double[][] p = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            p[i] = new double[] {x[i]};
        }
        return euclidean(p);
    }

    /**
     * Reference: scikit-learn 1.2.1, points without ties at any 3rd/4th neighbour distance; re-derived without
     * scikit-learn by {@code src/test/resources/org/badfl/server/detect/reference/sklearn_reference.py} (numpy).
     * <pre>
     * rng=np.random.default_rng(7); X=np.round(rng.normal(size=(8,2))*3,2); X[7]=[9.5,-8.25]
     * D=np.sqrt(((X[:,None,:]-X[None,:,:])**2).sum(-1))
     * -LocalOutlierFactor(n_neighbors=3, metric='precomputed').fit(D).negative_outlier_factor_
     * </pre>
     * Tolerance: scikit-learn adds 1e-10 to the mean reachability distance (distances here are ≥ 0.6), a
     * relative effect below 2e-10.
     */
    @Test
    void matchesScikitLearnWithoutTies() {
        double[][] x = {{0.0, 0.9}, {-0.82, -2.67}, {-1.36, -2.97}, {0.18, 4.02}, {-1.48, -1.86}, {1.47, 1.07},
            {0.32, -2.79}, {9.5, -8.25}};
        double[] expected = {1.5763987522012826, 1.1554697534787648, 1.0145901701295765, 1.5763987522012826,
            0.9273528430006363, 1.5763987522012826, 0.9273528430006363, 6.578196993851719};
        LocalOutlierFactor.Result r = new LocalOutlierFactor(3).score(euclidean(x));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.lof()[i], 1e-12 + 1e-9 * expected[i], "LOF of point " + i);
            assertEquals(3, r.neighbourhoods()[i].length, "no ties: exactly k neighbours");
        }
        assertArrayEquals(new int[] {7}, r.outliers(1.6));
        assertEquals(3, r.effectiveK());
    }

    /**
     * Ties at the k-distance (ELKI keeps them all; scikit-learn would keep one). Worked by hand, k = 1, points
     * 0, 1, 2, 2.5 on a line:
     * N(0)={1}, k-dist 1; N(1)={0,2} (both at 1), k-dist 1; N(2)={3}, k-dist 0.5; N(3)={2}, k-dist 0.5.
     * lrd(0)=1/max(1,1)=1; lrd(1)=2/(max(1,1)+max(0.5,1))=1; lrd(2)=1/max(0.5,0.5)=2; lrd(3)=2.
     * LOF(0)=lrd(1)/lrd(0)=1; LOF(1)=(1+2)/(2·1)=1.5; LOF(2)=LOF(3)=1.
     */
    @Test
    void tiesAtTheKDistanceAreAllNeighbours() {
        LocalOutlierFactor.Result r = new LocalOutlierFactor(1).score(line(0, 1, 2, 2.5));
        assertArrayEquals(new int[] {0, 2}, r.neighbourhoods()[1]);
        assertArrayEquals(new double[] {1, 1, 0.5, 0.5}, r.kDistance(), 0);
        assertArrayEquals(new double[] {1, 1, 2, 2}, r.lrd(), 0);
        assertArrayEquals(new double[] {1, 1.5, 1, 1}, r.lof(), 0);
    }

    /**
     * ELKI's duplicate rule, by hand: points 0, 0, 0, 5 with k = 2. Each copy's 2 nearest are the other copies at
     * distance 0: k-distance 0, reachability sum 0, lrd = +inf, LOF = 1. Point 5 has k-distance 5 with a three-way
     * tie (all copies), lrd = 3/(5+5+5) = 0.2, and its neighbours have infinite density: LOF = +inf. No NaN.
     */
    @Test
    void duplicatesHaveInfiniteDensityAndLofOne() {
        LocalOutlierFactor.Result r = new LocalOutlierFactor(2).score(line(0, 0, 0, 5));
        assertArrayEquals(new double[] {0, 0, 0, 5}, r.kDistance(), 0);
        assertEquals(Double.POSITIVE_INFINITY, r.lrd()[0]);
        assertEquals(0.2, r.lrd()[3], 1e-15);
        assertArrayEquals(new double[] {1, 1, 1, Double.POSITIVE_INFINITY}, r.lof(), 0);
        assertEquals(3, r.neighbourhoods()[3].length);
    }

    @Test
    void allIdenticalPointsAreInliers() {
        LocalOutlierFactor.Result r = new LocalOutlierFactor(3).score(new double[5][5]);
        for (double v : r.lof()) {
            assertEquals(1.0, v);
            assertFalse(Double.isNaN(v));
        }
    }

    /** k ≥ n is clamped to n − 1; one point has no neighbours (LOF 1); zero points give empty arrays. */
    @Test
    void smallInputs() {
        LocalOutlierFactor lof = new LocalOutlierFactor(10);
        LocalOutlierFactor.Result three = lof.score(line(0, 1, 3));
        assertEquals(2, three.effectiveK());
        // k = 2 on 0,1,3: k-dist = 3, 2, 3; lrd(0) = 2/(max(2,1)+max(3,3)) = 0.4, lrd(1) = 2/(3+3) = 1/3,
        // lrd(2) = 2/(max(3,3)+max(2,2)) = 0.4; LOF(1) = (0.4+0.4)/(2/3) = 1.2, LOF(0) = LOF(2) = (1/3+0.4)/0.8.
        assertEquals(1.2, three.lof()[1], 1e-12);
        assertEquals((1.0 / 3 + 0.4) / 0.8, three.lof()[0], 1e-12);
        assertArrayEquals(new double[] {1.0}, lof.score(new double[1][1]).lof());
        assertEquals(0, lof.score(new double[0][0]).lof().length);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new LocalOutlierFactor(0));
        LocalOutlierFactor lof = new LocalOutlierFactor(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> lof.score(new double[][] {{0, Double.NaN}, {Double.NaN, 0}}));
        assertEquals("LOF: distance (0, 1) must be finite and >= 0, found NaN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lof.score(new double[][] {{0, 1}, {2, 0}}));
        assertThrows(IllegalArgumentException.class, () -> lof.score(new double[][] {{0, 1}, {1}}));
        assertThrows(IllegalArgumentException.class, () -> lof.score(new double[][] {{0, -1}, {-1, 0}}));
    }
}
