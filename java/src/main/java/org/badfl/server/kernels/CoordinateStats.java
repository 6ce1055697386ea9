package org.badfl.server.kernels;

import java.util.Arrays;
import org.badfl.engine.Compute;

/** Coordinate-wise order statistics over a round's update rows (robust aggregation rules). */
public final class CoordinateStats {

    private CoordinateStats() {
    }

    /**
     * Coordinate-wise median, numpy convention (mean of the two middle values for even n).
     *
     * @param rows n ≥ 1 rows of length ≥ out.length (not modified)
     * @param out  receives the median of each coordinate
     */
    public static void median(float[][] rows, float[] out, Compute compute) {
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
     * coordinate, average the rest (in double).
     */
    public static void trimmedMean(float[][] rows, int trim, float[] out, Compute compute) {
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
