package org.badfl.server.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.badfl.engine.Compute;
import org.junit.jupiter.api.Test;

class GramMatrixTest {

    /** Rows (3,4,9), (0,0,9), (6,8,9) over coordinates [0,2): norms 5, 0, 10. */
    @Test
    void derivedQuantities() {
        float[][] rows = {{3, 4, 9}, {0, 0, 9}, {6, 8, 9}};
        GramMatrix g = GramMatrix.of(rows, new int[] {0, 2}, Compute.serial());
        assertArrayEquals(new double[] {5, 0, 10}, g.norms(), 0);
        assertEquals(1.0, g.cosine(0, 2));
        assertEquals(0.0, g.cosine(0, 1), "zero vector: cosine 0");
        assertEquals(25.0, g.squaredDistance(0, 2));
        assertEquals(0.0, g.squaredDistance(1, 1));
        double[][] c = g.cosineDistances();
        assertArrayEquals(new double[] {0, 1, 0}, c[0], 0);
        assertArrayEquals(new double[] {5, 0, 10}, g.euclideanDistances()[1], 1e-12);
        GramMatrix s = g.select(new int[] {2, 0});
        assertEquals(100.0, s.squaredNorm(0));
        assertEquals(50.0, s.dot(0, 1));
        assertThrows(IllegalArgumentException.class, () -> GramMatrix.wrap(new double[3], 2));
    }

    /** Identical rows: exactly zero distance, exactly cosine 1 (HDBSCAN and LOF see true duplicates). */
    @Test
    void identicalRowsAreExactDuplicates() {
        float[][] rows = {{0.1f, -0.7f, 3.3f}, {0.1f, -0.7f, 3.3f}};
        GramMatrix g = GramMatrix.of(rows, new int[] {0, 3}, Compute.serial());
        assertEquals(0.0, g.squaredDistance(0, 1));
        assertEquals(0.0, g.cosineDistances()[0][1]);
    }
}
