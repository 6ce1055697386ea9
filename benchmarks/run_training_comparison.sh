#!/usr/bin/env bash
# Training throughput of the badfl engine against PyTorch on the CPU, in one invocation on one machine (issue 2).
#
# For every round, model and thread count it runs, back to back,
#   ours:  JMH TrainingBench (benchmarks/target/benchmarks.jar; one fork, process CPU time per step recorded by
#          org.badfl.bench.aggregation.CpuTimeProfiler)
#   torch: /usr/bin/python3 benchmarks/python/torch_train_cpu.py (same model, batch, optimiser, thread count;
#          timed blocks as long as JMH's iterations; OPENBLAS_NUM_THREADS=t so that the BLAS under torch's
#          linear layers uses the same thread count as torch.set_num_threads(t))
# with `cat /proc/loadavg` recorded before and after each, then prints one table:
#   images/s          wall clock: images per elapsed second (best and median timed block / JMH iteration)
#   images/cpu_s      images per second of process CPU time (all threads of the process), best block: on a
#                     machine shared with other jobs, time slices lost to them do not count (cache and memory
#                     sharing still do). With t threads this is the per-core rate; it does not show how well
#                     the work spreads over the cores, the wall rate does.
#   ratio             ours / torch, for both.
# Usage:
#   benchmarks/run_training_comparison.sh [--rounds N] [--models "cnn-paper resnet18 cnn-small"]
#                                         [--threads "1 2"] [--iteration-seconds S] [--iterations N]
#                                         [--warmup-iterations N] [--out DIR]
# Build first: mvn -B -pl benchmarks -am package -DskipTests -DskipNative=true
# Raw results (JMH JSON, torch JSON, logs, table) go to --out (default benchmarks/target/training-comparison/<time>).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
TORCH_SCRIPT="$ROOT/benchmarks/python/torch_train_cpu.py"
PYTHON=/usr/bin/python3

ROUNDS=2
MODELS="cnn-paper resnet18 cnn-small"
THREADS="1 2"
ITER_SECONDS=3
ITERATIONS=5
WARMUP_ITERATIONS=4
OUT=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --iteration-seconds) ITER_SECONDS="$2"; shift 2 ;;
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --warmup-iterations) WARMUP_ITERATIONS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [[ ! -f "$JAR" ]]; then
  echo "missing $JAR: build it with  mvn -B -pl benchmarks -am package -DskipTests -DskipNative=true" >&2
  exit 2
fi
if [[ ! -x "$PYTHON" ]] || ! "$PYTHON" -c "import torch" 2>/dev/null; then
  echo "PyTorch not found for $PYTHON (Debian package python3-torch)" >&2
  exit 2
fi
for m in $MODELS; do
  case "$m" in cnn-paper|resnet18|cnn-small) ;; *) echo "unknown model '$m' (cnn-paper, resnet18, cnn-small)" >&2; exit 2 ;; esac
done

OUT="${OUT:-$ROOT/benchmarks/target/training-comparison/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
LOG="$OUT/runs.tsv"
echo -e "round\tside\tmodel\tthreads\tload_before\tload_after\tfile" > "$LOG"

torch_name() {
  case "$1" in cnn-paper) echo paper_cnn ;; resnet18) echo resnet18 ;; cnn-small) echo small_cnn ;; esac
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "# $(date -Is) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; output in $OUT"
for round in $(seq 1 "$ROUNDS"); do
  for model in $MODELS; do
    for t in $THREADS; do
      file="$OUT/ours_${model}_t${t}_r${round}.json"
      before="$(load)"
      echo "# round $round: ours  $model threads $t (load $before)"
      java -jar "$JAR" TrainingBench -p model="$model" -p threads="$t" -f 1 \
        -wi "$WARMUP_ITERATIONS" -w "${ITER_SECONDS}s" -i "$ITERATIONS" -r "${ITER_SECONDS}s" \
        -prof org.badfl.bench.aggregation.CpuTimeProfiler -rf json -rff "$file" \
        > "$OUT/ours_${model}_t${t}_r${round}.log" 2>&1 \
        || { echo "JMH failed, see $OUT/ours_${model}_t${t}_r${round}.log" >&2; exit 1; }
      echo -e "$round\tours\t$model\t$t\t$before\t$(load)\t$file" >> "$LOG"

      file="$OUT/torch_${model}_t${t}_r${round}.json"
      before="$(load)"
      echo "# round $round: torch $model threads $t (load $before)"
      OPENBLAS_NUM_THREADS="$t" "$PYTHON" "$TORCH_SCRIPT" --models "$(torch_name "$model")" --threads "$t" --matmul-sizes \
        --warmup 3 --repeats "$ITERATIONS" --block-seconds "$ITER_SECONDS" --json "$file" \
        > "$OUT/torch_${model}_t${t}_r${round}.log" 2>&1 \
        || { echo "torch failed, see $OUT/torch_${model}_t${t}_r${round}.log" >&2; exit 1; }
      echo -e "$round\ttorch\t$model\t$t\t$before\t$(load)\t$file" >> "$LOG"
    done
  done
