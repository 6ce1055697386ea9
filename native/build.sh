#!/bin/sh
# Called by Maven (java/gpu/pom.xml, generate-resources). Configures and builds CMakeLists.txt at the project root:
#   kernels/*.cu -> badfl.fatbin (nvcc; sm_80, sm_90 + PTX)        -> <resources>/org/badfl/gpu/
#   native/      -> libbadfl_cudaemu.so (host C++ + CUDA emulation) -> <resources>/org/badfl/gpu/linux-x86_64/
# What cannot be built on this machine is reported and skipped; the Maven build stays green without it.
# usage: build.sh <project-root> <build-dir> <resources-dir> [java-home]
set -u
root=$1; build=$2; res=$3
# JNI headers: the JDK running Maven, else the one javac belongs to.
if [ -n "${4:-}" ] && [ -d "$4/include" ]; then JAVA_HOME=$4; export JAVA_HOME; fi
if [ -z "${JAVA_HOME:-}" ] && command -v javac >/dev/null 2>&1; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")"); export JAVA_HOME
fi
mkdir -p "$build" "$res"
if ! command -v cmake >/dev/null 2>&1; then
  echo "[badfl native] cmake not found: skipped kernels/ (fatbin) and native/ (JNI CUDA emulation)."
  exit 0
fi
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBADFL_RESOURCES_DIR="$res" >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; echo "[badfl native] cmake configure failed (log above)"; exit 1; }
grep '^\[badfl' "$build/configure.log" || true
cmake --build "$build" -j "$jobs" || { echo "[badfl native] build failed"; exit 1; }
