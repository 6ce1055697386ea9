"""Reference values for FlameTest: run with `python3 flame_reference.py` (numpy only).

FLAME's selection on FlameTest.W / FlameTest.G (copied below): cosine distances over the 6 trainable
coordinates, HDBSCAN in FLAME's setting (min_cluster_size floor(n/2)+1, min_samples 1, allow_single_cluster) from
../../detect/reference/hdbscan_reference.py, the clipping bound S = np.median of the trainable norms (all clients or
the admitted ones), and the clustering of the whole models G + W_i at FlameTest's shifted G. Prints each value,
compares it with the value stored in the test and exits 1 on any difference.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "detect", "reference"))
import hdbscan_reference as h  # noqa: E402

W = np.array([[3, 0.3, 0, 0, 0, 0], [4, 0, 0.4, 0, 0, 0], [5, -0.5, 0, 0, 0, 0], [2, 2, 0, 0.2, 0, 0],
              [2, 2, 0, -0.2, 0, 0], [2, 2, 0.2, 0, 0, 0], [0, 0, 0, 0, 10, 0], [0, 0, 0, 0, 10, 1]])
SHIFTED_G = np.array([-3, -2, 0, 0, 0, 0])  # trainable part of FlameTest's `shifted`


def main():
    bad = 0

    def check(name, got, stored, tol=None):
        nonlocal bad
        ok = (abs(got - stored) <= tol) if tol is not None else got == stored
        bad += not ok
        print(f"{name}: {'ok ' if ok else 'DIFF'} {got!r}" + ("" if ok else f" stored {stored!r}"))

    labels = h.flame(h.cosine_distances(W)).tolist()
    check("selectsTheBenignClusterAndClipsToTheMedianNorm labels", labels, [0, 0, 0, 0, 0, 0, -1, -1])
    norms = np.linalg.norm(W, axis=1)
    s = float(np.median(norms))
    check("selectsTheBenignClusterAndClipsToTheMedianNorm bound np.median(norms)", s, 3.5174564673923117, 1e-15)
    admitted = [i for i, lab in enumerate(labels) if lab == 0]
    check("medianOverAdmittedAndWholeModels admitted bound", float(np.median(norms[admitted])),
          (norms[3] + norms[0]) / 2, 1e-15)
    models = SHIFTED_G[np.newaxis, :] + W
    check("medianOverAdmittedAndWholeModels shifted models", h.flame(h.cosine_distances(models)).tolist(),
          [-1, -1, -1, 0, 0, 0, 0, 0])
    check("medianOverAdmittedAndWholeModels models at G = 0", h.flame(h.cosine_distances(W)).tolist(), labels)
    print("all match" if bad == 0 else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
