package org.badfl.server.kernels;

import java.util.Arrays;

/**
 * The definitions {@link CoordinateStats} computes: sort each coordinate's n values with {@link Arrays#sort}
 * and read off the order statistics. Slow (one sort per coordinate); used by tests as the reference and by
 * the benchmarks as the per-coordinate {@code Arrays.sort} baseline.
 */
public final class CoordinateStatsReference {

    private CoordinateStatsReference() {
    }

    /**
     * Coordinate-wise median, numpy convention: for even n the mean of the two middle values, computed as
     * {@code (float) (((double) lower + upper) / 2)}.
     *
     * @param rows n ≥ 1 rows of length ≥ out.length (not modified)
     * @param out  receives the median of each coordinate c &lt; out.length
     */
    public static void median(float[][] rows, float[] out) {
        int n = rows.length;
        if (n == 0) {
            throw new IllegalArgumentException("median of zero rows");
        }
        float[] col = new float[n];
        for (int c = 0; c < out.length; c++) {
            for (int i = 0; i < n; i++) {
                col[i] = rows[i][c];
            }
            Arrays.sort(col);
            out[c] = (n & 1) == 1 ? col[n / 2] : (float) (((double) col[n / 2 - 1] + col[n / 2]) / 2);
        }
    }

    /**
     * Coordinate-wise trimmed mean: drop the {@code trim} smallest and {@code trim} largest values of each
     * coordinate and average the rest, summed in double in ascending order, then divided by n − 2·trim.
     */
    public static void trimmedMean(float[][] rows, int trim, float[] out) {
        int n = rows.length;
        if (trim < 0 || 2 * trim >= n) {
            throw new IllegalArgumentException("trimmed mean: cannot trim " + trim + " from each side of " + n + " rows");
        }
        float[] col = new float[n];
        for (int c = 0; c < out.length; c++) {
            for (int i = 0; i < n; i++) {
                col[i] = rows[i][c];
            }
            Arrays.sort(col);
            double s = 0;
            for (int i = trim; i < n - trim; i++) {
                s += col[i];
            }
            out[c] = (float) (s / (n - 2 * trim));
        }
    }
}
