package org.badfl.server.detect;

import org.badfl.engine.Compute;
import org.badfl.server.kernels.Gram;

/**
 * The n×n Gram matrix g_ij = ⟨v_i, v_j⟩ of a round's update vectors, computed once per round
 * ({@link Gram#compute}; see there for its rounding), and everything that follows from it: norms, cosines, cosine and
 * Euclidean distances. FLAME, FLTrust, Krum and BADFL's LOF/K-means all read their geometry from here, so the
 * O(n²d) pass over the updates happens once.
 * <p>Conventions: cos(v_i, v_j) = g_ij / √(g_ii·g_jj), clamped to [−1, 1], and 0 when either vector is zero (a
 * zero update is "unrelated" to everything, cosine distance 1). Squared Euclidean distance
 * ‖v_i − v_j‖² = g_ii + g_jj − 2g_ij, clamped at 0; its absolute error is about 1e-6·(g_ii + g_jj) (Gram's
 * float chunk sums; worst case 3e-5), far below any distance that matters for float updates, and identical
 * rows give exactly 0.
 */
public final class GramMatrix {

    private final int n;
    private final double[] g;

    private GramMatrix(int n, double[] g) {
        this.n = n;
        this.g = g;
    }

    /**
     * Gram matrix of {@code rows} over the coordinate ranges {@code ranges} ({@code [s0, e0, s1, e1, ...]}, e.g.
     * {@link org.badfl.engine.ParamLayout#trainableRanges()} to leave BatchNorm statistics out).
     */
    public static GramMatrix of(float[][] rows, int[] ranges, Compute compute) {
        return new GramMatrix(rows.length, Gram.compute(rows, ranges, compute));
    }

    /** As {@link #of(float[][], int[], Compute)} with the Gram matrix from {@code kernels} (CPU or device). */
    public static GramMatrix of(float[][] rows, int[] ranges, org.badfl.server.AggregationKernels kernels) {
        return new GramMatrix(rows.length, kernels.gram(rows, ranges));
    }

    /** As {@link #of(float[][], int[], org.badfl.server.AggregationKernels)} over a round's updates. */
    public static GramMatrix of(org.badfl.server.RoundUpdates updates, int[] ranges,
                                org.badfl.server.AggregationKernels kernels) {
        return new GramMatrix(updates.size(), kernels.gram(updates, ranges));
    }

    /** Wraps a row-major n×n symmetric matrix (not copied). */
    public static GramMatrix wrap(double[] gram, int n) {
        if (gram.length != (long) n * n) {
            throw new IllegalArgumentException("Gram matrix: expected " + n + "x" + n + " = " + (long) n * n
                + " entries, found " + gram.length);
        }
        return new GramMatrix(n, gram);
    }

    /** Number of vectors n. */
    public int size() {
        return n;
    }

    public double dot(int i, int j) {
        return g[i * n + j];
    }

    public double squaredNorm(int i) {
        return g[i * n + i];
    }

    public double norm(int i) {
        return Math.sqrt(squaredNorm(i));
    }

    /** Norms of all vectors. */
    public double[] norms() {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = norm(i);
        }
        return out;
    }

    /** cos(v_i, v_j), 0 when either vector is zero. */
    public double cosine(int i, int j) {
        double denominator = Math.sqrt(squaredNorm(i) * squaredNorm(j));
        if (denominator == 0) {
            return 0;
        }
        return Math.max(-1.0, Math.min(1.0, dot(i, j) / denominator));
    }

    /** ‖v_i − v_j‖², ≥ 0. */
    public double squaredDistance(int i, int j) {
        if (i == j) {
            return 0;
        }
        return Math.max(0.0, squaredNorm(i) + squaredNorm(j) - 2 * dot(i, j));
    }

    /** Cosine distances 1 − cos(v_i, v_j) as an n×n matrix with zero diagonal. */
    public double[][] cosineDistances() {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double v = 1.0 - cosine(i, j);
                d[i][j] = v;
                d[j][i] = v;
            }
        }
        return d;
    }

    /** Squared Euclidean distances as an n×n matrix with zero diagonal. */
    public double[][] squaredDistances() {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double v = squaredDistance(i, j);
                d[i][j] = v;
                d[j][i] = v;
            }
        }
        return d;
    }

    /** Euclidean distances as an n×n matrix with zero diagonal. */
    public double[][] euclideanDistances() {
        double[][] d = squaredDistances();
        for (double[] row : d) {
            for (int j = 0; j < n; j++) {
                row[j] = Math.sqrt(row[j]);
            }
        }
        return d;
    }

    /** The Gram matrix of a subset of the vectors, in the given order. */
    public GramMatrix select(int[] indices) {
        int m = indices.length;
        double[] s = new double[m * m];
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                s[a * m + b] = dot(indices[a], indices[b]);
            }
        }
        return new GramMatrix(m, s);
    }
}
