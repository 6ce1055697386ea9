package org.badfl.server.badfl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.badfl.server.detect.GramMatrix;
import org.badfl.server.detect.KMeans;
import org.badfl.server.detect.LocalOutlierFactor;
import org.badfl.util.Seeds;

/**
 * Local Model Clustering Algorithm, LMCA (BADFL, Zhang et al., TKDE 2024, Algorithm 1 and Section V-A1), as fixed
 * by docs/BADFL.md (interpretation). It does not judge anybody: it picks the local models that neuron inspection
 * ({@link NeuronInspection}) will examine.
 * <ol>
 *   <li>Line 1, LOF: Local Outlier Factor ({@link LocalOutlierFactor}, ELKI semantics) on the cosine distances
 *       1 − cos(Δ_i, Δ_j) of the updates over the trainable parameters (one Gram matrix), with
 *       k = max(2, ⌈n/2⌉) neighbours so that a coalition of fewer than n/2 attackers cannot be its own
 *       neighbourhood. Outliers: LOF &gt; 1.5 (scikit-learn's "auto" offset). Also counted as outliers (an
 *       addition of this implementation, option {@code normFactor}): updates whose norm exceeds
 *       {@code normFactor} × the median norm, because cosine distance cannot see scale and a scaled update is
 *       exactly a model-replacement attack. Outliers are only inspected, never flagged here.</li>
 *   <li>Line 2, K-means ({@link KMeans}: k-means++ from the round's seed, Lloyd to convergence) on the
 *       unit-normalised updates of the m = n − k₁ non-outliers, k = ⌊m/2⌋ + 1 clusters (capped at m). The
 *       clustering runs on an exact m-dimensional embedding of their cosine Gram matrix ({@link GramEmbedding}),
 *       which gives the K-means of the d-dimensional unit vectors without materialising them.</li>
 *   <li>Lines 3-5: one uniformly random member of each cluster (seeded).</li>
 * </ol>
 * Candidates for inspection = the k₁ outliers plus one member per cluster: (n + k₁)/2 + 1 models, as in the paper.
 */
public final class Lmca {

    /** Default LOF threshold: scikit-learn's "auto" offset (LOF &gt; 1.5 is an outlier). */
    public static final double DEFAULT_LOF_THRESHOLD = 1.5;
    /**
     * Default norm-outlier factor (0 disables the norm criterion): 2, measured (docs/BADFL.md): benign IID updates
     * stayed below 1.8 × the median norm, constrain-and-scale updates were 2.7-25 × and DBA updates up to 5 ×.
     */
    public static final double DEFAULT_NORM_FACTOR = 2.0;
    /** k = 0 means "automatic": max(2, ⌈n/2⌉). */
    public static final int AUTO_K = 0;

    private final double lofThreshold;
    private final int lofK;
    private final double normFactor;

    /**
     * @param lofThreshold LOF above which an update is an outlier, &gt; 0 (default {@link #DEFAULT_LOF_THRESHOLD})
     * @param lofK         LOF neighbours, ≥ 1, or {@link #AUTO_K} for max(2, ⌈n/2⌉)
     * @param normFactor   an update whose norm exceeds this multiple of the median norm is an outlier too; ≥ 1, or
     *                     0 to disable (default {@link #DEFAULT_NORM_FACTOR})
     */
    public Lmca(double lofThreshold, int lofK, double normFactor) {
        if (!(lofThreshold > 0) || Double.isInfinite(lofThreshold)) {
            throw new IllegalArgumentException("badfl: lof-threshold must be finite and > 0, got " + lofThreshold);
        }
        if (lofK < 0) {
            throw new IllegalArgumentException("badfl: lof-k must be >= 1 or auto, got " + lofK);
        }
        if (!(normFactor == 0 || normFactor >= 1) || Double.isInfinite(normFactor)) {
            throw new IllegalArgumentException("badfl: norm-factor must be 0 (off) or a finite number >= 1, got "
                + normFactor);
        }
        this.lofThreshold = lofThreshold;
        this.lofK = lofK;
        this.normFactor = normFactor;
    }

    /** The defaults: threshold 1.5, k automatic, norm factor 2. */
    public Lmca() {
        this(DEFAULT_LOF_THRESHOLD, AUTO_K, DEFAULT_NORM_FACTOR);
    }

    /** LOF neighbours for n updates: max(2, ⌈n/2⌉) unless fixed. */
    public int neighbours(int n) {
        return lofK != AUTO_K ? lofK : Math.max(2, (n + 1) / 2);
    }

