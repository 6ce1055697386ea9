"""Reference values for DatasetSourceTest: run with `python3 dataset_reference.py [fashion-mnist folder]` (numpy).

Reads the committed embedded MNIST files (java/sim/src/main/resources/org/badfl/data/mnist-embedded/*.gz) and, when
present, the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist), and recomputes the values the test
stores: sizes, class histograms, byte sums (sum of all pixel bytes), the first labels, one pixel, and the training
split's pixel mean and standard deviation (of byte / 255 over every pixel, population std). Prints each value next
to the stored one and exits 1 on any difference.
"""
import gzip
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EMBEDDED = os.path.join(HERE, *[".."] * 6, "main", "resources", "org", "badfl", "data", "mnist-embedded")


def idx(path):
    """IDX file (gzip): magic 0x0803 (images, n x rows x cols) or 0x0801 (labels), big-endian header."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder):
    return (idx(os.path.join(folder, "train-images-idx3-ubyte.gz")), idx(os.path.join(folder, "train-labels-idx1-ubyte.gz")),
            idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz")), idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")))


def main():
    bad = 0

    def check(name, got, stored, tol=0):
        nonlocal bad
        ok = (abs(got - stored) <= tol) if tol else got == stored
        bad += not ok
        print(f"{name}: {'ok ' if ok else 'DIFF'} {got!r}" + ("" if ok else f" stored {stored!r}"))

    xtr, ytr, xte, yte = load(EMBEDDED)
    check("mnist-embedded train size", len(ytr), 8000)
    check("mnist-embedded test size", len(yte), 2000)
    check("train class histogram", np.bincount(ytr, minlength=10).tolist(),
          [801, 902, 793, 826, 784, 690, 811, 856, 755, 782])
    check("test class histogram", np.bincount(yte, minlength=10).tolist(),
          [200, 225, 198, 206, 196, 173, 203, 214, 189, 196])
    check("train byte sum", int(xtr.astype(np.int64).sum()), 209860853)
    check("test byte sum", int(xte.astype(np.int64).sum()), 52285747)
    check("first 12 train labels", ytr[:12].tolist(), [1, 7, 3, 6, 0, 2, 4, 9, 8, 5, 1, 7])
    check("train pixel (image 0, row 14, column 12) byte", int(xtr[0, 14, 12]), 80)
    pixels = xtr.astype(np.float64) / 255.0
    check("train mean", float(pixels.mean()), 0.1312155, 1e-6)
    check("train std", float(pixels.std()), 0.3087914, 1e-6)

    fashion = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    if os.path.exists(os.path.join(fashion, "train-images-idx3-ubyte.gz")):
        xtr, ytr, xte, yte = load(fashion)
        check("fashion-mnist train size", len(ytr), 60000)
        check("fashion-mnist test size", len(yte), 10000)
        check("fashion-mnist first 10 train labels", ytr[:10].tolist(), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        check("fashion-mnist train byte sum", int(xtr.astype(np.int64).sum()), 3431114169)
        check("fashion-mnist test byte sum", int(xte.astype(np.int64).sum()), 573469082)
    else:
        print(f"fashion-mnist: not found in {fashion}, skipped")
    print("all match" if bad == 0 else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
