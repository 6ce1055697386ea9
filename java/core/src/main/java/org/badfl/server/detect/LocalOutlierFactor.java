package org.badfl.server.detect;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Local Outlier Factor (Breunig, Kriegel, Ng, Sander, "LOF: identifying density-based local outliers",
 * SIGMOD 2000) on a precomputed distance matrix, with ELKI's semantics (elki-project/elki
 * {@code elki/outlier/lof/LOF.java}):
 * <ul>
 *   <li>k-distance(p) = distance from p to its k-th nearest <em>other</em> point (Def. 3);</li>
 *   <li>the k-distance neighbourhood N_k(p) = every other point within k-distance(p), so it holds more than k
 *       points when there are ties at the k-distance (Def. 4);</li>
 *   <li>reach-dist_k(p, o) = max(k-distance(o), d(p, o)) (Def. 5);</li>
 *   <li>lrd(p) = |N_k(p)| / Σ_{o ∈ N_k(p)} reach-dist_k(p, o) (Def. 6), and +∞ when that sum is 0 (p has at
 *       least k exact duplicates, each of which also has k duplicates: infinite density);</li>
 *   <li>LOF(p) = mean over o ∈ N_k(p) of lrd(o)/lrd(p) (Def. 7), with ELKI's rules for infinite densities:
 *       LOF(p) = 1 when lrd(p) = +∞ (a point inside a group of duplicates is as dense as its neighbours), and
 *       +∞ when lrd(p) is finite but a neighbour's is infinite. No NaN can arise.</li>
 * </ul>
 * Without ties and duplicates this equals scikit-learn's {@code LocalOutlierFactor(metric='precomputed')}
 * {@code -negative_outlier_factor_} up to scikit-learn's 1e-10 added to the mean reachability distance;
 * scikit-learn takes exactly k neighbours (ties broken by index) and gives finite values for duplicates.
 * <p>k ≥ n is clamped to n − 1 (every other point is a neighbour), as scikit-learn does. With n = 1 the single
 * point has no neighbours: lrd = +∞, LOF = 1.
 */
public final class LocalOutlierFactor {

    private final int k;

    /** @param k number of neighbours, ≥ 1 (BADFL uses max(2, ⌈n/2⌉); scikit-learn's default is 20) */
    public LocalOutlierFactor(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("LOF: k (neighbours) must be >= 1, got " + k);
        }
        this.k = k;
    }

    public int k() {
        return k;
    }

    /**
     * Result per point, in input order.
     *
     * @param lof            LOF score (≈ 1 inside a cluster, larger for outliers; 1 or +∞ with duplicates)
     * @param kDistance      k-distance of each point
     * @param lrd            local reachability density (+∞ for points inside a group of duplicates)
     * @param neighbourhoods N_k(p) as point indices sorted by distance then index (ties at the k-distance
     *                       included)
     * @param effectiveK     the k used, min(k, n − 1)
     */
    public record Result(double[] lof, double[] kDistance, double[] lrd, int[][] neighbourhoods, int effectiveK) {

        /** Indices of points with LOF strictly greater than {@code threshold}, in increasing order. */
        public int[] outliers(double threshold) {
            return IntStream.range(0, lof.length).filter(i -> lof[i] > threshold).toArray();
        }
    }

    /**
     * Scores every point.
     *
     * @param distances n×n symmetric matrix of finite, non-negative distances (diagonal not read; not modified)
     */
    public Result score(double[][] distances) {
        DistanceMatrices.check("LOF", distances);
        int n = distances.length;
        int kk = Math.max(0, Math.min(k, n - 1));
        double[] kDistance = new double[n];
        int[][] neighbourhoods = new int[n][];
        for (int p = 0; p < n; p++) {
            neighbourhoods[p] = neighbourhood(distances, p, kk);
            kDistance[p] = kk == 0 ? 0 : distances[p][neighbourhoods[p][kk - 1]];
        }
        double[] lrd = localReachabilityDensities(distances, neighbourhoods, kDistance);
        double[] lof = outlierFactors(neighbourhoods, lrd);
        return new Result(lof, kDistance, lrd, neighbourhoods, kk);
    }

    /** Def. 3-4: other points sorted by (distance, index); keep the first k and every tie of the k-th. */
    private static int[] neighbourhood(double[][] d, int p, int k) {
        if (k == 0) {
            return new int[0];
        }
        Integer[] others = IntStream.range(0, d.length).filter(o -> o != p).boxed().toArray(Integer[]::new);
        Arrays.sort(others, Comparator.<Integer>comparingDouble(o -> d[p][o]).thenComparingInt(o -> o));
        double kDist = d[p][others[k - 1]];
        int size = k;
        while (size < others.length && d[p][others[size]] <= kDist) {
            size++;
        }
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = others[i];
        }
        return out;
    }

    /** Def. 5-6. */
    private static double[] localReachabilityDensities(double[][] d, int[][] neighbourhoods, double[] kDistance) {
        int n = d.length;
        double[] lrd = new double[n];
        for (int p = 0; p < n; p++) {
            double sum = 0;
            for (int o : neighbourhoods[p]) {
                sum += Math.max(kDistance[o], d[p][o]);
            }
            lrd[p] = sum > 0 ? neighbourhoods[p].length / sum : Double.POSITIVE_INFINITY;
        }
        return lrd;
    }

    /** Def. 7 with ELKI's rules for infinite densities. */
    private static double[] outlierFactors(int[][] neighbourhoods, double[] lrd) {
        int n = lrd.length;
        double[] lof = new double[n];
        for (int p = 0; p < n; p++) {
            if (Double.isInfinite(lrd[p])) {
                lof[p] = 1.0;
                continue;
            }
            double sum = 0;
            for (int o : neighbourhoods[p]) {
                sum += lrd[o];
            }
            // sum is +inf when a neighbour has infinite density: LOF +inf, as in ELKI.
            lof[p] = sum / (lrd[p] * neighbourhoods[p].length);
        }
        return lof;
    }
}
