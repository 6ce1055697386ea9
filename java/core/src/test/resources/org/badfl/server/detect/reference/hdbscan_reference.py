"""Reference labels for HdbscanTest (and the HDBSCAN step of FlameTest): run with `python3 hdbscan_reference.py`.

A plain-numpy re-statement of the `hdbscan` package's precomputed-distance path (scikit-learn-contrib/hdbscan
0.8.x: `mutual_reachability`, `mst_linkage_core` (Prim from point 0), stable (mergesort) argsort of the MST edges,
`label` (single linkage by union-find), `condense_tree`, `compute_stability`, `get_clusters` with
cluster_selection_method 'eom' or 'leaf', allow_single_cluster, epsilon 0, and `do_labelling`). Neither the
package nor scikit-learn >= 1.3 is needed; only numpy.

It recomputes the labels of HdbscanTest.EXPECTED from HdbscanTest.CASES (copied below), plus the hand-worked
configurations of the other HdbscanTest methods, compares them with the values stored in the test, prints every
result, and exits 1 on any difference.
"""
import sys

import numpy as np


def mutual_reachability(d, min_samples):
    """Core distance of i = its min_samples-th nearest other point (the column's (min_samples)-th smallest value,
    the zero diagonal being the 0th), clamped to n - 1; mreach(i, j) = max(core_i, core_j, d_ij)."""
    n = d.shape[0]
    k = min(n - 1, min_samples)
    core = np.partition(d, k, axis=0)[k]
    m = np.maximum(d, core[np.newaxis, :])
    m = np.maximum(m, core[:, np.newaxis])
    return m, core


def prim_mst(m):
    """Prim from node 0 on a dense matrix; the next node is the first argmin among the remaining labels (in
    increasing label order), as the package's mst_linkage_core. Rows: (from, to, distance)."""
    n = m.shape[0]
    edges = np.zeros((n - 1, 3))
    remaining = np.arange(n)
    best = np.full(n, np.inf)
    current = 0
    for step in range(1, n):
        keep = remaining != current
        remaining = remaining[keep]
        best = np.minimum(best[keep], m[current][remaining])  # package: where(left < right, left, right)
        at = int(np.argmin(best))
        edges[step - 1] = (current, remaining[at], best[at])
        current = int(remaining[at])
    return edges


def single_linkage(edges, n):
    """scipy-style linkage rows (a, b, distance, size) from MST edges sorted stably by distance."""
    edges = edges[np.argsort(edges[:, 2], kind="mergesort")]
    parent = -np.ones(2 * n - 1, dtype=np.int64)
    size = np.concatenate([np.ones(n, dtype=np.int64), np.zeros(n - 1, dtype=np.int64)])
    nxt = n

    def find(x):
        root = x
        while parent[root] != -1:
            root = parent[root]
        while x != root and parent[x] != root:  # path compression, as fast_find
            parent[x], x = root, parent[x]
        return root

    out = np.zeros((n - 1, 4))
    for r, (a, b, dist) in enumerate(edges):
        ra, rb = find(int(a)), find(int(b))
        out[r] = (ra, rb, dist, size[ra] + size[rb])
        size[nxt] = size[ra] + size[rb]
        parent[ra] = nxt
        parent[rb] = nxt
        nxt += 1
    return out


def bfs(hierarchy, root, n):
    """Nodes of the linkage tree below root, breadth first (root included)."""
    out, todo = [], [root]
    while todo:
        out.extend(todo)
        todo = [int(c) for x in todo if x >= n for c in hierarchy[x - n, :2]]
    return out


