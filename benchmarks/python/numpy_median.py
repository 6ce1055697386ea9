#!/usr/bin/python3
"""numpy anchor for the coordinate-wise median: np.median(axis=0) on float32 updates of shape (n, d).

This is what vio1etus/FLPoison's median aggregator runs (aggregators/median.py). Run it with Debian's
python3-numpy (/usr/bin/python3, numpy 1.24), the best of several runs per shape, and feed the JSON to
org.badfl.bench.aggregation.AggregationReport next to the JMH result:

    /usr/bin/python3 benchmarks/python/numpy_median.py --out numpy_median.json [--shapes 20x1199882 ...]

d is the flat buffer size: 1,199,882 (paper CNN) and 11,183,562 (ResNet18 with its BN statistics, the
rows the Java kernels read at d = 11,173,962). Memory: np.median copies its input, so n = 100 ResNet18
needs ~9 GB (4.5 GB data + 4.5 GB copy).
"""
import argparse
import json
import sys
import time

import numpy as np

DEFAULT_SHAPES = ["20x1199882", "100x1199882", "20x11183562", "100x11183562"]


def best_time(x, repeats):
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.median(x, axis=0)
        best = min(best, time.perf_counter() - t)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", nargs="+", default=DEFAULT_SHAPES, help="n x d, e.g. 100x1199882")
    ap.add_argument("--repeats", type=int, default=3, help="runs per shape; the best is reported")
    ap.add_argument("--out", help="write the results as JSON here (default: stdout only)")
    args = ap.parse_args()
    rng = np.random.default_rng(20240601)
    results = []
    for shape in args.shapes:
        n, d = (int(v) for v in shape.split("x"))
        x = (rng.standard_normal((n, d), dtype=np.float32) * np.float32(1e-3))
        best = best_time(x, args.repeats)
        gbs = 4.0 * n * d / best / 1e9
        results.append({"n": n, "d": d, "best_s": best, "gb_per_s": gbs, "repeats": args.repeats,
                        "numpy": np.__version__})
        print(f"n={n:4d} d={d:9d}  best of {args.repeats}: {best:8.3f} s  ({gbs:.2f} GB/s)  numpy {np.__version__}",
              file=sys.stderr)
        del x
    text = json.dumps(results, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
