package org.badfl.server.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mean shift with a flat kernel (Comaniciu and Meer, "Mean shift: a robust approach toward feature space
 * analysis", IEEE TPAMI 2002), following scikit-learn's {@code MeanShift(bandwidth, bin_seeding=True,
 * cluster_all=False)} and {@code estimate_bandwidth(X, quantile, n_samples)} (sklearn/cluster/_mean_shift.py),
 * which SignGuard's authors call:
 * <ul>
 *   <li>Bandwidth: on a subsample of at most {@code samples} points (a seeded permutation when there are more),
 *       the mean over those points of the distance to their k-th nearest neighbour among them (the point itself
 *       counts as the first), k = max(1, ⌊m·quantile⌋).</li>
 *   <li>Seeds: the points rounded to the grid of step bandwidth (half to even), one per occupied cell, then
 *       multiplied back; when every point has its own cell the points themselves.</li>
 *   <li>Each seed moves to the mean of the points within distance ≤ bandwidth until it moves by at most
 *       10⁻³·bandwidth (at most 300 steps); seeds with no point in reach are dropped.</li>
 *   <li>Centres sorted by the number of points within reach (then by coordinates), descending; a centre within
 *       bandwidth of a kept one is dropped.</li>
 *   <li>Label: the nearest centre (lower index on ties), or −1 when it is farther than the bandwidth.</li>
 * </ul>
 * A bandwidth of 0 (all subsampled points equal) puts every point equal to them in cluster 0 and the rest in
 * −1 (scikit-learn would divide by zero).
 */
public final class MeanShift {

    private static final int MAX_ITERATIONS = 300;

    private MeanShift() {
    }

    /**
     * A clustering.
     *
     * @param labels    cluster of each point, −1 for points beyond the bandwidth of every centre
     * @param centres   the cluster centres, by decreasing support
     * @param bandwidth the bandwidth used
     */
    public record Result(int[] labels, double[][] centres, double bandwidth) {

        /** Number of points in each cluster (−1 not counted). */
        public int[] clusterSizes() {
            int[] sizes = new int[centres.length];
            for (int l : labels) {
                if (l >= 0) {
                    sizes[l]++;
                }
            }
            return sizes;
        }

        /** The cluster with the most points (lowest label on ties), or −1 when every point is an orphan. */
        public int largestCluster() {
            int[] sizes = clusterSizes();
            int best = -1;
            for (int c = 0; c < sizes.length; c++) {
                if (sizes[c] > 0 && (best < 0 || sizes[c] > sizes[best])) {
                    best = c;
                }
            }
            return best;
        }
    }

