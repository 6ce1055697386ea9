package org.badfl.server.detect;

/** Input checks shared by the algorithms that take a precomputed distance matrix. */
final class DistanceMatrices {

    private DistanceMatrices() {
    }

    /**
     * Checks that {@code d} is a square matrix of finite, non-negative, symmetric entries (symmetric up to
     * 1e-9 relative, so that matrices computed elsewhere in floating point pass). The diagonal is not read.
     *
     * @param who the algorithm, for the message
     */
    static void check(String who, double[][] d) {
        if (d == null) {
            throw new IllegalArgumentException(who + ": distance matrix is null");
        }
        int n = d.length;
        for (int i = 0; i < n; i++) {
            if (d[i] == null || d[i].length != n) {
                throw new IllegalArgumentException(who + ": distance matrix must be " + n + "x" + n + ", row " + i
                    + " has " + (d[i] == null ? "no" : String.valueOf(d[i].length)) + " entries");
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double v = d[i][j];
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException(who + ": distance (" + i + ", " + j
                        + ") must be finite and >= 0, found " + v);
                }
                if (j < i && Math.abs(v - d[j][i]) > 1e-9 * Math.max(1.0, Math.abs(v))) {
                    throw new IllegalArgumentException(who + ": distance matrix must be symmetric, found d(" + i + ", "
                        + j + ") = " + v + " but d(" + j + ", " + i + ") = " + d[j][i]);
                }
            }
        }
    }
}
