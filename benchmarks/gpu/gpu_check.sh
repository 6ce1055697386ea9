#!/usr/bin/env bash
# The GPU check, one run on a machine with an NVIDIA GPU (no network, Java or Maven needed when run from the bundle
# that benchmarks/gpu/package.sh builds):
#   1. nvidia-smi                                   what the machine has
#   2. badfl gpu info                               what the GPU backend finds (driver, fatbin, emulation)
#   3. badfl gpu selftest --device gpu              every kernel against its Java reference: "N passed, N failed"
#   4. badfl gpu bench --device gpu                 training images/s (cnn-paper b64, resnet18 b128; fp32, TF32),
#                                                   aggregation GB/s at n=100, d=11,173,962 vs device copy
#   5. python3 torch_gpu_bench.py                   the PyTorch anchor on the same GPU (if torch imports with CUDA)
#   6. badfl run --device gpu, then cpu             a short end-to-end simulation (fedavg, badfl; 3 rounds) on each
#   7. compute-sanitizer memcheck of the self-test   (when compute-sanitizer is on PATH)
#   8. comparison against the goals                 resnet18 >= 1.0x PyTorch fp32; aggregation >= 60% of copy
#                                                   bandwidth and >= 20x torch.median
# Every step has its own time limit, and no step may run past the overall budget ($GPU_CHECK_BUDGET seconds, default
# 460: under 8 minutes with the kill grace periods); a failing or timed-out step is reported and the next one runs.
# Results: printed, and kept under $GPU_CHECK_OUT (default: ./gpu_check_results/<time>) as logs and CSV files.
# Exit status: 0 if every step succeeded, 1 otherwise.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# badfl: the bundle's launcher, else the repository's jar with the java on PATH.
if [ -x "$here/badfl" ] && [ -x "$here/runtime/bin/java" ]; then
  badfl=("$here/badfl")
else
  root="$(cd "$here/../.." 2>/dev/null && pwd)"
  jar=$(ls "$root"/java/cli/target/badfl-*-all.jar 2>/dev/null | head -n 1)
  badfl=(java --add-modules jdk.incubator.vector -Xss4m -jar "${jar:-badfl.jar}")
fi
out="${GPU_CHECK_OUT:-$PWD/gpu_check_results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
python=${PYTHON:-python3}
started=$(date +%s)
budget=${GPU_CHECK_BUDGET:-460}
summary=()
failures=0

# step NAME LIMIT_SECONDS COMMAND...: runs with a time limit (cut to what is left of the budget), logs to
# $out/NAME.log, records the outcome.
step() {
  local name=$1 limit=$2
  shift 2
  local left=$(( budget - ($(date +%s) - started) - 5 ))
  if [ "$left" -lt 5 ]; then
    echo
    echo "=== $name: NOT RUN: the ${budget} s budget is spent"
    summary+=("$(printf '%-10s %-28s %4d s' "$name" "not run (out of time)" 0)")
    failures=$((failures + 1))
    return 0
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo
  echo "=== $name (time limit ${limit} s): $*"
  local t0 rc
  t0=$(date +%s)
  timeout --kill-after=5 "$limit" "$@" > >(tee "$out/$name.log") 2>&1
  rc=$?
  sleep 0.2 # let tee flush
  local took=$(( $(date +%s) - t0 ))
  local status="ok"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    status="TIMED OUT after ${limit} s"
  elif [ $rc -ne 0 ]; then
    status="FAILED (exit $rc)"
  fi
  [ "$status" = ok ] || failures=$((failures + 1))
  summary+=("$(printf '%-10s %-28s %4d s' "$name" "$status" "$took")")
  echo "=== $name: $status, ${took} s"
  return 0
}

echo "GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), results in $out"
step nvidia-smi 15 nvidia-smi
step info 40 "${badfl[@]}" gpu info
step selftest 120 "${badfl[@]}" gpu selftest --device gpu
grep -Eo '[0-9]+ passed, [0-9]+ failed.*' "$out/selftest.log" | tail -n 1 > "$out/selftest.summary" 2>/dev/null
step bench 160 "${badfl[@]}" gpu bench --device gpu --csv "$out/badfl_bench.csv"
if "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 3)' >/dev/null 2>&1; then
  step torch 100 "$python" "$here/torch_gpu_bench.py" --csv "$out/torch_bench.csv"
else
  why=$("$python" -c 'import torch; print("torch", torch.__version__, "imports but torch.cuda.is_available() is False")' 2>&1 | tail -n 1)
  echo
  echo "=== torch: NOT RUN: PyTorch with CUDA is not importable with $python ($why); no PyTorch anchor in this run"
  summary+=("$(printf '%-10s %-28s %4d s' torch "not run (no torch+CUDA)" 0)")
fi

# End to end: a short `run` (fedavg and badfl, 3 rounds of the default scenario) with clients training on the GPU,
# then the same on the CPU engine: both finish, and their accuracies agree (not bit for bit: other kernels).
step run-gpu 100 "${badfl[@]}" run --device gpu --defense fedavg,badfl --rounds 3 --name gpu --out "$out/runs" --progress plain
step run-cpu 70 "${badfl[@]}" run --device cpu --defense fedavg,badfl --rounds 3 --name cpu --out "$out/runs" --progress plain
# Memory errors a comparison can miss (out-of-bounds reads that happen to read the right values, races):
# the self-test again under compute-sanitizer's memcheck, when the machine has it.
if command -v compute-sanitizer >/dev/null 2>&1; then
  step memcheck 90 compute-sanitizer --tool memcheck --error-exitcode 9 "${badfl[@]}" gpu selftest --device gpu
else
  echo
  echo "=== memcheck: NOT RUN: compute-sanitizer is not on PATH"
  summary+=("$(printf '%-10s %-28s %4d s' memcheck "not run (no sanitizer)" 0)")
fi

echo
echo "=== comparison with the goals"
if [ -f "$out/badfl_bench.csv" ]; then
  awk -F, -f "$here/compare.awk" "$out/badfl_bench.csv" "$( [ -f "$out/torch_bench.csv" ] && echo "$out/torch_bench.csv" || echo /dev/null)" \
    | tee "$out/comparison.txt"
else
  echo "no badfl benchmark results (the bench step failed)" | tee "$out/comparison.txt"
fi

echo
echo "=== summary ($(( $(date +%s) - started )) s in all; results in $out)"
printf '%s\n' "${summary[@]}"
[ -s "$out/selftest.summary" ] && echo "self-test: $(cat "$out/selftest.summary")"
[ $failures -eq 0 ] && exit 0 || exit 1