def condense_tree(hierarchy, min_cluster_size):
    """Rows (parent, child, lambda, child_size); a side smaller than min_cluster_size falls out point by point."""
    n = hierarchy.shape[0] + 1
    root = 2 * (n - 1)
    relabel = np.zeros(root + 1, dtype=np.int64)
    relabel[root] = n
    next_label = n + 1
    ignore = np.zeros(root + 1, dtype=bool)
    rows = []
    for node in bfs(hierarchy, root, n):
        if ignore[node] or node < n:
            continue
        left, right, dist, _ = hierarchy[node - n]
        left, right = int(left), int(right)
        lam = 1.0 / dist if dist > 0.0 else np.inf
        lc = int(hierarchy[left - n, 3]) if left >= n else 1
        rc = int(hierarchy[right - n, 3]) if right >= n else 1
        if lc >= min_cluster_size and rc >= min_cluster_size:
            relabel[left] = next_label
            next_label += 1
            rows.append((relabel[node], relabel[left], lam, lc))
            relabel[right] = next_label
            next_label += 1
            rows.append((relabel[node], relabel[right], lam, rc))
            continue
        for side, count, other in ((left, lc, right), (right, rc, left)):
            if count < min_cluster_size:
                for sub in bfs(hierarchy, side, n):
                    if sub < n:
                        rows.append((relabel[node], sub, lam, 1))
                    ignore[sub] = True
            else:
                relabel[side] = relabel[node]
    return np.array(rows, dtype=[("parent", np.int64), ("child", np.int64), ("lambda", float),
                                 ("child_size", np.int64)])


def compute_stability(tree):
    """stability(C) = sum over C's rows of (lambda - birth(C)) * child_size; birth = smallest lambda at which C
    appears as a child, 0 for the root."""
    root = int(tree["parent"].min())
    largest = max(int(tree["child"].max()), root)
    birth = np.full(largest + 1, np.nan)
    for child in np.unique(tree["child"]):
        birth[child] = tree["lambda"][tree["child"] == child].min()
    birth[root] = 0.0
    stability = {}
    for c in range(root, int(tree["parent"].max()) + 1):
        stability[c] = 0.0
    with np.errstate(invalid="ignore"):
        for p, lam, size in zip(tree["parent"], tree["lambda"], tree["child_size"]):
            stability[int(p)] += (lam - birth[p]) * size
    return stability


def cluster_descendants(cluster_tree, node):
    out, todo = [], [node]
    while todo:
        out.extend(todo)
        todo = [int(c) for c in cluster_tree["child"][np.isin(cluster_tree["parent"], todo)]]
    return out


def get_clusters(tree, stability, method, allow_single_cluster):
    nodes = sorted(stability.keys(), reverse=True)
    if not allow_single_cluster:
        nodes = nodes[:-1]  # the root is no candidate
    cluster_tree = tree[tree["child_size"] > 1]
    is_cluster = {c: True for c in nodes}
    if method == "eom":
        for node in nodes:
            kids = cluster_tree["child"][cluster_tree["parent"] == node]
            subtree = float(np.sum([stability[int(k)] for k in kids]))
            if subtree > stability[node]:
                is_cluster[node] = False
                stability[node] = subtree
            else:
                for sub in cluster_descendants(cluster_tree, node):
                    if sub != node:
                        is_cluster[sub] = False
    else:  # leaf: clusters without cluster children; none when the root never splits
        parents = set(int(p) for p in cluster_tree["parent"])
        leaves = set(int(c) for c in cluster_tree["child"] if int(c) not in parents)
        for c in is_cluster:
            is_cluster[c] = c in leaves
    return sorted(c for c in is_cluster if is_cluster[c])


