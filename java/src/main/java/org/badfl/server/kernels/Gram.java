package org.badfl.server.kernels;

import org.badfl.engine.Compute;

/**
 * Gram matrix X·Xᵀ of a round's update rows over selected coordinates. Norms, cosine and Euclidean
 * distances, and thus LOF, K-means, HDBSCAN, Krum, FLTrust and FLAME inputs, all derive from it.
 */
public final class Gram {

    private Gram() {
    }

    /**
     * @param rows   n rows of equal length (not modified)
     * @param ranges coordinate ranges {@code [s0, e0, s1, e1, ...]} to include (e.g. trainable ranges)
     * @return n×n row-major, symmetric, entry (i,j) = Σ_{c in ranges} rows[i][c]·rows[j][c], summed in double
     */
    public static double[] compute(float[][] rows, int[] ranges, Compute compute) {
        int n = rows.length;
        double[] g = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int r = 0; r < ranges.length; r += 2) {
                    for (int c = ranges[r]; c < ranges[r + 1]; c++) {
                        s += (double) rows[i][c] * rows[j][c];
                    }
                }
                g[i * n + j] = s;
                g[j * n + i] = s;
            }
        }
        return g;
    }

    /** Ranges covering all coordinates of rows of length d. */
    public static int[] all(int d) {
        return new int[] {0, d};
    }
}
