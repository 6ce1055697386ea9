"""Reference values for LmcaTest: run with `python3 lmca_reference.py` (numpy only).

LmcaTest was first checked against scikit-learn 1.2.1 (`LocalOutlierFactor(n_neighbors=5, metric='precomputed')`
on 1 - cos, and `KMeans(4, init=U[[0,1,2,3]], n_init=1, tol=0, algorithm='lloyd')` on the unit vectors of the
seven inliers). This script recomputes both with the numpy re-statements of those algorithms in
../../detect/reference/sklearn_reference.py, from LmcaTest.V (copied below, as the float32 values the test
uses), prints them next to the stored values and exits 1 on any difference beyond the test's tolerance.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "detect", "reference"))
import sklearn_reference as sk  # noqa: E402

V = np.array([
    [1.0, 0.20, 0.10, 0.00],
    [0.9, 0.25, 0.05, 0.02],
    [1.1, 0.15, 0.12, -0.01],
    [0.95, 0.30, 0.08, 0.03],
    [1.05, 0.10, 0.20, 0.00],
    [0.8, 0.22, 0.02, 0.05],
    [1.2, 0.28, 0.15, -0.02],
    [-0.5, 1.0, 0.3, 0.2],
    [0.1, -0.3, 1.0, 0.8],
], dtype=np.float32).astype(np.float64)

LOF_STORED = [1.057419898729723, 0.9789462051688211, 1.0662320938390755, 0.9083427815753236, 1.4004500691298496,
              0.9083427815753236, 1.0310091408281, 76.08921663647644, 66.15598218954692]


def cosine_distances(v):
    g = v @ v.T
    norms = np.sqrt(np.diag(g))
    d = 1.0 - np.clip(g / np.outer(norms, norms), -1.0, 1.0)
    np.fill_diagonal(d, 0.0)
    return d


def main():
    c = sk.Checker()
    n = len(V)
    k = max(2, -(-n // 2))  # Lmca's k = max(2, ceil(n/2))
    c.check("LmcaTest k", k, 5)
    scores = sk.lof(cosine_distances(V), k)
    c.check("LmcaTest.lofOutliersMatchScikitLearn LOF", scores, LOF_STORED, 1e-8 + 1e-8 * np.array(LOF_STORED))
    c.check("  outliers (LOF > 1.5)", np.where(scores > 1.5)[0], [7, 8])
    u = V[:7] / np.linalg.norm(V[:7], axis=1, keepdims=True)
    labels, _, inertia, _ = sk.kmeans_lloyd(u, u[[0, 1, 2, 3]])
    c.check("LmcaTest.kMeansOnTheEmbeddingIsKMeansOnTheUnitVectors labels", labels, [0, 1, 2, 3, 2, 1, 0])
    c.check("  inertia", inertia, 0.0061101039151331355, 1e-12)
    print("all match" if c.bad == 0 else f"{c.bad} differences")
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(main())
