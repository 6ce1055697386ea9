package org.badfl.server.badfl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GramEmbeddingTest {

    /** K = A·Aᵀ for a random m×r matrix A: positive semi-definite of rank min(m, r). */
    private static double[][] randomGram(int m, int r, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] a = new double[m][r];
        for (double[] row : a) {
            for (int j = 0; j < r; j++) {
                row[j] = random.nextDouble(-1, 1);
            }
        }
        double[][] k = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int c = 0; c < r; c++) {
                    s += a[i][c] * a[j][c];
                }
                k[i][j] = s;
                k[j][i] = s;
            }
        }
        return k;
    }

    private static void assertReproduces(double[][] k) {
        double[][] kCopy = new double[k.length][];
        for (int i = 0; i < k.length; i++) {
            kCopy[i] = k[i].clone();
        }
        double[][] y = GramEmbedding.embed(k);
        for (int i = 0; i < k.length; i++) {
            assertEquals(k.length, y[i].length);
            for (int j = 0; j < k.length; j++) {
                double dot = 0;
                for (int c = 0; c < y[i].length; c++) {
                    dot += y[i][c] * y[j][c];
                }
                assertEquals(kCopy[i][j], dot, 1e-10 + 1e-10 * Math.abs(kCopy[i][j]), "K[" + i + "][" + j + "]");
                assertEquals(kCopy[i][j], k[i][j], 0.0, "input modified at " + i + "," + j);
            }
        }
    }

    @Test
    void innerProductsOfTheEmbeddingAreTheGramMatrix() {
        assertReproduces(randomGram(7, 7, 1));
        assertReproduces(randomGram(20, 20, 2));
    }

    @Test
    void rankDeficientGramMatricesAreEmbeddedToo() {
        // rounding gives tiny negative eigenvalues here; they are clamped to 0
        assertReproduces(randomGram(12, 3, 3));
        assertReproduces(new double[][] {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}});
        assertReproduces(new double[][] {{0, 0}, {0, 0}});
    }

    @Test
    void smallestCases() {
        assertEquals(0, GramEmbedding.embed(new double[0][]).length);
        double[][] y = GramEmbedding.embed(new double[][] {{4}});
        assertEquals(2.0, Math.abs(y[0][0]), 1e-15);
    }

    @Test
    void nonFiniteEntriesAreRefusedWithAClearError() {
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> GramEmbedding.embed(new double[][] {{1, Double.NaN}, {Double.NaN, 1}}));
        assertEquals(true, e.getMessage().contains("2x2"), e.getMessage());
    }
}