done

"$PYTHON" - "$LOG" <<'PY' | tee "$OUT/table.txt"
import json, statistics, sys
from collections import defaultdict

log = sys.argv[1]
rows = [line.rstrip("\n").split("\t") for line in open(log)][1:]
runs = defaultdict(list)  # (side, model, threads) -> list of (wall rates, cpu rates, loads)

def ours(path):
    """Per measured JMH iteration: images/s (ImageCounter) and images per CPU second (CpuTimeProfiler)."""
    result = json.load(open(path))[0]
    batch = {"cnn-paper": 64, "resnet18": 32, "cnn-small": 64}[result["params"]["model"]]
    if int(result["params"].get("batch", "0")) > 0:
        batch = int(result["params"]["batch"])
    sec = result["secondaryMetrics"]
    wall = [x for fork in sec["images"]["rawData"] for x in fork]
    cpu_ms = [x for fork in sec["cpu"]["rawData"] for x in fork]   # process CPU ms per step
    return wall, [batch * 1000.0 / c for c in cpu_ms]

def torch(path):
    r = json.load(open(path))["results"][0]
    n = r["images_per_block"]
    return [n / w for w in r["wall_s"]], [n / c for c in r["cpu_s"]]

for rnd, side, model, t, before, after, path in rows:
    wall, cpu = (ours if side == "ours" else torch)(path)
    runs[(side, model, int(t))].append((wall, cpu, before, after))

def summary(key):
    walls = [x for r in runs[key] for x in r[0]]
    cpus = [x for r in runs[key] for x in r[1]]
    return max(walls), statistics.median(walls), max(cpus), statistics.median(cpus)

print("images/s = wall-clock rate (best | median timed iteration over all rounds); images/cpu_s = images per")
print("second of process CPU time (best | median), all threads counted; ratio = ours / torch of the best values.")
print()
hdr = ("model", "threads", "ours img/s", "torch img/s", "ratio wall", "ours img/cpu_s", "torch img/cpu_s",
       "ratio cpu", "load (1-min) during runs")
print("{:<10} {:>7} {:>19} {:>19} {:>10} {:>19} {:>19} {:>9}  {}".format(*hdr))
keys = sorted({(m, t) for (_, m, t) in runs}, key=lambda k: (["cnn-paper", "resnet18", "cnn-small"].index(k[0]), k[1]))
for model, t in keys:
    o, p = ("ours", model, t), ("torch", model, t)
    if o not in runs or p not in runs:
        continue
    ow, owm, oc, ocm = summary(o)
    tw, twm, tc, tcm = summary(p)
    loads = sorted(float(r[i].split()[0]) for k in (o, p) for r in runs[k] for i in (2, 3))
    fmt = lambda best, med: f"{best:8.1f} | {med:8.1f}"
    print(f"{model:<10} {t:>7} {fmt(ow, owm):>19} {fmt(tw, twm):>19} {ow / tw:>10.2f} {fmt(oc, ocm):>19} "
          f"{fmt(tc, tcm):>19} {oc / tc:>9.2f}  {loads[0]:.2f}-{loads[-1]:.2f}")
PY
echo "# done $(date -Is); raw data and logs in $OUT"
