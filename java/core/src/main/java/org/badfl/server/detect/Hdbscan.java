package org.badfl.server.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HDBSCAN (Campello, Moulavi, Sander, "Density-based clustering based on hierarchical density estimates",
 * PAKDD 2013; McInnes, Healy, Astels, "hdbscan: Hierarchical density based clustering", JOSS 2017) on a
 * precomputed distance matrix, following the {@code hdbscan} Python package (scikit-learn-contrib/hdbscan 0.8,
 * {@code hdbscan_.py _hdbscan_generic}, {@code _hdbscan_reachability.pyx}, {@code _hdbscan_linkage.pyx},
 * {@code _hdbscan_tree.pyx}) step by step, so that FLAME (whose reimplementations call that package) is
 * reproduced exactly, tie-breaking included:
 * <ol>
 *   <li>{@link #coreDistances}: core distance of p = distance to its {@code minSamples}-th nearest <em>other</em>
 *       point ({@code minSamples} clamped to n − 1). This is the Python package's meaning of
 *       {@code min_samples} for precomputed distances (the point itself is not counted); ELKI's
 *       {@code minPts} counts the point, so ELKI minPts = min_samples + 1 (FLAME: min_samples = 1 ⇔ minPts = 2).</li>
 *   <li>Mutual reachability d_mr(p, q) = max(core(p), core(q), d(p, q)).</li>
 *   <li>Minimum spanning tree of d_mr by Prim's algorithm on the dense matrix, started at point 0, taking the
 *       lowest index among equally near points, recording each step as (last added point, new point, distance)
 *       as {@code mst_linkage_core} does; edges then stably sorted by distance.</li>
 *   <li>Single-linkage hierarchy by union-find over the sorted edges (scipy linkage format, as {@code label}).</li>
 *   <li>Condensed tree for {@code minClusterSize} ({@code condense_tree}): walking down from the root, a split
 *       where both sides hold ≥ minClusterSize points makes two new clusters; otherwise the points of each side
 *       smaller than minClusterSize "fall out" of the cluster at λ = 1/distance (λ = +∞ at distance 0).</li>
 *   <li>Stability of a cluster C = Σ over its rows (λ_row − λ_birth(C)) · size_row ({@code compute_stability}).</li>
 *   <li>Selection ({@code get_clusters}): excess of mass ("eom", default) walks clusters from the leaves up and
 *       keeps a cluster when its stability is at least the sum of its children's selected stabilities (that sum is
 *       rounded to float32 before the comparison, as the package's {@code cdef float subtree_stability} does);
 *       "leaf" keeps the leaves of the cluster tree (none when the root never splits). The root is a candidate only with
 *       {@code allowSingleCluster}.</li>
 *   <li>Labels ({@code do_labelling}): a point belongs to the selected cluster that contains it; a point in no
 *       selected cluster is noise (−1). When the root is the only selected cluster, a point is labelled only if it
 *       fell out at a λ at least the largest λ of any of the root's children (the package's rule), else noise.
 *       Cluster labels are numbered 0, 1, ... in the order of the condensed tree's cluster ids.</li>
 * </ol>
 * FLAME uses {@link #flame(int)}: minClusterSize = ⌊n/2⌋ + 1, minSamples = 1, allowSingleCluster = true.
 * <p>n = 0 gives no labels; n = 1 gives one noise point (no hierarchy exists).
 */
public final class Hdbscan {

    /** How flat clusters are extracted from the condensed tree. */
    public enum SelectionMethod { EOM, LEAF }

    private final int minClusterSize;
    private final int minSamples;
    private final boolean allowSingleCluster;
    private final SelectionMethod selection;

    /**
     * @param minClusterSize     smallest group that counts as a cluster, ≥ 2 (the Python package refuses 1)
     * @param minSamples         neighbours (excluding the point) that define the core distance, ≥ 1
     * @param allowSingleCluster whether the root (all points) may be selected as the one cluster
     * @param selection          {@link SelectionMethod#EOM} (default of the Python package) or LEAF
     */
    public Hdbscan(int minClusterSize, int minSamples, boolean allowSingleCluster, SelectionMethod selection) {
        if (minClusterSize < 2) {
            throw new IllegalArgumentException("HDBSCAN: minClusterSize must be >= 2, got " + minClusterSize);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("HDBSCAN: minSamples must be >= 1, got " + minSamples);
        }
        if (selection == null) {
            throw new IllegalArgumentException("HDBSCAN: selection method is null (expected EOM or LEAF)");
        }
        this.minClusterSize = minClusterSize;
        this.minSamples = minSamples;
        this.allowSingleCluster = allowSingleCluster;
        this.selection = selection;
    }

    /** Excess-of-mass selection. */
    public Hdbscan(int minClusterSize, int minSamples, boolean allowSingleCluster) {
        this(minClusterSize, minSamples, allowSingleCluster, SelectionMethod.EOM);
    }

    /**
     * FLAME's configuration for n points (docs/DEFENSES.md, FLAME step 2): minClusterSize = ⌊n/2⌋ + 1 (at least 2),
     * minSamples = 1, allowSingleCluster = true, EOM.
     */
    public static Hdbscan flame(int n) {
        return new Hdbscan(Math.max(2, n / 2 + 1), 1, true, SelectionMethod.EOM);
    }

    public int minClusterSize() {
        return minClusterSize;
    }

    public int minSamples() {
        return minSamples;
    }

    public boolean allowSingleCluster() {
        return allowSingleCluster;
    }

    /**
     * A flat clustering.
     *
     * @param labels        cluster label of each point (0, 1, ...), −1 for noise
     * @param clusterCount  number of clusters
     * @param coreDistances core distance of each point
     */
    public record Result(int[] labels, int clusterCount, double[] coreDistances) {

        /** Number of points per cluster label. */
        public int[] clusterSizes() {
            int[] sizes = new int[clusterCount];
            for (int l : labels) {
                if (l >= 0) {
                    sizes[l]++;
                }
            }
            return sizes;
        }

        /** Label of the largest cluster (lowest label on ties), or −1 when every point is noise. */
        public int largestCluster() {
            int[] sizes = clusterSizes();
            int best = -1;
            for (int c = 0; c < sizes.length; c++) {
                if (best < 0 || sizes[c] > sizes[best]) {
                    best = c;
                }
            }
            return best;
        }

        /** Indices of the points with the given label, increasing. */
        public int[] members(int label) {
            return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == label).toArray();
        }
    }

    /**
     * Clusters the points of a distance matrix.
     *
     * @param distances n×n symmetric matrix of finite, non-negative distances (diagonal not read; not modified)
     */
    public Result cluster(double[][] distances) {
        DistanceMatrices.check("HDBSCAN", distances);
        int n = distances.length;
        double[] core = coreDistances(distances, minSamples);
        if (n < 2) {
            return new Result(n == 0 ? new int[0] : new int[] {-1}, 0, core);
        }
        double[][] mst = primMinimumSpanningTree(mutualReachability(distances, core));
        sortEdgesStably(mst);
        double[][] hierarchy = singleLinkage(mst, n);
        CondensedTree tree = condense(hierarchy, n, minClusterSize);
        double[] stability = stability(tree);
        boolean[] selected = selection == SelectionMethod.EOM
            ? selectExcessOfMass(tree, stability, allowSingleCluster)
            : selectLeaves(tree);
        int[] labels = label(tree, selected, allowSingleCluster);
        int clusters = 0;
        for (boolean s : selected) {
            if (s) {
                clusters++;
            }
        }
        return new Result(labels, clusters, core);
    }

    /** Step 1: distance to the minSamples-th nearest other point (minSamples clamped to n − 1). */
    static double[] coreDistances(double[][] d, int minSamples) {
        int n = d.length;
        double[] core = new double[n];
        int m = Math.min(minSamples, n - 1);
        if (m < 1) {
            return core;
        }
        double[] others = new double[n - 1];
        for (int p = 0; p < n; p++) {
            int at = 0;
            for (int o = 0; o < n; o++) {
                if (o != p) {
                    others[at++] = d[p][o];
                }
            }
            Arrays.sort(others);
            core[p] = others[m - 1];
        }
        return core;
    }

    /** Step 2. */
    static double[][] mutualReachability(double[][] d, double[] core) {
        int n = d.length;
        double[][] mr = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                mr[i][j] = i == j ? core[i] : Math.max(d[i][j], Math.max(core[i], core[j]));
            }
        }
        return mr;
    }

    /**
     * Step 3 ({@code mst_linkage_core}): rows (from, to, distance) in the order Prim adds points; "from" is the
     * previously added point, which is what the package records (the single-linkage hierarchy is the same).
     */
    static double[][] primMinimumSpanningTree(double[][] mr) {
        int n = mr.length;
        double[][] edges = new double[n - 1][];
        boolean[] inTree = new boolean[n];
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        int current = 0;
        for (int step = 0; step < n - 1; step++) {
            inTree[current] = true;
            int next = -1;
            for (int j = 0; j < n; j++) {
                if (inTree[j]) {
                    continue;
                }
                double viaCurrent = mr[current][j];
                if (!(nearest[j] < viaCurrent)) {
                    nearest[j] = viaCurrent;
                }
                if (next < 0 || nearest[j] < nearest[next]) {
                    next = j;
                }
            }
            edges[step] = new double[] {current, next, nearest[next]};
            current = next;
        }
        return edges;
    }

    /** Edges by increasing distance, equal distances kept in Prim order. */
    private static void sortEdgesStably(double[][] edges) {
        Arrays.sort(edges, (a, b) -> Double.compare(a[2], b[2])); // object sort: stable (TimSort)
    }

    /** Step 4 ({@code label}): rows (left node, right node, distance, size); node ids ≥ n are merges. */
    static double[][] singleLinkage(double[][] sortedEdges, int n) {
        int[] parent = new int[2 * n - 1];
        int[] size = new int[2 * n - 1];
        Arrays.fill(parent, -1);
        Arrays.fill(size, 0, n, 1);
        double[][] hierarchy = new double[n - 1][];
        int nextLabel = n;
        for (int e = 0; e < n - 1; e++) {
            int a = find(parent, (int) sortedEdges[e][0]);
            int b = find(parent, (int) sortedEdges[e][1]);
            hierarchy[e] = new double[] {a, b, sortedEdges[e][2], size[a] + size[b]};
            parent[a] = nextLabel;
            parent[b] = nextLabel;
            size[nextLabel] = size[a] + size[b];
            nextLabel++;
        }
        return hierarchy;
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != -1) {
            x = parent[x];
        }
        return x;
    }

    /**
     * The condensed tree as rows (parent cluster, child, λ, child size); a child < n is a point, ≥ n a cluster.
     * The root cluster is n; new clusters are numbered n + 1, n + 2, ... in the order they are created.
     */
    record CondensedTree(int points, int[] parent, int[] child, double[] lambda, int[] childSize, int maxCluster) {
        int rows() {
            return parent.length;
        }
    }

    /** Step 5 ({@code condense_tree}): breadth-first from the root of the hierarchy. */
    static CondensedTree condense(double[][] hierarchy, int n, int minClusterSize) {
        int root = 2 * (n - 1);
        int[] relabel = new int[root + 1];
        boolean[] ignore = new boolean[root + 1];
        relabel[root] = n;
        int nextLabel = n + 1;
        List<double[]> rows = new ArrayList<>();
        for (int node : breadthFirst(hierarchy, root, n)) {
            if (ignore[node] || node < n) {
                continue;
            }
            double[] merge = hierarchy[node - n];
            int left = (int) merge[0];
            int right = (int) merge[1];
            double lambda = merge[2] > 0 ? 1.0 / merge[2] : Double.POSITIVE_INFINITY;
            int leftCount = left >= n ? (int) hierarchy[left - n][3] : 1;
            int rightCount = right >= n ? (int) hierarchy[right - n][3] : 1;
            int parentCluster = relabel[node];
            boolean leftBig = leftCount >= minClusterSize;
            boolean rightBig = rightCount >= minClusterSize;
            if (leftBig && rightBig) {
                relabel[left] = nextLabel++;
                rows.add(new double[] {parentCluster, relabel[left], lambda, leftCount});
                relabel[right] = nextLabel++;
                rows.add(new double[] {parentCluster, relabel[right], lambda, rightCount});
            } else {
                if (leftBig) {
                    relabel[left] = parentCluster;
                } else {
                    fallOut(hierarchy, left, n, parentCluster, lambda, rows, ignore);
                }
                if (rightBig) {
                    relabel[right] = parentCluster;
                } else {
                    fallOut(hierarchy, right, n, parentCluster, lambda, rows, ignore);
                }
            }
        }
        int m = rows.size();
        int[] parent = new int[m];
        int[] child = new int[m];
        double[] lambda = new double[m];
        int[] childSize = new int[m];
        for (int r = 0; r < m; r++) {
            double[] row = rows.get(r);
            parent[r] = (int) row[0];
            child[r] = (int) row[1];
            lambda[r] = row[2];
            childSize[r] = (int) row[3];
        }
        return new CondensedTree(n, parent, child, lambda, childSize, nextLabel - 1);
    }

    /** Every point below {@code node} leaves {@code parentCluster} at {@code lambda}. */
    private static void fallOut(double[][] hierarchy, int node, int n, int parentCluster, double lambda,
                                List<double[]> rows, boolean[] ignore) {
        for (int sub : breadthFirst(hierarchy, node, n)) {
            if (sub < n) {
                rows.add(new double[] {parentCluster, sub, lambda, 1});
            }
            ignore[sub] = true;
        }
    }

    /** Level-order walk of the hierarchy below {@code start}, left before right ({@code bfs_from_hierarchy}). */
    private static List<Integer> breadthFirst(double[][] hierarchy, int start, int n) {
        List<Integer> result = new ArrayList<>();
        List<Integer> level = List.of(start);
        while (!level.isEmpty()) {
            result.addAll(level);
            List<Integer> next = new ArrayList<>();
            for (int node : level) {
                if (node >= n) {
                    next.add((int) hierarchy[node - n][0]);
                    next.add((int) hierarchy[node - n][1]);
                }
            }
            level = next;
        }
        return result;
    }

    /**
     * Step 6 ({@code compute_stability}): indexed by cluster id − n. λ_birth(root) = 0; with λ = +∞ rows the
     * stability can be +∞ (or NaN for a cluster born at +∞), as in the package; the selection then follows
     * IEEE comparison rules exactly as the package does.
     */
    static double[] stability(CondensedTree tree) {
        int n = tree.points();
        int clusters = tree.maxCluster() - n + 1;
        double[] birth = new double[clusters];
        for (int r = 0; r < tree.rows(); r++) {
            if (tree.child()[r] >= n) {
                birth[tree.child()[r] - n] = tree.lambda()[r];
            }
        }
        birth[0] = 0.0;
        double[] stability = new double[clusters];
        for (int r = 0; r < tree.rows(); r++) {
            int p = tree.parent()[r] - n;
            stability[p] += (tree.lambda()[r] - birth[p]) * tree.childSize()[r];
        }
        return stability;
    }

    /** Step 7, excess of mass ({@code get_clusters}, 'eom'): indexed by cluster id − n. */
    static boolean[] selectExcessOfMass(CondensedTree tree, double[] stabilityIn, boolean allowSingleCluster) {
        int n = tree.points();
        double[] stability = stabilityIn.clone();
        int clusters = stability.length;
        boolean[] selected = new boolean[clusters];
        int lowest = allowSingleCluster ? 0 : 1;
        for (int c = lowest; c < clusters; c++) {
            selected[c] = true;
        }
        // Children before parents: a child cluster always has a larger id than its parent.
        for (int c = clusters - 1; c >= lowest; c--) {
            double childSum = 0;
            for (int r = 0; r < tree.rows(); r++) {
                if (tree.parent()[r] == c + n && tree.child()[r] >= n) {
                    childSum += stability[tree.child()[r] - n];
                }
            }
            double subtree = (float) childSum; // the package's `cdef float subtree_stability`
            if (subtree > stability[c]) {
                selected[c] = false;
                stability[c] = subtree;
            } else {
                for (int d : descendants(tree, c + n)) {
                    selected[d - n] = false;
                }
            }
        }
        return selected;
    }

    /**
     * Step 7, 'leaf': clusters without child clusters. When the root has no child clusters nothing is selected
     * (the package marks the root and then clears every cluster not among the (empty) set of leaves), so every
     * point is noise whatever allowSingleCluster says.
     */
    static boolean[] selectLeaves(CondensedTree tree) {
        int n = tree.points();
        int clusters = tree.maxCluster() - n + 1;
        boolean[] hasChildCluster = new boolean[clusters];
        for (int r = 0; r < tree.rows(); r++) {
            if (tree.child()[r] >= n) {
                hasChildCluster[tree.parent()[r] - n] = true;
            }
        }
        boolean[] selected = new boolean[clusters];
        for (int c = 1; c < clusters; c++) {
            selected[c] = !hasChildCluster[c];
        }
        return selected;
    }

    /** Cluster ids strictly below {@code cluster} in the cluster tree. */
    private static List<Integer> descendants(CondensedTree tree, int cluster) {
        int n = tree.points();
        List<Integer> result = new ArrayList<>();
        List<Integer> frontier = List.of(cluster);
        while (!frontier.isEmpty()) {
            List<Integer> next = new ArrayList<>();
            for (int r = 0; r < tree.rows(); r++) {
                if (tree.child()[r] >= n && frontier.contains(tree.parent()[r])) {
                    next.add(tree.child()[r]);
                }
            }
            result.addAll(next);
            frontier = next;
        }
        return result;
    }

    /** Step 8 ({@code do_labelling}, match_reference_implementation = False, epsilon = 0). */
    static int[] label(CondensedTree tree, boolean[] selected, boolean allowSingleCluster) {
        int n = tree.points();
        int clusters = selected.length;
        // Cluster label = rank of the cluster id among the selected ones.
        int[] labelOf = new int[clusters];
        int count = 0;
        for (int c = 0; c < clusters; c++) {
            labelOf[c] = selected[c] ? count++ : -1;
        }
        // Owner of each tree node: climb rows whose child is not a selected cluster.
        int[] parentOf = new int[tree.maxCluster() + 1];
        double[] lambdaOf = new double[tree.maxCluster() + 1];
        Arrays.fill(parentOf, -1);
        for (int r = 0; r < tree.rows(); r++) {
            parentOf[tree.child()[r]] = tree.parent()[r];
            lambdaOf[tree.child()[r]] = tree.lambda()[r];
        }
        double rootMaxLambda = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < tree.rows(); r++) {
            if (tree.parent()[r] == n) {
                rootMaxLambda = Math.max(rootMaxLambda, tree.lambda()[r]);
            }
        }
        int[] labels = new int[n];
        for (int p = 0; p < n; p++) {
            int node = p;
            while (parentOf[node] >= 0 && !(node >= n && selected[node - n])) {
                node = parentOf[node];
            }
            if (node < n) {
                labels[p] = -1; // never reached a cluster (cannot happen in a complete tree)
            } else if (node == n) {
                boolean onlyRoot = selected[0] && count == 1;
                labels[p] = onlyRoot && allowSingleCluster && lambdaOf[p] >= rootMaxLambda ? labelOf[0] : -1;
            } else {
                labels[p] = labelOf[node - n];
            }
        }
        return labels;
    }
}
