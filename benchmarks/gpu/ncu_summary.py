#!/usr/bin/env python3
"""Summarises an Nsight Compute CSV (`ncu --csv --page raw --metrics gpu__time_duration.sum,launch__grid_size,
launch__registers_per_thread,sm__throughput.avg.pct_of_peak_sustained_elapsed,dram__throughput.avg.pct_of_peak_sustained_elapsed
badfl gpu bench ...`): time per kernel name over the first training step (up to the first sgd kernel) or over the
whole file when there is no sgd kernel, with the share, launches, registers and the SM / DRAM throughput ranges.
Durations are ncu's (clocks locked by the profiler: longer than in a plain run; compare shares, not times).

Usage: ncu_summary.py FILE.csv [--all]
"""
import collections
import csv
import io
import sys


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    lines = open(sys.argv[1]).read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith('"ID"'))
    rows = list(csv.reader(io.StringIO("\n".join(l for l in lines[start:] if l.startswith('"')))))
    ix = {h: i for i, h in enumerate(rows[0])}
    data = rows[2:]
    num = lambda s: float(s.replace(",", "")) if s.replace(",", "").replace(".", "").isdigit() else float("nan")
    sgd = [i for i, r in enumerate(data) if "sgd" in r[ix["Kernel Name"]]]
    if sgd and "--all" not in sys.argv:
        data = data[: sgd[0] + 1]
        print(f"first training step: {len(data)} kernels")
    else:
        print(f"all {len(data)} kernels")
    by = collections.defaultdict(lambda: {"ms": 0.0, "n": 0, "regs": set(), "sm": [], "dram": []})
    for r in data:
        k = by[r[ix["Kernel Name"]]]
        k["ms"] += num(r[ix["gpu__time_duration.sum"]]) / 1e6
        k["n"] += 1
        k["regs"].add(r[ix["launch__registers_per_thread"]])
        k["sm"].append(num(r[ix["sm__throughput.avg.pct_of_peak_sustained_elapsed"]]))
        k["dram"].append(num(r[ix["dram__throughput.avg.pct_of_peak_sustained_elapsed"]]))
    total = sum(k["ms"] for k in by.values())
    print(f"{'ms':>8s} {'share':>6s} {'launches':>8s} {'regs':>8s} {'SM %':>11s} {'DRAM %':>11s}  kernel")
    for name, k in sorted(by.items(), key=lambda kv: -kv[1]["ms"]):
        print(f"{k['ms']:8.3f} {100 * k['ms'] / total:5.1f}% {k['n']:8d} {'/'.join(sorted(k['regs'])):>8s} "
              f"{min(k['sm']):5.1f}-{max(k['sm']):<5.1f} {min(k['dram']):5.1f}-{max(k['dram']):<5.1f}  {name}")
    print(f"{total:8.3f} ms in all (ncu clocks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
