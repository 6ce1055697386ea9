package org.badfl.server.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

class GramMatrixTest {

    /** Rows (3,4), (6,8), (0,0), (−4,3): norms 5, 10, 0, 5. */
    private static final float[][] ROWS = {{3, 4}, {6, 8}, {0, 0}, {-4, 3}};

    private static GramMatrix matrix() {
        return Gram.matrix(ROWS, Gram.all(2), Compute.serial());
    }

    @Test
    void normsDotsAndDistancesFromTheGram() {
        GramMatrix g = matrix();
        assertEquals(4, g.size());
        assertArrayEquals(new double[] {5, 10, 0, 5}, g.norms(), 1e-12);
        assertEquals(50, g.dot(0, 1), 1e-12);
        assertEquals(1, g.cosineSimilarity(0, 1), 1e-12);
        assertEquals(0, g.cosineDistance(0, 1), 1e-12);
        assertEquals(1, g.cosineDistance(0, 3), 1e-12);       // orthogonal
        assertEquals(25, g.squaredDistance(0, 1), 1e-9);      // (3,4) − (6,8) = (−3,−4)
        assertEquals(50, g.squaredDistance(0, 3), 1e-9);      // (7,1)
        assertEquals(Math.sqrt(50), g.distance(0, 3), 1e-9);
    }

    @Test
    void zeroRowAndDiagonalConventions() {
        GramMatrix g = matrix();
        assertEquals(0, g.cosineSimilarity(2, 0));
        assertEquals(1, g.cosineDistance(2, 0));
        assertEquals(0, g.cosineDistance(2, 2));
        assertEquals(0, g.squaredDistance(1, 1));
        double[][] cos = g.cosineDistances();
        double[][] sq = g.squaredDistances();
        double[][] dist = g.distances();
        for (int i = 0; i < 4; i++) {
            assertEquals(0, cos[i][i]);
            assertEquals(0, sq[i][i]);
            for (int j = 0; j < 4; j++) {
                assertEquals(cos[i][j], cos[j][i]);
                assertEquals(g.squaredDistance(i, j), sq[i][j]);
                assertEquals(g.distance(i, j), dist[i][j]);
            }
        }
    }

    @Test
    void squaredDistanceIsClampedAtZeroForNearlyEqualRows() {
        // G = [[1, 1+ε], [1+ε, 1]] would give 2 − 2(1+ε) < 0 by rounding; the distance is clamped.
        GramMatrix g = new GramMatrix(2, new double[] {1, 1 + 1e-15, 1 + 1e-15, 1});
        assertEquals(0, g.squaredDistance(0, 1));
        assertEquals(1, g.cosineSimilarity(0, 1));
    }

    @Test
    void selectKeepsTheChosenRowsInOrder() {
        GramMatrix sub = matrix().select(new int[] {3, 0});
        assertEquals(2, sub.size());
        assertEquals(25, sub.squaredNorm(0), 1e-12);
        assertEquals(0, sub.dot(0, 1), 1e-12);
        assertThrows(IndexOutOfBoundsException.class, () -> matrix().select(new int[] {4}));
    }

    @Test
    void rejectsWrongSize() {
        assertThrows(IllegalArgumentException.class, () -> new GramMatrix(2, new double[3]));
    }
}
