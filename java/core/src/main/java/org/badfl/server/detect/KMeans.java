package org.badfl.server.detect;

import java.util.SplittableRandom;

/**
 * K-means: k-means++ seeding (Arthur and Vassilvitskii, "k-means++: the advantages of careful seeding", SODA
 * 2007) and Lloyd iterations (Lloyd 1982) to convergence, optionally with several restarts keeping the lowest
 * inertia. The iteration follows scikit-learn's {@code _kmeans_single_lloyd} (sklearn/cluster/_kmeans.py) with
 * {@code tol=0}: assign every point to its nearest centre, move every centre to the mean of its points, stop when
 * an assignment pass changes no label (strict convergence) or after {@code maxIterations} passes.
 * <p>Deterministic rules (all ties by lowest index):
 * <ul>
 *   <li>Assignment: the nearest centre by squared Euclidean distance, ties to the lower centre index.</li>
 *   <li>Empty clusters (after an update step): each empty cluster, in index order, is moved onto the point
 *       farthest from its own centre that has not yet been used this way (scikit-learn's relocation rule,
 *       without its re-weighting of the donor cluster, which the next pass does anyway).</li>
 *   <li>Seeding: the first centre is uniform; each next centre is drawn with probability ∝ D(x)², D = distance
 *       to the nearest chosen centre. When every D is 0 (all remaining points duplicate a centre) the lowest
 *       index not yet chosen is taken.</li>
 *   <li>k ≥ n: clamped to n; every point is then its own centre (inertia 0 unless points repeat).</li>
 * </ul>
 * All randomness comes from one {@link SplittableRandom} built from the seed; restart r uses the r-th
 * {@link SplittableRandom#split()} of it, so results never depend on threads.
 */
public final class KMeans {

    private final int k;
    private final int maxIterations;
    private final int restarts;

    /**
     * @param k             number of clusters, ≥ 1 (clamped to the number of points)
     * @param maxIterations cap on Lloyd assignment passes, ≥ 1 (scikit-learn's default is 300)
     * @param restarts      independent seedings, ≥ 1; the run with the lowest inertia is kept (first on ties)
     */
    public KMeans(int k, int maxIterations, int restarts) {
        if (k < 1) {
            throw new IllegalArgumentException("K-means: k must be >= 1, got " + k);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("K-means: maxIterations must be >= 1, got " + maxIterations);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("K-means: restarts must be >= 1, got " + restarts);
        }
        this.k = k;
        this.maxIterations = maxIterations;
        this.restarts = restarts;
    }

    /** k clusters, 300 iterations, one seeding. */
    public KMeans(int k) {
        this(k, 300, 1);
    }

    /**
     * A clustering.
     *
     * @param assignments cluster index of each point, in [0, centres.length)
     * @param centres     the centres (k × dimension; k clamped to the number of points)
     * @param inertia     Σ_i ‖x_i − centre(assignment_i)‖²
     * @param iterations  Lloyd assignment passes run (the last one confirmed convergence when {@code converged})
     * @param converged   true when the last pass changed no assignment
     */
    public record Result(int[] assignments, double[][] centres, double inertia, int iterations, boolean converged) {

        /** Number of points in each cluster. */
        public int[] clusterSizes() {
            int[] sizes = new int[centres.length];
            for (int a : assignments) {
                sizes[a]++;
            }
            return sizes;
        }
    }

    /**
     * Clusters {@code points} (n rows of equal dimension, finite; not modified) from a seed.
     * n = 0 gives an empty result.
     */
    public Result fit(double[][] points, long seed) {
        check(points);
        int n = points.length;
        if (n == 0) {
            return new Result(new int[0], new double[0][], 0, 0, true);
        }
        int kk = Math.min(k, n);
        SplittableRandom root = new SplittableRandom(seed);
        Result best = null;
        for (int r = 0; r < restarts; r++) {
            SplittableRandom rng = root.split();
            Result result = lloyd(points, seedCentres(points, kk, rng));
            if (best == null || result.inertia() < best.inertia()) {
                best = result;
            }
        }
        return best;
    }

    /**
     * Lloyd iterations from given initial centres (like scikit-learn's {@code init=array, n_init=1}); the
     * number of centres sets k. Neither argument is modified.
     */
    public Result fitFrom(double[][] points, double[][] initialCentres) {
        check(points);
        if (initialCentres.length == 0 || initialCentres.length > Math.max(1, points.length)) {
            throw new IllegalArgumentException("K-means: need between 1 and " + points.length
                + " initial centres, found " + initialCentres.length);
        }
        int dim = points.length == 0 ? initialCentres[0].length : points[0].length;
        double[][] centres = new double[initialCentres.length][];
        for (int c = 0; c < centres.length; c++) {
            if (initialCentres[c].length != dim) {
                throw new IllegalArgumentException("K-means: initial centre " + c + " has dimension "
                    + initialCentres[c].length + ", points have " + dim);
            }
            centres[c] = initialCentres[c].clone();
        }
        if (points.length == 0) {
            return new Result(new int[0], centres, 0, 0, true);
        }
        return lloyd(points, centres);
    }