def do_labelling(tree, clusters, allow_single_cluster):
    root = int(tree["parent"].min())
    size = int(tree["parent"].max()) + 1
    uf_parent = np.arange(size)
    uf_rank = np.zeros(size, dtype=np.int64)

    def find(x):
        while uf_parent[x] != x:
            uf_parent[x] = uf_parent[uf_parent[x]]
            x = uf_parent[x]
        return x

    for p, c in zip(tree["parent"], tree["child"]):
        if int(c) not in clusters:
            a, b = find(int(p)), find(int(c))
            if uf_rank[a] < uf_rank[b]:
                uf_parent[a] = b
            elif uf_rank[a] > uf_rank[b]:
                uf_parent[b] = a
            else:
                uf_parent[b] = a
                uf_rank[a] += 1
    label_of = {c: i for i, c in enumerate(sorted(clusters))}
    labels = np.full(root, -1, dtype=np.int64)
    root_max_lambda = tree["lambda"][tree["parent"] == root].max()
    for i in range(root):
        c = int(find(i))
        if c < root:
            labels[i] = -1
        elif c == root:
            if len(clusters) == 1 and allow_single_cluster \
                    and tree["lambda"][tree["child"] == i][0] >= root_max_lambda:
                labels[i] = label_of[c]
            else:
                labels[i] = -1
        else:
            labels[i] = label_of[c]
    return labels


def hdbscan(d, min_cluster_size, min_samples, allow_single_cluster, method="eom"):
    d = np.asarray(d, dtype=float)
    n = d.shape[0]
    if n == 1:
        return np.array([-1])
    m, _ = mutual_reachability(d, min_samples)
    tree = condense_tree(single_linkage(prim_mst(m), n), min_cluster_size)
    stability = compute_stability(tree)
    clusters = get_clusters(tree, stability, method, allow_single_cluster)
    return do_labelling(tree, set(clusters), allow_single_cluster)


def flame(d):
    """FLAME's setting (Hdbscan.flame(n)): min_cluster_size floor(n/2)+1, min_samples 1, allow_single_cluster."""
    n = len(d)
    return hdbscan(d, n // 2 + 1, 1, True)


def cosine_distances(v):
    """1 - clip(g_ij / sqrt(g_ii g_jj), -1, 1) off the diagonal, 0 on it (GramMatrix.cosineDistances)."""
    v = np.asarray(v, dtype=float)
    g = v @ v.T
    norms = np.sqrt(np.diag(g))
    d = 1.0 - np.clip(g / np.outer(norms, norms), -1.0, 1.0)
    np.fill_diagonal(d, 0.0)
    return d


def euclidean(points):
    p = np.asarray(points, dtype=float)
    return np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))


def line(*xs):
    return euclidean([[x] for x in xs])