    /** scikit-learn's {@code estimate_bandwidth(points, quantile, n_samples=samples)} with a seeded subsample. */
    public static double estimateBandwidth(double[][] points, double quantile, int samples, long seed) {
        if (!(quantile > 0 && quantile <= 1)) {
            throw new IllegalArgumentException("mean shift: quantile must be in (0, 1], got " + quantile);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("mean shift: samples must be >= 1, got " + samples);
        }
        double[][] x = points;
        if (points.length > samples) {
            int[] order = permutation(points.length, new SplittableRandom(seed));
            x = new double[samples][];
            for (int i = 0; i < samples; i++) {
                x[i] = points[order[i]];
            }
        }
        int m = x.length;
        if (m == 0) {
            return 0;
        }
        int k = Math.max(1, (int) (m * quantile));
        double total = 0;
        double[] d = new double[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                d[j] = Math.sqrt(KMeans.squaredDistance(x[i], x[j]));
            }
            Arrays.sort(d);
            total += d[k - 1];
        }
        return total / m;
    }

    /** Fisher-Yates from {@code rng}. */
    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Clusters finite points (n × dim, not modified) with a bandwidth ≥ 0. */
    public static Result fit(double[][] points, double bandwidth) {
        if (!(bandwidth >= 0) || Double.isInfinite(bandwidth)) {
            throw new IllegalArgumentException("mean shift: bandwidth must be finite and >= 0, got " + bandwidth);
        }
        int n = points.length;
        if (n == 0) {
            return new Result(new int[0], new double[0][], bandwidth);
        }
        if (bandwidth == 0) {
            return degenerate(points);
        }
        List<double[]> seeds = binSeeds(points, bandwidth);
        Map<List<Double>, Integer> intensity = new LinkedHashMap<>();
        for (double[] seed : seeds) {
            double[] mean = seed.clone();
            int within = 0;
            for (int it = 0; ; it++) {
                double[] sum = new double[mean.length];
                int count = 0;
                for (double[] p : points) {
                    if (Math.sqrt(KMeans.squaredDistance(p, mean)) <= bandwidth) {
                        count++;
                        for (int j = 0; j < sum.length; j++) {
                            sum[j] += p[j];
                        }
                    }
                }
                if (count == 0) {
                    break;
                }
                within = count;
                double[] old = mean;
                mean = new double[sum.length];
                for (int j = 0; j < sum.length; j++) {
                    mean[j] = sum[j] / count;
                }
                if (Math.sqrt(KMeans.squaredDistance(mean, old)) <= 1e-3 * bandwidth || it == MAX_ITERATIONS) {
                    break;
                }
            }
            if (within > 0) {
                intensity.put(boxed(mean), within);
            }
        }
        List<Map.Entry<List<Double>, Integer>> sorted = new ArrayList<>(intensity.entrySet());
        Comparator<Map.Entry<List<Double>, Integer>> byIntensity = Comparator.comparingInt(Map.Entry::getValue);
        sorted.sort(byIntensity.thenComparing(Map.Entry::getKey, MeanShift::compareLexicographic).reversed());
        List<double[]> centres = new ArrayList<>();
        boolean[] removed = new boolean[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            if (removed[i]) {
                continue;
            }
            double[] c = unboxed(sorted.get(i).getKey());
            centres.add(c);
            for (int j = i + 1; j < sorted.size(); j++) {
                if (Math.sqrt(KMeans.squaredDistance(c, unboxed(sorted.get(j).getKey()))) <= bandwidth) {
                    removed[j] = true;
                }
            }
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < centres.size(); c++) {
                double d = Math.sqrt(KMeans.squaredDistance(points[i], centres.get(c)));
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            labels[i] = bestDistance <= bandwidth ? best : -1;
        }
        return new Result(labels, centres.toArray(new double[0][]), bandwidth);
    }

    private static Result degenerate(double[][] points) {
        int[] labels = new int[points.length];
        for (int i = 0; i < points.length; i++) {
            labels[i] = Arrays.equals(points[i], points[0]) ? 0 : -1;
        }
        return new Result(labels, new double[][] {points[0].clone()}, 0);
    }

    /** One seed per occupied grid cell of step {@code bandwidth}; the points themselves if every cell holds one. */
    static List<double[]> binSeeds(double[][] points, double bandwidth) {
        Map<List<Double>, Integer> bins = new LinkedHashMap<>();
        for (double[] p : points) {
            double[] cell = new double[p.length];
            for (int j = 0; j < p.length; j++) {
                cell[j] = Math.rint(p[j] / bandwidth);
            }
            bins.merge(boxed(cell), 1, Integer::sum);
        }
        List<double[]> seeds = new ArrayList<>();
        if (bins.size() == points.length) {
            for (double[] p : points) {
                seeds.add(p.clone());
            }
            return seeds;
        }
        for (List<Double> cell : bins.keySet()) {
            double[] s = unboxed(cell);
            for (int j = 0; j < s.length; j++) {
                s[j] *= bandwidth;
            }
            seeds.add(s);
        }
        return seeds;
    }

    private static List<Double> boxed(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double x : v) {
            out.add(x);
        }
        return out;
    }

    private static double[] unboxed(List<Double> v) {
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    private static int compareLexicographic(List<Double> a, List<Double> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Double.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
