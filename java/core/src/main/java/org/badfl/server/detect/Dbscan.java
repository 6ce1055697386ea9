package org.badfl.server.detect;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * DBSCAN (Ester, Kriegel, Sander, Xu, "A density-based algorithm for discovering clusters in large spatial
 * databases with noise", KDD 1996) on a precomputed distance matrix, following scikit-learn's {@code DBSCAN(eps,
 * min_samples, metric="precomputed")} (sklearn/cluster/_dbscan.py and _dbscan_inner.pyx): the neighbourhood of a
 * point is every point at distance ≤ eps, itself included; core points have at least {@code minSamples} neighbours;
 * clusters grow from core points in index order by depth-first expansion through core points, and a border point
 * joins the first cluster that reaches it. Labels 0, 1, … in order of discovery; noise −1.
 */
public final class Dbscan {

    private final double eps;
    private final int minSamples;

    /**
     * @param eps        neighbourhood radius ≥ 0
     * @param minSamples neighbours (self included) that make a core point, ≥ 1
     */
    public Dbscan(double eps, int minSamples) {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("DBSCAN: eps must be finite and >= 0, got " + eps);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("DBSCAN: minSamples must be >= 1, got " + minSamples);
        }
        this.eps = eps;
        this.minSamples = minSamples;
    }

    /** Labels of the points whose distances are {@code d} (n×n, checked; not modified). */
    public int[] labels(double[][] d) {
        DistanceMatrices.check("DBSCAN", d);
        int n = d.length;
        int[][] neighbourhoods = new int[n][];
        boolean[] core = new boolean[n];
        for (int i = 0; i < n; i++) {
            int[] nb = new int[n];
            int count = 0;
            for (int j = 0; j < n; j++) {
                if (i == j || d[i][j] <= eps) {
                    nb[count++] = j;
                }
            }
            neighbourhoods[i] = Arrays.copyOf(nb, count);
            core[i] = count >= minSamples;
        }
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        int label = 0;
        Deque<Integer> stack = new ArrayDeque<>();
        for (int start = 0; start < n; start++) {
            if (labels[start] != -1 || !core[start]) {
                continue;
            }
            int i = start;
            while (true) {
                if (labels[i] == -1) {
                    labels[i] = label;
                    if (core[i]) {
                        for (int j : neighbourhoods[i]) {
                            if (labels[j] == -1) {
                                stack.push(j);
                            }
                        }
                    }
                }
                if (stack.isEmpty()) {
                    break;
                }
                i = stack.pop();
            }
            label++;
        }
        return labels;
    }
}
