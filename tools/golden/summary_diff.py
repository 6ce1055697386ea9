#!/usr/bin/env python3
"""Compares two summary.json files, ignoring wall-clock fields and provenance (which differ on every run).

usage: summary_diff.py EXPECTED ACTUAL    exit 0 when equal, 1 with the differing paths listed.
"""
import json
import sys

IGNORED = {"seconds", "seconds_by_phase", "wall_seconds", "provenance", "started", "host_device_bytes"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in IGNORED}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'actual' if k in b else 'expected'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: expected {a!r}, found {b!r}")


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        expected = strip(json.load(f))
    with open(sys.argv[2]) as f:
        actual = strip(json.load(f))
    out = []
    diff(expected, actual, "$", out)
    for line in out[:50]:
        print(line)
    print("identical (timings excluded)" if not out else f"{len(out)} differences")
    return 0 if not out else 1


if __name__ == "__main__":
    sys.exit(main())