# HdbscanTest.CASES (cosine distances of random update-like vectors rounded to 2 decimals).
CASES = [
    [[1.42, 0.81, -0.53, -1.38, 0.31], [1.23, 1.02, -1.36, -1.63, 0.34], [1.2, 0.99, -0.92, -1.59, -0.01],
     [1.58, 1.27, -1.1, -1.31, 0.08], [1.77, 1.21, -0.48, -1.59, 0.43], [0.74, 0.22, 2.17, 0.62, 0.52],
     [0.44, -0.12, 2.0, 0.4, 0.87], [1.42, 0.47, 1.47, 0.87, 0.87]],
    [[-0.36, 0.93, 0.99, 1.4, -1.35], [0.55, 1.59, 1.35, 0.21, -1.14], [1.2, 1.39, 1.59, 1.11, -0.23],
     [-0.13, 0.97, 1.23, 0.55, -0.39], [0.13, 1.48, 1.35, 1.45, -1.19], [-0.27, 1.87, 1.2, 0.93, -1.3],
     [0.03, 1.59, 0.47, 0.29, -0.61], [1.37, 1.61, 1.23, 0.2, -0.63], [-1.48, 1.31, 1.07, 0.4, 0.53],
     [-1.47, 1.32, 1.31, 0.99, -1.83], [-0.33, -0.29, -0.29, -0.49, -0.67]],
    [[0.14, 1.07, 0.92, -0.41, -1.67], [-2.67, -0.62, 0.26, -2.36, -2.11], [0.44, 1.21, 0.81, 1.91, -0.25],
     [-1.45, -0.05, 0.25, 0.12, -2.36], [0.8, 0.92, -1.12, 0.97, -2.43], [1.24, 0.74, 0.27, 2.01, -0.89],
     [0.22, 0.43, 2.82, 1.44, -0.83], [0.4, 0.74, 0.55, -1.5, -0.9]],
    [[-2.04, -0.96, -0.13, 0.1, 1.91], [-1.43, -0.59, -0.04, 0.5, 1.41], [-0.77, -1.24, -0.3, 0.02, 2.09],
     [-1.74, -0.95, -0.59, -0.09, 1.56], [-1.3, -0.93, -0.76, 0.24, 1.72], [-1.14, -0.89, -0.31, 0.59, 1.43],
     [-1.38, -0.75, -0.68, 0.29, 2.06], [0.69, -2.38, 0.93, 0.16, -1.38], [-0.12, -1.85, 0.46, -0.0, -1.39],
     [-0.06, -1.88, 0.91, 0.04, -1.94]],
    [[0.2, -0.73, 1.08, 1.97, 2.28], [0.52, 0.26, 0.14, 0.58, 0.04], [-0.01, 0.8, 0.03, 0.31, 0.82],
     [1.88, 1.34, 0.91, 0.83, 0.05], [0.63, -0.11, 0.53, 1.51, 0.48], [1.53, 0.19, 0.1, 0.24, 0.87],
     [0.55, -0.01, -0.22, 0.38, 2.65], [0.31, 0.75, 0.09, -1.65, 3.52], [-1.27, -1.31, -0.68, 1.63, -0.07]],
    [[-0.61, 0.58, -0.05, -0.08, 0.52], [-0.34, -0.02, 0.61, 0.86, -0.15], [-0.89, -0.07, 0.1, 0.81, -0.01],
     [-1.2, 0.54, -0.13, 0.53, -0.07], [-1.12, -0.17, -0.1, 0.43, -0.05], [-0.55, 0.64, -0.17, 0.6, 0.02],
     [-1.7, 0.77, 0.77, 1.13, -1.21], [-0.76, -0.58, 0.62, -0.31, -0.83]],
]

# HdbscanTest.EXPECTED: per case (FLAME) / (2, 1, no single) / (3, 2, no single).
EXPECTED = [
    [[0, 0, 0, 0, 0, -1, -1, -1], [1, 2, 2, 2, 1, 0, 0, 0], [0, 0, 0, 0, 0, 1, 1, 1]],
    [[0, -1, -1, 0, 0, 0, 0, -1, -1, 0, -1], [0, 1, 1, 0, 0, 0, 0, 1, -1, 0, -1],
     [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]],
    [[0, 0, 0, 0, 0, 0, 0, 0], [1, 2, 0, 2, 0, 0, 0, 1], [0, -1, 1, 0, 0, 1, 1, -1]],
    [[0, 0, -1, 0, 0, 0, 0, -1, -1, -1], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]],
    [[0, 0, -1, 0, 0, 0, -1, -1, -1], [0, 0, -1, 0, 0, 0, 1, 1, -1], [-1, -1, -1, -1, -1, -1, -1, -1, -1]],
    [[-1, -1, 0, 0, 0, 0, 0, -1], [-1, -1, 1, 0, 1, 0, -1, -1], [-1, -1, -1, -1, -1, -1, -1, -1]],
]

TWO_GROUPS_AND_OUTLIER = [[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10], [50, 50]]