    private static void check(double[][] points) {
        if (points == null) {
            throw new IllegalArgumentException("K-means: points are null");
        }
        int dim = points.length == 0 ? 0 : points[0].length;
        for (int i = 0; i < points.length; i++) {
            if (points[i] == null || points[i].length != dim) {
                throw new IllegalArgumentException("K-means: point " + i + " has dimension "
                    + (points[i] == null ? "null" : String.valueOf(points[i].length)) + ", expected " + dim);
            }
            for (int j = 0; j < dim; j++) {
                if (!Double.isFinite(points[i][j])) {
                    throw new IllegalArgumentException("K-means: point " + i + " coordinate " + j
                        + " must be finite, found " + points[i][j]);
                }
            }
        }
    }

    /** k-means++ seeding (Arthur and Vassilvitskii 2007, §2.2). */
    static double[][] seedCentres(double[][] points, int k, SplittableRandom rng) {
        int n = points.length;
        boolean[] chosen = new boolean[n];
        double[][] centres = new double[k][];
        int first = rng.nextInt(n);
        centres[0] = points[first].clone();
        chosen[first] = true;
        double[] nearest = new double[n];
        for (int i = 0; i < n; i++) {
            nearest[i] = squaredDistance(points[i], centres[0]);
        }
        for (int c = 1; c < k; c++) {
            int next = drawProportional(nearest, chosen, rng);
            centres[c] = points[next].clone();
            chosen[next] = true;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], squaredDistance(points[i], centres[c]));
            }
        }
        return centres;
    }

    /** Index drawn with probability ∝ weight; all weights 0 → lowest index not yet chosen. */
    private static int drawProportional(double[] weights, boolean[] chosen, SplittableRandom rng) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        if (total > 0) {
            double target = rng.nextDouble() * total;
            double cumulative = 0;
            int last = -1;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] > 0) {
                    cumulative += weights[i];
                    last = i;
                    if (target < cumulative) {
                        return i;
                    }
                }
            }
            return last; // rounding left target at the very end
        }
        for (int i = 0; i < chosen.length; i++) {
            if (!chosen[i]) {
                return i;
            }
        }
        return 0;
    }

    /** Lloyd iterations from {@code centres} (modified in place and returned in the result). */
    private Result lloyd(double[][] points, double[][] centres) {
        int n = points.length;
        int[] labels = new int[n];
        int[] previous = new int[n];
        java.util.Arrays.fill(previous, -1);
        double[] distanceToCentre = new double[n];
        int iteration = 0;
        boolean converged = false;
        while (iteration < maxIterations) {
            iteration++;
            assign(points, centres, labels, distanceToCentre);
            updateCentres(points, labels, distanceToCentre, centres);
            if (java.util.Arrays.equals(labels, previous)) {
                converged = true;
                break;
            }
            System.arraycopy(labels, 0, previous, 0, n);
        }
        if (!converged) {
            // Like scikit-learn: the labels returned belong to the final centres.
            assign(points, centres, labels, distanceToCentre);
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) {
            inertia += squaredDistance(points[i], centres[labels[i]]);
        }
        return new Result(labels, centres, inertia, iteration, converged);
    }

    private static void assign(double[][] points, double[][] centres, int[] labels, double[] distanceToCentre) {
        for (int i = 0; i < points.length; i++) {
            int best = 0;
            double bestDistance = squaredDistance(points[i], centres[0]);
            for (int c = 1; c < centres.length; c++) {
                double dist = squaredDistance(points[i], centres[c]);
                if (dist < bestDistance) {
                    bestDistance = dist;
                    best = c;
                }
            }
            labels[i] = best;
            distanceToCentre[i] = bestDistance;
        }
    }

    /** Centres ← means of their points; empty clusters relocated onto the farthest points. */
    private static void updateCentres(double[][] points, int[] labels, double[] distanceToCentre, double[][] centres) {
        int k = centres.length;
        int dim = points[0].length;
        double[][] sums = new double[k][dim];
        int[] counts = new int[k];
        for (int i = 0; i < points.length; i++) {
            double[] s = sums[labels[i]];
            for (int j = 0; j < dim; j++) {
                s[j] += points[i][j];
            }
            counts[labels[i]]++;
        }
        boolean[] usedForRelocation = new boolean[points.length];
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                for (int j = 0; j < dim; j++) {
                    centres[c][j] = sums[c][j] / counts[c];
                }
            } else {
                int far = farthestUnused(distanceToCentre, usedForRelocation);
                usedForRelocation[far] = true;
                centres[c] = points[far].clone();
            }
        }
    }

    private static int farthestUnused(double[] distanceToCentre, boolean[] used) {
        int best = -1;
        for (int i = 0; i < distanceToCentre.length; i++) {
            if (!used[i] && (best < 0 || distanceToCentre[i] > distanceToCentre[best])) {
                best = i;
            }
        }
        return best < 0 ? 0 : best;
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double diff = a[j] - b[j];
            s += diff * diff;
        }
        return s;
    }
}
