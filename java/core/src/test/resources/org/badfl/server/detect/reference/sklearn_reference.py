"""Reference values for KMeansTest and LocalOutlierFactorTest: run with `python3 sklearn_reference.py`.

The tests were first written against scikit-learn 1.2.1, which is not installable on this machine; this script
re-states the two scikit-learn algorithms they use in plain numpy, so the stored values can be re-derived:

* `KMeans(n_clusters=k, init=<array>, n_init=1, tol=0, algorithm='lloyd')`: sklearn's `_kmeans_single_lloyd`
  (labels_old starts at -1; stop on identical labels ("strict convergence") or a centre shift <= tol; n_iter_ =
  iterations run; empty clusters relocated as `_relocate_empty_clusters_dense`: onto the points farthest from
  their old centre, the point keeping its label for that iteration).
* `LocalOutlierFactor(n_neighbors=k, metric='precomputed')`: k nearest other points (stable order on ties),
  reach-dist(a, b) = max(d(a, b), k-dist(b)), lrd = 1 / (mean reach-dist + 1e-10), LOF = mean lrd(neighbours) / lrd;
  the test's values are LOF = -negative_outlier_factor_.

Prints each value next to the one stored in the test and exits 1 on any difference beyond the test's tolerance.
"""
import sys

import numpy as np


def kmeans_lloyd(x, init, max_iter=300, tol=0.0):
    """Returns (labels, n_iter, inertia, centres) as sklearn's lloyd path with sample weights 1."""
    x = np.asarray(x, dtype=float)
    centres = np.array(init, dtype=float)
    k = centres.shape[0]
    labels_old = np.full(x.shape[0], -1)
    strict = False
    for it in range(max_iter):
        d2 = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        labels = np.argmin(d2, axis=1)
        sums = np.zeros_like(centres)
        weight = np.zeros(k)
        for i, lab in enumerate(labels):
            sums[lab] += x[i]
            weight[lab] += 1
        empty = np.where(weight == 0)[0]
        if len(empty) > 0:
            far = ((x - centres[labels]) ** 2).sum(axis=1)
            farthest = np.argsort(-far, kind="stable")[:len(empty)]
            for cluster, i in zip(empty, farthest):
                sums[labels[i]] -= x[i]
                weight[labels[i]] -= 1
                sums[cluster] = x[i]
                weight[cluster] = 1
        new = np.where(weight[:, None] > 0, sums / np.maximum(weight, 1)[:, None], centres)
        shift = ((new - centres) ** 2).sum()
        centres = new
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:
        labels = np.argmin(((x[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
    inertia = float(((x - centres[labels]) ** 2).sum())
    return labels, it + 1, inertia, centres


def lof(d, k):
    """LOF scores (= -negative_outlier_factor_) on a precomputed distance matrix."""
    d = np.asarray(d, dtype=float)
    n = d.shape[0]
    neighbours = np.zeros((n, k), dtype=int)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        order = sorted(others, key=lambda j: d[i, j])  # Python's sort is stable
        neighbours[i] = order[:k]
    k_dist = np.array([d[i, neighbours[i, -1]] for i in range(n)])
    lrd = np.zeros(n)
    for i in range(n):
        reach = np.maximum(d[i, neighbours[i]], k_dist[neighbours[i]])
        lrd[i] = 1.0 / (reach.mean() + 1e-10)
    return np.array([lrd[neighbours[i]].mean() / lrd[i] for i in range(n)])


def euclidean(points):
    p = np.asarray(points, dtype=float)
    return np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))


def kmeans_x():
    """KMeansTest.X's recipe: three blobs around (0,0), (6,1), (2,7) of 5, 4 and 3 points, rounded to 2 decimals."""
    rng = np.random.default_rng(11)
    x = np.vstack([rng.normal(size=(5, 2)) + [0, 0], rng.normal(size=(4, 2)) + [6, 1],
                   rng.normal(size=(3, 2)) + [2, 7]])
    return np.round(x, 2)


def lof_x():
    """LocalOutlierFactorTest's recipe (see its comment)."""
    rng = np.random.default_rng(7)
    x = np.round(rng.normal(size=(8, 2)) * 3, 2)
    x[7] = [9.5, -8.25]
    return x


# KMeansTest.X (stored)
KMEANS_X = [[0.03, 1.36], [1.22, -0.51], [-0.3, -0.53], [0.57, -0.06], [0.75, -1.85], [7.57, 0.9], [6.68, 0.86],
            [5.62, 1.46], [6.82, 0.8], [1.85, 7.69], [1.13, 5.49], [2.39, 6.33]]
# LocalOutlierFactorTest.matchesScikitLearnWithoutTies
LOF_X = [[0.0, 0.9], [-0.82, -2.67], [-1.36, -2.97], [0.18, 4.02], [-1.48, -1.86], [1.47, 1.07], [0.32, -2.79],
         [9.5, -8.25]]
LOF_STORED = [1.5763987522012826, 1.1554697534787648, 1.0145901701295765, 1.5763987522012826, 0.9273528430006363,
              1.5763987522012826, 0.9273528430006363, 6.578196993851719]


class Checker:
    def __init__(self):
        self.bad = 0

    def check(self, name, got, stored, tol=0.0):
        got_a, stored_a = np.asarray(got, dtype=float), np.asarray(stored, dtype=float)
        ok = got_a.shape == stored_a.shape and bool(np.all(np.abs(got_a - stored_a) <= np.asarray(tol)))
        self.bad += not ok
        shown = got.tolist() if isinstance(got, np.ndarray) else got
        print(f"{name}: {'ok ' if ok else 'DIFF'} {shown!r}" + ("" if ok else f" stored {stored!r}"))


def main():
    c = Checker()
    c.check("KMeansTest.X from its recipe", kmeans_x(), KMEANS_X)
    c.check("LocalOutlierFactorTest points from its recipe", lof_x(), LOF_X)
    x = np.array(KMEANS_X)
    labels, n_iter, inertia, centres = kmeans_lloyd(x, x[[0, 1, 2]])
    c.check("KMeansTest.lloydMatchesScikitLearnFromFixedCentres labels", labels, [2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0])
    c.check("  n_iter_", n_iter, 3)
    c.check("  inertia_", inertia, 12.227641666666667, 1e-12)
    c.check("  centres", centres, [[1.79, 6.503333333333333], [6.672499999999999, 1.005],
                                   [0.45399999999999974, -0.3180000000000003]], 1e-12)
    labels, n_iter, inertia, _ = kmeans_lloyd(x, [[0, 0], [6, 1], [100, 100]])
    c.check("KMeansTest.emptyClusterIsRelocatedDeterministically labels", labels, [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
    c.check("  n_iter_", n_iter, 3)
    c.check("  inertia_", inertia, 12.227641666666667, 1e-12)
    scores = lof(euclidean(LOF_X), 3)
    c.check("LocalOutlierFactorTest.matchesScikitLearnWithoutTies LOF", scores, LOF_STORED,
            1e-12 + 1e-9 * np.array(LOF_STORED))
    print("all match" if c.bad == 0 else f"{c.bad} differences")
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(main())