# The hand-worked configurations of HdbscanTest (method name, computed, stored).
HAND_WORKED = [
    ("twoSeparatedGroupsAndAnOutlier", lambda: hdbscan(euclidean(TWO_GROUPS_AND_OUTLIER), 3, 1, False),
     [0, 0, 0, 1, 1, 1, -1]),
    ("twoSeparatedGroupsAndAnOutlier leaf", lambda: hdbscan(euclidean(TWO_GROUPS_AND_OUTLIER), 3, 1, False, "leaf"),
     [0, 0, 0, 1, 1, 1, -1]),
    ("flameConfigurationSelectsTheRootAsOneCluster", lambda: flame(euclidean(TWO_GROUPS_AND_OUTLIER)),
     [0, 0, 0, 0, 0, 0, -1]),
    ("singleClusterOrAllNoise (no single)", lambda: hdbscan(line(0, 1, 3, 7), 3, 1, False), [-1, -1, -1, -1]),
    ("singleClusterOrAllNoise (single)", lambda: hdbscan(line(0, 1, 3, 7), 3, 1, True), [0, 0, 0, -1]),
    ("singleClusterOrAllNoise (single, leaf)", lambda: hdbscan(line(0, 1, 3, 7), 3, 1, True, "leaf"),
     [-1, -1, -1, -1]),
    ("equalDistances (single)", lambda: hdbscan(1 - np.eye(5), 3, 1, True), [0, 0, 0, 0, 0]),
    ("equalDistances (no single)", lambda: hdbscan(1 - np.eye(5), 3, 1, False), [-1, -1, -1, -1, -1]),
    ("duplicates (single)", lambda: hdbscan(np.zeros((4, 4)), 3, 1, True), [0, 0, 0, 0]),
    ("duplicates (no single)", lambda: hdbscan(np.zeros((4, 4)), 3, 1, False), [-1, -1, -1, -1]),
    ("duplicates (two groups)", lambda: hdbscan(line(0, 0, 0, 10, 10, 10), 3, 1, False), [0, 0, 0, 1, 1, 1]),
    ("duplicates (six copies, no single)", lambda: hdbscan(line(0, 0, 0, 0, 0, 0, 10), 3, 1, False),
     [-1, -1, -1, -1, -1, -1, -1]),
    ("duplicates (six copies, single)", lambda: hdbscan(line(0, 0, 0, 0, 0, 0, 10), 3, 1, True),
     [0, 0, 0, 0, 0, 0, -1]),
    ("equalMergeDistancesFollowThePackagesOrder",
     lambda: hdbscan(line(0, 1, 2, 12, 22, 23, 24), 3, 1, False), [0, 0, 0, 0, 1, 1, 1]),
    ("equalMergeDistancesFollowThePackagesOrder (12 first)",
     lambda: hdbscan(line(12, 0, 1, 2, 22, 23, 24), 3, 1, False), [0, 0, 0, 0, 1, 1, 1]),
    ("tinyInputs (one point)", lambda: flame(np.zeros((1, 1))), [-1]),
    ("tinyInputs (two points)", lambda: flame(line(0, 3)), [0, 0]),
]


def main():
    bad = 0
    for c, v in enumerate(CASES):
        d = cosine_distances(v)
        got = [flame(d).tolist(), hdbscan(d, 2, 1, False).tolist(), hdbscan(d, 3, 2, False).tolist()]
        for name, g, e in zip(("FLAME", "(2,1)", "(3,2)"), got, EXPECTED[c]):
            ok = g == e
            bad += not ok
            print(f"case {c} {name:6s} {'ok ' if ok else 'DIFF'} {g}" + ("" if ok else f" stored {e}"))
    core = mutual_reachability(line(0, 1, 3, 6), 2)[1].tolist()
    core_all = mutual_reachability(line(0, 1, 3, 6), 9)[1].tolist()
    for name, got, stored in [("minSamplesExcludesThePoint", core, [3, 2, 3, 5]),
                              ("minSamplesExcludesThePoint (clamped)", core_all, [6, 5, 3, 6])]:
        ok = got == stored
        bad += not ok
        print(f"{name}: {'ok ' if ok else 'DIFF'} {got}")
    for name, compute, stored in HAND_WORKED:
        got = compute().tolist()
        ok = got == stored
        bad += not ok
        print(f"{name}: {'ok ' if ok else 'DIFF'} {got}" + ("" if ok else f" stored {stored}"))
    print("all match" if bad == 0 else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
