package org.badfl.server.kernels;

/**
 * The definition {@link Gram} computes: every dot product summed in double, coordinate by coordinate.
 * Slow (n² passes over the rows); used by tests as the reference.
 */
public final class GramReference {

    private GramReference() {
    }

    /**
     * @param rows   n rows of equal length (not modified)
     * @param ranges coordinate ranges {@code [s0, e0, s1, e1, ...]} to include
     * @return n×n row-major, symmetric, entry (i,j) = Σ_{c in ranges} rows[i][c]·rows[j][c], summed in double
     */
    public static double[] compute(float[][] rows, int[] ranges) {
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
}
