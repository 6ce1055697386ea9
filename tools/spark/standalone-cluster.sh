#!/usr/bin/env bash
# Runs the default scenario on a real multi-process Spark standalone cluster on this machine (a Master and two
# Workers, each its own JVM, executors launched by the Workers) and compares its summary.json with the golden
# summary of the local engine.
#
# usage: tools/spark/standalone-cluster.sh [OUT_DIR] [extra ./badfl run flags...]
#   OUT_DIR defaults to a fresh temporary folder; the cluster's logs go to OUT_DIR/spark-cluster/.
# Environment: MASTER_PORT (default 7177), WORKER_CORES (default 1 per worker), WORKER_MEMORY (default 2g).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$(mktemp -d /tmp/badfl-spark-cluster.XXXXXX)}"
shift || true
port="${MASTER_PORT:-7177}"
cores="${WORKER_CORES:-1}"
memory="${WORKER_MEMORY:-2g}"
mkdir -p "$out/spark-cluster"

# The spark engine's build: the launcher builds it on first use of --engine spark.
"$root/badfl" run --engine spark --print-config >/dev/null
classpath="$(cat "$root/java/spark/target/classpath.txt")"
opens="$root/java/spark/src/main/resources/org/badfl/spark/jvm.options"

# A SPARK_HOME whose jars/ holds the engine's dependency jars: Workers start executors with SPARK_HOME/jars/* on
# the classpath; badfl's own jars reach the executors from the driver (spark.jars).
export SPARK_HOME="$out/spark-cluster/spark-home"
export SPARK_SCALA_VERSION=2.13
export SPARK_LOCAL_IP=127.0.0.1
mkdir -p "$SPARK_HOME/jars"
IFS=: read -r -a entries <<<"$classpath"
for jar in "${entries[@]}"; do
  case "$jar" in
    */badfl-*) ;; # shipped by the driver
    *.jar) ln -sf "$jar" "$SPARK_HOME/jars/" ;;
  esac
done

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

java @"$opens" -Xmx512m -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port 0 >"$out/spark-cluster/master.log" 2>&1 &
pids+=($!)
for w in 1 2; do
  java @"$opens" -Xmx512m -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --webui-port 0 --cores "$cores" --memory "$memory" --work-dir "$out/spark-cluster/work-$w" \
    "spark://127.0.0.1:$port" >"$out/spark-cluster/worker-$w.log" 2>&1 &
  pids+=($!)
done

# Both workers registered (bounded wait).
for _ in $(seq 1 120); do
  [ "$(grep -c 'Registering worker' "$out/spark-cluster/master.log" 2>/dev/null || true)" -ge 2 ] && break
  sleep 1
done
if [ "$(grep -c 'Registering worker' "$out/spark-cluster/master.log" 2>/dev/null || true)" -lt 2 ]; then
  echo "standalone-cluster: the workers did not register within 120 s; logs in $out/spark-cluster/" >&2
  exit 1
fi
echo "cluster up: master spark://127.0.0.1:$port, 2 workers ($cores core(s), $memory each); logs in $out/spark-cluster/"

start=$(date +%s)
"$root/badfl" run --engine spark --spark-master "spark://127.0.0.1:$port" --out "$out" --name cluster --progress plain "$@"
echo "wall time of the cluster run: $(( $(date +%s) - start )) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
executors=$(ls -d "$out"/spark-cluster/work-*/app-*/* 2>/dev/null | wc -l)
echo "executors launched by the workers: $executors"

if [ $# -eq 0 ]; then
  /usr/bin/python3 "$root/tools/golden/summary_diff.py" "$root/tools/golden/default-summary.json" "$out/cluster/summary.json"
fi