    /** Number of K-means clusters for m non-outliers: ⌊m/2⌋ + 1, capped at m (0 for m = 0). */
    public static int clusterCount(int m) {
        return Math.min(m, m / 2 + 1);
    }

    /**
     * LMCA's outcome for one round. Indices are rows of the round's updates.
     *
     * @param lof             LOF score of every update (1 when n = 1)
     * @param k               LOF neighbours used (before clamping to n − 1)
     * @param norms           ‖Δ_i‖ over the trainable parameters
     * @param medianNorm      median of the norms
     * @param outliers        rows judged outliers (LOF or norm), increasing
     * @param outlierReasons  per row: why it is an outlier (e.g. "LOF 2.71 > 1.5"), or null
     * @param clusterOf       per row: its K-means cluster, −1 for outliers
     * @param clusterCount    number of K-means clusters
     * @param representatives per cluster: the randomly sampled member
     * @param candidates      outliers ∪ representatives, increasing: the models to inspect
     */
    public record Result(double[] lof, int k, double[] norms, double medianNorm, int[] outliers,
                         String[] outlierReasons, int[] clusterOf, int clusterCount, int[] representatives,
                         int[] candidates) {

        /** Rows of cluster c, increasing. */
        public int[] members(int cluster) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < clusterOf.length; i++) {
                if (clusterOf[i] == cluster) {
                    out.add(i);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        /** True when row i is the sampled member of its cluster. */
        public boolean isRepresentative(int row) {
            return clusterOf[row] >= 0 && representatives[clusterOf[row]] == row;
        }
    }

    /**
     * Runs Algorithm 1.
     *
     * @param gram Gram matrix of the round's updates over the trainable parameters (not modified)
     * @param seed the round's seed (K-means seeding and the member sampling derive from it)
     */
    public Result run(GramMatrix gram, long seed) {
        int n = gram.size();
        double[] norms = gram.norms();
        double medianNorm = median(norms);
        int k = neighbours(n);
        double[] lof = n == 0 ? new double[0] : new LocalOutlierFactor(k).score(gram.cosineDistances()).lof();

        // Line 1: outliers by LOF (and by norm).
        String[] reasons = new String[n];
        List<Integer> outlierList = new ArrayList<>();
        List<Integer> inliers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> why = new ArrayList<>();
            if (lof[i] > lofThreshold) {
                why.add("LOF " + fmt(lof[i]) + " > " + fmt(lofThreshold));
            }
            if (normFactor > 0 && norms[i] > normFactor * medianNorm) {
                why.add("norm " + fmt(norms[i]) + " > " + fmt(normFactor) + " x median " + fmt(medianNorm));
            }
            if (why.isEmpty()) {
                inliers.add(i);
            } else {
                reasons[i] = String.join(", ", why);
                outlierList.add(i);
            }
        }

        // Line 2: K-means on the unit-normalised non-outliers.
        int[] inlierRows = inliers.stream().mapToInt(Integer::intValue).toArray();
        int[] clusterOf = new int[n];
        Arrays.fill(clusterOf, -1);
        int clusters = clusterCount(inlierRows.length);
        if (clusters > 0) {
            double[][] points = GramEmbedding.unitNormalised(gram, inlierRows);
            KMeans.Result km = new KMeans(clusters).fit(points, Seeds.derive(seed, "badfl:lmca-kmeans"));
            for (int a = 0; a < inlierRows.length; a++) {
                clusterOf[inlierRows[a]] = km.assignments()[a];
            }
            clusters = km.centres().length;
        }

        // Lines 3-5: one random member per (non-empty) cluster.
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "badfl:lmca-sample"));
        int[] representatives = new int[clusters];
        for (int c = 0; c < clusters; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (clusterOf[i] == c) {
                    members.add(i);
                }
            }
            // Lloyd with empty-cluster relocation leaves no cluster empty; guard anyway.
            representatives[c] = members.isEmpty() ? -1 : members.get(rng.nextInt(members.size()));
        }
        TreeSet<Integer> candidates = new TreeSet<>(outlierList);
        for (int r : representatives) {
            if (r >= 0) {
                candidates.add(r);
            }
        }
        return new Result(lof, k, norms, medianNorm, outlierList.stream().mapToInt(Integer::intValue).toArray(),
            reasons, clusterOf, clusters, representatives,
            candidates.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Median, numpy convention; 0 for no values. */
    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return (s.length & 1) == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
