package org.badfl.server.kernels;

import java.util.Objects;

/**
 * A Gram matrix G = X·Xᵀ of n update rows ({@link Gram}) and what derives from it without touching the
 * rows again: norms ‖x_i‖ = √G_ii, cosine similarity G_ij/(‖x_i‖‖x_j‖) (FLAME's and FLTrust's measure),
 * squared Euclidean distance G_ii + G_jj − 2G_ij (Krum, K-means, LOF, HDBSCAN).
 * <p>Conventions: the cosine similarity with a zero row is 0 (so its cosine distance is 1), as
 * {@code sklearn.metrics.pairwise.cosine_distances} does for zero vectors; squared distances are clamped
 * at 0 (the subtraction can round slightly below 0 for nearly equal rows; the absolute rounding error is
 * about 1e-6·(G_ii + G_jj) with {@link Gram}'s float chunk sums); the diagonal of every distance matrix is
 * exactly 0. Immutable.
 */
public final class GramMatrix {

    private final int n;
    private final double[] g;

    /**
     * @param n    number of rows
     * @param gram n×n row-major symmetric Gram matrix (copied)
     */
    public GramMatrix(int n, double[] gram) {
        Objects.requireNonNull(gram, "gram");
        if (n < 0 || gram.length != (long) n * n) {
            throw new IllegalArgumentException("gram matrix: expected " + n + "×" + n + " = " + ((long) n * n)
                + " entries, found " + gram.length);
        }
        this.n = n;
        this.g = gram.clone();
    }

    /** Number of rows n. */
    public int size() {
        return n;
    }

    /** ⟨x_i, x_j⟩. */
    public double dot(int i, int j) {
        return g[index(i, j)];
    }

    /** ‖x_i‖². */
    public double squaredNorm(int i) {
        return g[index(i, i)];
    }

    /** ‖x_i‖. */
    public double norm(int i) {
        return Math.sqrt(Math.max(0, squaredNorm(i)));
    }

    /** All norms ‖x_i‖. */
    public double[] norms() {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = norm(i);
        }
        return out;
    }

    /** cos(x_i, x_j), in [−1, 1]; 0 when either row is zero. */
    public double cosineSimilarity(int i, int j) {
        double d = norm(i) * norm(j);
        if (d == 0) {
            return 0;
        }
        return Math.max(-1, Math.min(1, dot(i, j) / d));
    }

    /** 1 − cos(x_i, x_j), in [0, 2]; exactly 0 for i = j (also for a zero row). */
    public double cosineDistance(int i, int j) {
        return i == j ? 0 : 1 - cosineSimilarity(i, j);
    }

    /** ‖x_i − x_j‖² = G_ii + G_jj − 2G_ij, clamped at 0; exactly 0 for i = j. */
    public double squaredDistance(int i, int j) {
        if (i == j) {
            index(i, j);
            return 0;
        }
        return Math.max(0, squaredNorm(i) + squaredNorm(j) - 2 * dot(i, j));
    }

    /** ‖x_i − x_j‖. */
    public double distance(int i, int j) {
        return Math.sqrt(squaredDistance(i, j));
    }

    /** Dense n×n cosine distances (rows are fresh arrays). */
    public double[][] cosineDistances() {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = d[j][i] = cosineDistance(i, j);
            }
        }
        return d;
    }

    /** Dense n×n squared Euclidean distances. */
    public double[][] squaredDistances() {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = d[j][i] = squaredDistance(i, j);
            }
        }
        return d;
    }

    /** Dense n×n Euclidean distances. */
    public double[][] distances() {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = d[j][i] = distance(i, j);
            }
        }
        return d;
    }

    /** The Gram matrix of the rows {@code indices} (in that order), e.g. the clients a defense admitted. */
    public GramMatrix select(int[] indices) {
        int m = indices.length;
        double[] sub = new double[m * m];
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                sub[a * m + b] = dot(indices[a], indices[b]);
            }
        }
        return new GramMatrix(m, sub);
    }

    /** The n×n matrix, row-major (a copy). */
    public double[] toArray() {
        return g.clone();
    }

    private int index(int i, int j) {
        Objects.checkIndex(i, n);
        Objects.checkIndex(j, n);
        return i * n + j;
    }
}
