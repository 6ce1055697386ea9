"""Reference values for DHashTest.fractionalAreaAveragingMatchesNumpy: run with `python3 dhash_reference.py`.

An independent area average in numpy (no interval arithmetic): each pixel of the 28x28 map is repeated 8 times
vertically and 9 times horizontally (224x252), and the result is averaged over 28x28 blocks, which is exactly the
8-row x 9-column area average. dHash bit 8r + c (bit 0 least significant) = small[r][c+1] > small[r][c]. Prints
the hash and the two shrunk pixels the test checks, and exits 1 if they differ from the stored values.
"""
import sys

import numpy as np


def test_map():
    """DHashTest's map: (((y*31 + x*17) mod 23) / 22 + 0.01 x), stored as float32 as in the test."""
    y, x = np.mgrid[0:28, 0:28]
    return ((((y * 31 + x * 17) % 23) / 22.0) + 0.01 * x).astype(np.float32)


def shrink(m, rows=8, cols=9):
    h, w = m.shape
    big = np.repeat(np.repeat(m.astype(np.float64), rows, axis=0), cols, axis=1)
    return big.reshape(rows, h, cols, w).mean(axis=(1, 3))


def dhash(m):
    small = shrink(m)
    bits = 0
    for r in range(8):
        for c in range(8):
            if small[r, c + 1] > small[r, c]:
                bits |= 1 << (8 * r + c)
    return bits


def main():
    m = test_map()
    small = shrink(m)
    h = dhash(m)
    checks = [("hash", f"0x{h:016x}", "0xdbdbc96d67b697db", h == 0xdbdbc96d67b697db),
              ("small[0]", small[0, 0], 0.4581, abs(small[0, 0] - 0.4581) <= 1e-4),
              ("small[6*9+8]", small[6, 8], 0.8170, abs(small[6, 8] - 0.8170) <= 1e-4)]
    bad = 0
    for name, got, stored, ok in checks:
        bad += not ok
        print(f"{name}: {'ok ' if ok else 'DIFF'} {got}" + ("" if ok else f" stored {stored}"))
    print("all match" if bad == 0 else f"{bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
